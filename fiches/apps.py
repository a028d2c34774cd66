from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FichesConfig(AppConfig):
    name = "fiches"
    verbose_name = _("Fiches actions, budget et gouvernance (étape 6)")
    # The steps of the method this app serves (roadmap.steps): its progress.py contributes to them.
    method_steps = (6,)
