from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkshopsConfig(AppConfig):
    name = "workshops"
    verbose_name = _("Ateliers participatifs (étape 3)")
    # The steps of the method this app serves (roadmap.steps): its progress.py contributes to them.
    method_steps = (2, 3)
