from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChantiersConfig(AppConfig):
    name = "chantiers"
    verbose_name = _("Chantiers et ressources (étape 4)")
    # The steps of the method this app serves (roadmap.steps): its progress.py contributes to them.
    method_steps = (4,)
