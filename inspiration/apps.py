from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspirationConfig(AppConfig):
    name = "inspiration"
    verbose_name = _("S'inspirer (étape 5)")
