from django.urls import path

from chantiers import views

app_name = "chantiers"

roadmap = "feuilles-de-route/<int:roadmap_pk>/chantiers-cles"
group = "chantiers-cles/groupes/<int:chantiergroup_pk>"
sheet = "chantiers/<int:chantier_pk>/fiche"

urlpatterns = [
    path(f"{roadmap}/", views.home, name="home"),
    path(f"{roadmap}/groupes/", views.groups_create, name="groups_create"),
    path(f"{roadmap}/inventaire/", views.inventory, name="inventory"),
    path(f"{roadmap}/inventaire/imprimer/", views.inventory_print, name="inventory_print"),
    path(f"{roadmap}/inventaire/import/", views.inventory_import, name="inventory_import"),
    path(f"{roadmap}/synthese/", views.synthesis_page, name="synthesis"),
    path(f"{roadmap}/synthese/mur/", views.plenary, name="plenary"),
    path(f"{roadmap}/synthese/pdf/", views.synthesis_pdf, name="synthesis_pdf"),
    path(
        "chantiers-cles/inventaire/<int:inventoryentry_pk>/supprimer/",
        views.inventoryentry_delete,
        name="inventoryentry_delete",
    ),
    path(f"{group}/", views.group, name="group"),
    path(f"{group}/projection/", views.group_projector, name="group_projector"),
    path(f"{group}/validation/", views.group_validate, name="group_validate"),
    path(f"{group}/minuteur/", views.group_timer, name="group_timer"),
    path(f"{sheet}/", views.sheet, name="sheet"),
    path(f"{sheet}/modifier/", views.sheet_edit, name="sheet_edit"),
    path(f"{sheet}/priorite/", views.sheet_priority, name="sheet_priority"),
    path(f"{sheet}/actions/", views.sheet_promote, name="sheet_promote"),
]
