from django.urls import URLPattern, path

from roadmap import views, views_fiche
from roadmap.spine import SPINE_KINDS

app_name = "roadmap"


def _spine_patterns() -> list[URLPattern]:
    patterns = []
    for kind in SPINE_KINDS.values():
        extra = {"kind_name": kind.name}
        item = f"{kind.url_segment}/<int:{kind.pk_kwarg}>"
        patterns += [
            path(
                f"feuilles-de-route/<int:roadmap_pk>/{kind.url_segment}/",
                views.spine_list,
                extra,
                name=f"{kind.name}_list",
            ),
            path(f"{item}/", views.spine_row, extra, name=f"{kind.name}_row"),
            path(f"{item}/modifier/", views.spine_edit, extra, name=f"{kind.name}_edit"),
            path(f"{item}/deplacer/", views.spine_move, extra, name=f"{kind.name}_move"),
            path(f"{item}/supprimer/", views.spine_delete, extra, name=f"{kind.name}_delete"),
        ]
    return patterns


urlpatterns = [
    path("feuilles-de-route/nouvelle/", views.roadmap_create, name="create"),
    path("feuilles-de-route/<int:roadmap_pk>/", views.roadmap_detail, name="detail"),
    path("feuilles-de-route/<int:roadmap_pk>/modifier/", views.roadmap_edit, name="edit"),
    path("feuilles-de-route/<int:roadmap_pk>/supprimer/", views.roadmap_delete, name="delete"),
    path("feuilles-de-route/<int:roadmap_pk>/chaine/", views.roadmap_chain, name="chain"),
    path("feuilles-de-route/<int:roadmap_pk>/etapes/<int:number>/", views.roadmap_step, name="step"),
    path("territoires/", views.territory_list, name="territory_list"),
    path("territoires/nouveau/", views.territory_create, name="territory_create"),
    path("territoires/<int:territory_pk>/", views.territory_detail, name="territory_detail"),
    path("territoires/<int:territory_pk>/modifier/", views.territory_edit, name="territory_edit"),
    path("territoires/<int:territory_pk>/supprimer/", views.territory_delete, name="territory_delete"),
    *_spine_patterns(),
    # Step 6: fiches actions, budget, défis, calendar, governance, adoption, exports, public page.
    path("fiches/<int:action_pk>/", views_fiche.fiche, name="fiche"),
    path("fiches/<int:action_pk>/modifier/", views_fiche.fiche_edit, name="fiche_edit"),
    path("fiches/<int:action_pk>/budget/", views_fiche.fiche_budget, name="fiche_budget"),
    path("fiches/<int:action_pk>/historique/", views_fiche.fiche_history, name="fiche_history"),
    path("fiches/<int:action_pk>/engagements/", views_fiche.engagement_create, name="engagement_create"),
    path("fiches/<int:action_pk>/exporter/", views_fiche.fiche_export, name="fiche_export"),
    path("engagements/<int:engagement_pk>/supprimer/", views_fiche.engagement_delete, name="engagement_delete"),
    path("chantiers/<int:chantier_pk>/nouvelle-fiche/", views_fiche.fiche_create, name="fiche_create"),
    path("feuilles-de-route/<int:roadmap_pk>/defis/organiser/", views_fiche.defi_board, name="defi_board"),
    path("feuilles-de-route/<int:roadmap_pk>/budget/", views_fiche.roadmap_budget, name="budget"),
    path("feuilles-de-route/<int:roadmap_pk>/calendrier/", views_fiche.roadmap_timeline, name="timeline"),
    path("feuilles-de-route/<int:roadmap_pk>/gouvernance/", views_fiche.governance, name="governance"),
    path("gouvernance/<int:governancebody_pk>/modifier/", views_fiche.governance_edit, name="governance_edit"),
    path("gouvernance/<int:governancebody_pk>/supprimer/", views_fiche.governance_delete, name="governance_delete"),
    path("feuilles-de-route/<int:roadmap_pk>/adoption/", views_fiche.adoption, name="adoption"),
    path("versions/<int:roadmapversion_pk>/", views_fiche.version_detail, name="version_detail"),
    path("versions/<int:roadmapversion_pk>/pdf/", views_fiche.version_pdf, name="version_pdf"),
    path("feuilles-de-route/<int:roadmap_pk>/documents/", views_fiche.roadmap_exports, name="exports"),
    path("documents/<int:exportjob_pk>/", views_fiche.export_status, name="export_status"),
    path("documents/<int:exportjob_pk>/relancer/", views_fiche.export_retry, name="export_retry"),
    path("documents/<int:exportjob_pk>/telecharger/", views_fiche.export_download, name="export_download"),
    path("public/feuilles-de-route/<uuid:public_key>/", views_fiche.public_roadmap, name="public"),
    path("public/feuilles-de-route/<uuid:public_key>/pdf/", views_fiche.public_roadmap_pdf, name="public_pdf"),
]
