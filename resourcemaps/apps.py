from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcemapsConfig(AppConfig):
    name = "resourcemaps"
    verbose_name = _("Cartographies des ressources (étape 4)")
    # The steps of the method this app serves (roadmap.steps): its progress.py contributes to them.
    method_steps = (4,)
