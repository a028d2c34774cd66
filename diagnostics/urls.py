from django.urls import path

from diagnostics import views

app_name = "diagnostics"

urlpatterns = [
    path("territoires/<int:territory_pk>/diagnostic/", views.territory_diagnostic, name="territory"),
    path("territoires/<int:territory_pk>/diagnostic/carte/", views.territory_map, name="territory_map"),
    path("territoires/<int:territory_pk>/diagnostic/image/", views.territory_map_image, name="territory_map_image"),
    path("territoires/<int:territory_pk>/diagnostic/synthese/", views.synthesis_edit, name="synthesis_edit"),
    path("territoires/<int:territory_pk>/diagnostic/importer/", views.import_data, name="import_data"),
]
