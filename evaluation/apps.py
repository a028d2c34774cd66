from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Évaluer (étape 7)")
    # The steps of the method this app serves (roadmap.steps): its progress.py contributes to them.
    method_steps = (7,)
