from django.urls import path

from fiches import views

app_name = "fiches"

urlpatterns = [
    path("fiches/<int:action_pk>/", views.fiche, name="fiche"),
    path("fiches/<int:action_pk>/modifier/", views.fiche_edit, name="fiche_edit"),
    path("fiches/<int:action_pk>/budget/", views.fiche_budget, name="fiche_budget"),
    path("fiches/<int:action_pk>/historique/", views.fiche_history, name="fiche_history"),
    path("fiches/<int:action_pk>/engagements/", views.engagement_create, name="engagement_create"),
    path("fiches/<int:action_pk>/exporter/", views.fiche_export, name="fiche_export"),
    path("engagements/<int:engagement_pk>/supprimer/", views.engagement_delete, name="engagement_delete"),
    path("chantiers/<int:chantier_pk>/nouvelle-fiche/", views.fiche_create, name="fiche_create"),
    path("feuilles-de-route/<int:roadmap_pk>/budget/", views.roadmap_budget, name="budget"),
    path("feuilles-de-route/<int:roadmap_pk>/calendrier/", views.roadmap_timeline, name="timeline"),
    path("feuilles-de-route/<int:roadmap_pk>/gouvernance/", views.governance, name="governance"),
    path("gouvernance/<int:governancebody_pk>/modifier/", views.governance_edit, name="governance_edit"),
    path("gouvernance/<int:governancebody_pk>/supprimer/", views.governance_delete, name="governance_delete"),
]
