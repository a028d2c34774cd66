from django.urls import path

from diagnostics import views

app_name = "diagnostics"

urlpatterns = [
    path("territoires/<int:territory_pk>/diagnostic/", views.territory_diagnostic, name="territory"),
    path("territoires/<int:territory_pk>/diagnostic/carte/", views.territory_map, name="territory_map"),
    path("territoires/<int:territory_pk>/diagnostic/image/", views.territory_map_image, name="territory_map_image"),
    path("territoires/<int:territory_pk>/diagnostic/synthese/", views.synthesis_edit, name="synthesis_edit"),
    path("territoires/<int:territory_pk>/diagnostic/importer/", views.import_data, name="import_data"),
    path(
        "territoires/<int:territory_pk>/diagnostic/mes-donnees/retirer/", views.own_data_delete, name="own_data_delete"
    ),
    path("territoires/<int:territory_pk>/diagnostic/lieux.csv", views.places_export, name="places_export"),
    path("diagnostic/imports/<int:importrun_pk>/", views.import_status, name="import_status"),
    path("diagnostic/imports/<int:importrun_pk>/reessayer/", views.import_retry, name="import_retry"),
]
