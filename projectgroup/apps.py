from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectgroupConfig(AppConfig):
    name = "projectgroup"
    verbose_name = _("Organiser la démarche (étapes 1 et 2)")
    # The steps of the method this app serves (roadmap.steps): its progress.py contributes to them.
    method_steps = (1, 2)
