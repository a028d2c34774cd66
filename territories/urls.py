from django.urls import path

from territories import views

app_name = "territories"

urlpatterns = [
    path("territoires/", views.territory_list, name="territory_list"),
    path("territoires/nouveau/", views.territory_create, name="territory_create"),
    path("territoires/<int:territory_pk>/", views.territory_detail, name="territory_detail"),
    path("territoires/<int:territory_pk>/modifier/", views.territory_edit, name="territory_edit"),
    path("territoires/<int:territory_pk>/supprimer/", views.territory_delete, name="territory_delete"),
]
