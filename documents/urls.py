from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("feuilles-de-route/<int:roadmap_pk>/documents/", views.roadmap_exports, name="exports"),
    path("documents/<int:exportjob_pk>/", views.export_status, name="export_status"),
    path("documents/<int:exportjob_pk>/relancer/", views.export_retry, name="export_retry"),
    path("documents/<int:exportjob_pk>/telecharger/", views.export_download, name="export_download"),
]
