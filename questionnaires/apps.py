from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuestionnairesConfig(AppConfig):
    name = "questionnaires"
    verbose_name = _("Questionnaires (étape 7)")
    # The steps of the method this app serves (roadmap.steps): its progress.py contributes to them.
    method_steps = (7,)
