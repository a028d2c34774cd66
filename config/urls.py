from django.urls import include, path

from config import views

urlpatterns = [
    path("sante/", views.health, name="health"),
    path("", include("tenancy.urls")),
    path("", include("territories.urls")),
    path("", include("roadmap.urls")),
    path("", include("fiches.urls")),
    path("", include("adoption.urls")),
    path("", include("documents.urls")),
    path("", include("projectgroup.urls")),
    path("", include("diagnostics.urls")),
    path("", include("workshops.urls")),
    path("", include("chantiers.urls")),
    path("", include("inspiration.urls")),
    path("", include("evaluation.urls")),
]
