from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "bereik.reporting"
    verbose_name = _("Reporting: dashboard, monthly report and DDAS delivery")

    def ready(self):
        from bereik.cases.workflow import case_transitioned

        from . import menu  # noqa: F401  (registers navigation and start-page cards)
        from .services import on_case_transitioned

        case_transitioned.connect(on_case_transitioned, dispatch_uid="reporting_figures_refresh")
