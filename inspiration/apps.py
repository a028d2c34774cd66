from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspirationConfig(AppConfig):
    name = "inspiration"
    verbose_name = _("S'inspirer (étape 5)")
    # The steps of the method this app serves (roadmap.steps): its progress.py contributes to them.
    method_steps = (5,)
