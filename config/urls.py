from django.contrib import admin
from django.urls import include, path

from config import views

# French error pages in the app's look (templates/400.html, 403.html, 404.html, 500.html).
handler404 = "tenancy.views.page_not_found"

urlpatterns = [
    path("sante/", views.health, name="health"),
    # The operators' back-office: staff only (tenancy/admin.py, onboarding/admin.py).
    path("admin/", admin.site.urls),
    path("", include("tenancy.urls")),
    path("", include("onboarding.urls")),
    path("", include("onboarding.legal_urls")),
    path("", include("territories.urls")),
    path("", include("roadmap.urls")),
    path("", include("fiches.urls")),
    path("", include("adoption.urls")),
    path("", include("documents.urls")),
    path("", include("projectgroup.urls")),
    path("", include("diagnostics.urls")),
    path("", include("workshops.urls")),
    path("", include("chantiers.urls")),
    path("", include("resourcemaps.urls")),
    path("", include("inspiration.urls")),
    path("", include("evaluation.urls")),
    path("", include("questionnaires.urls")),
]
