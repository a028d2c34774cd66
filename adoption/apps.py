from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdoptionConfig(AppConfig):
    name = "adoption"
    verbose_name = _("Adoption, versions et page publique (étape 6)")
    # The steps of the method this app serves (roadmap.steps): its progress.py contributes to them.
    method_steps = (6,)
