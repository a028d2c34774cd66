from django.urls import path

from adoption import views

app_name = "adoption"

urlpatterns = [
    path("feuilles-de-route/<int:roadmap_pk>/adoption/", views.adoption, name="adoption"),
    path("versions/<int:roadmapversion_pk>/", views.version_detail, name="version_detail"),
    path("versions/<int:roadmapversion_pk>/pdf/", views.version_pdf, name="version_pdf"),
    path("public/feuilles-de-route/<uuid:public_key>/", views.public_roadmap, name="public"),
    path("public/feuilles-de-route/<uuid:public_key>/pdf/", views.public_roadmap_pdf, name="public_pdf"),
]
