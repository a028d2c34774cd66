from django.urls import path

from resourcemaps import views

app_name = "resourcemaps"

roadmap = "feuilles-de-route/<int:roadmap_pk>"
chantier = "cartographies/chantiers/<int:chantier_pk>"
resource = "cartographies/ressources/<int:resource_pk>"
session = "cartographies/rotations/<int:rotationsession_pk>"

urlpatterns = [
    path(f"{roadmap}/cartographies/", views.index, name="index"),
    path(f"{chantier}/", views.map_page, name="map"),
    path(f"{chantier}/carte.svg", views.map_svg, name="map_svg"),
    path(f"{chantier}/kumu.zip", views.map_kumu, name="map_kumu"),
    path(f"{chantier}/pdf/", views.map_pdf, name="map_pdf"),
    path(f"{resource}/modifier/", views.resource_edit, name="resource_edit"),
    path(f"{resource}/supprimer/", views.resource_delete, name="resource_delete"),
    path(f"{resource}/placer/", views.resource_place, name="resource_place"),
    path(f"{resource}/lien/", views.resource_link, name="resource_link"),
    path(f"{roadmap}/cartographies/rotations/", views.rotation_list, name="rotations"),
    path(f"{session}/", views.rotation_page, name="rotation"),
    path(f"{session}/version/", views.rotation_version, name="rotation_version"),
    path(f"{session}/action/", views.rotation_action, name="rotation_action"),
    path("cartographies/tables/<int:rotationtable_pk>/note/", views.rotation_note, name="rotation_note"),
]
