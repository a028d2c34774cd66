from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Documents (PDF, Word, Excel)")

    def ready(self) -> None:
        # Each app's exporters.py registers the documents it produces (documents.exporters).
        autodiscover_modules("exporters")
