from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReachConfig(AppConfig):
    name = "bereik.reach"
    verbose_name = _("Reach: call simulator and adaptive scheduling")

    def ready(self):
        from . import menu  # noqa: F401  (registers the planner in the navigation)
