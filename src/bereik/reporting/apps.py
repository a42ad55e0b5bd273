from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "bereik.reporting"
    verbose_name = _("Reporting: dashboard, monthly report and DDAS delivery")

    def ready(self):
        from . import menu  # noqa: F401  (registers navigation and start-page cards)
