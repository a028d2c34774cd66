from django.urls import URLPattern, path

from roadmap import views
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
    *_spine_patterns(),
    path("feuilles-de-route/<int:roadmap_pk>/defis/organiser/", views.defi_board, name="defi_board"),
    path("feuilles-de-route/<int:roadmap_pk>/corbeille/", views.roadmap_bin, name="bin"),
    path("corbeille/<int:binentry_pk>/restaurer/", views.bin_restore, name="bin_restore"),
]
