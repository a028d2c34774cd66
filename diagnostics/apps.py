from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiagnosticsConfig(AppConfig):
    name = "diagnostics"
    verbose_name = _("Diagnostic territorial (étape 3)")
    # The steps of the method this app serves (roadmap.steps): its progress.py contributes to them.
    method_steps = (3,)
