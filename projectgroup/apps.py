from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectgroupConfig(AppConfig):
    name = "projectgroup"
    verbose_name = _("Organiser la démarche (étapes 1 et 2)")
