from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    name = "tenancy"
    verbose_name = _("Organisations et accès")

    def ready(self) -> None:
        from config import system_checks  # noqa: F401  (registers the start-up checks)
