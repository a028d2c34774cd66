from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class RoadmapConfig(AppConfig):
    name = "roadmap"
    verbose_name = _("Feuille de route (colonne vertébrale)")
    # The spine reports on every step what its own rows say (communes, enjeux, chantiers, défis, actions).
    method_steps = (1, 2, 3, 4, 5, 6, 7)

    def ready(self) -> None:
        # Each app's progress.py registers its step contributors (roadmap.steps); the spine imports none by name.
        autodiscover_modules("progress")
