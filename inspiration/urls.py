from django.urls import path

from inspiration import views

app_name = "inspiration"

urlpatterns = [
    path("inspiration/", views.experience_list, name="experience_list"),
    path("inspiration/experiences/nouvelle/", views.experience_create, name="experience_create"),
    path("inspiration/experiences/<int:experience_pk>/", views.experience_detail, name="experience"),
    path("inspiration/experiences/<int:experience_pk>/modifier/", views.experience_edit, name="experience_edit"),
    path("inspiration/experiences/<int:experience_pk>/supprimer/", views.experience_delete, name="experience_delete"),
    path("inspiration/experiences/<int:experience_pk>/publier/", views.experience_publish, name="experience_publish"),
    path("inspiration/experiences/<int:experience_pk>/retirer/", views.experience_withdraw, name="experience_withdraw"),
    path("inspiration/experiences/<int:experience_pk>/inspirer/", views.experience_inspire, name="experience_inspire"),
    path("inspiration/experiences/<int:experience_pk>/signaler/", views.experience_report, name="experience_report"),
    path("inspiration/experiences/<int:experience_pk>/documents/", views.document_upload, name="document_upload"),
    path("inspiration/documents/<int:experiencedocument_pk>/", views.document_download, name="document"),
    path("inspiration/documents/<int:experiencedocument_pk>/supprimer/", views.document_delete, name="document_delete"),
    path("inspiration/moderation/", views.moderation, name="moderation"),
    path("inspiration/signalements/<int:report_pk>/", views.report_handle, name="report_handle"),
    path("inspiration/recueils/", views.recueil_list, name="recueil_list"),
    path("inspiration/recueils/<int:recueil_pk>/", views.recueil_detail, name="recueil"),
    path("inspiration/bureau/", views.desk, name="desk"),
    path("inspiration/bureau/feuilles-de-route/<int:roadmap_pk>/etapes/", views.desk_steps, name="desk_steps"),
]
urlpatterns += [
    path("inspiration/visites/", views.visit_list, name="visit_list"),
    path("inspiration/visites/<int:sitevisit_pk>/", views.visit_detail, name="visit"),
    # Public: no organisation, the visit's unguessable token (tests/url_walk.py PUBLIC_PATTERNS).
    path("visite/avis/<str:token>/", views.visit_feedback, name="visit_feedback"),
]
