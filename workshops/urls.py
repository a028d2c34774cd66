from django.urls import path

from workshops import phone_views, views

app_name = "workshops"

group = "ateliers/groupes/<int:workshopgroup_pk>"
session = "ateliers/<int:workshop_pk>"

urlpatterns = [
    # Animator side (members of the organisation).
    path("feuilles-de-route/<int:roadmap_pk>/ateliers/", views.workshop_list, name="workshop_list"),
    path(f"{session}/", views.workshop_detail, name="workshop_detail"),
    path(f"{session}/modifier/", views.workshop_edit, name="workshop_edit"),
    path(f"{session}/dupliquer/", views.workshop_duplicate, name="workshop_duplicate"),
    path(f"{session}/groupes/", views.workshop_add_group, name="workshop_add_group"),
    path(f"{session}/synthese/", views.workshop_synthesis, name="workshop_synthesis"),
    path(f"{session}/enjeux/", views.workshop_enjeu, name="workshop_enjeu"),
    path(f"{session}/pleniere/", views.workshop_plenary, name="workshop_plenary"),
    path(f"{session}/pleniere/version/", views.workshop_plenary_version, name="workshop_plenary_version"),
    path(f"{session}/resultats.csv", views.workshop_csv, name="workshop_csv"),
    path(f"{session}/resultats.pdf", views.workshop_pdf, name="workshop_pdf"),
    path(f"{group}/", views.workshopgroup_presenter, name="workshopgroup_presenter"),
    path(f"{group}/projection/", views.workshopgroup_projector, name="workshopgroup_projector"),
    path(f"{group}/version/", views.workshopgroup_version, name="workshopgroup_version"),
    path(f"{group}/action/", views.workshopgroup_action, name="workshopgroup_action"),
    path(f"{group}/items/", views.workshopgroup_add_item, name="workshopgroup_add_item"),
    path(f"{group}/main-levee/", views.workshopgroup_paper, name="workshopgroup_paper"),
    path(f"{group}/fusions/", views.workshopgroup_merge, name="workshopgroup_merge"),
    path("ateliers/fusions/<int:mergeproposal_pk>/", views.mergeproposal_decide, name="mergeproposal_decide"),
    path("ateliers/items/<int:item_pk>/", views.item_edit, name="item_edit"),
    path("ateliers/items/<int:item_pk>/post-it/", views.item_place, name="item_place"),
    # Participants' phones: public, by join code (see tests/url_walk.py PUBLIC_PATTERNS).
    path("atelier/", phone_views.participant_join_form, name="participant_join_form"),
    path("atelier/<str:code>/", phone_views.participant_page, name="participant_page"),
    path("atelier/<str:code>/version/", phone_views.participant_version, name="participant_version"),
    path("atelier/<str:code>/rejoindre/", phone_views.participant_join, name="participant_join"),
    path("atelier/<str:code>/idee/", phone_views.participant_item, name="participant_item"),
    path("atelier/<str:code>/points/", phone_views.participant_vote, name="participant_vote"),
    path("atelier/<str:code>/objection/", phone_views.participant_object, name="participant_object"),
]
