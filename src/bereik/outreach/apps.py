from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "bereik.outreach"
    verbose_name = _("Outreach: campaigns, call queue and contact attempts")

    def ready(self):
        from bereik.cases.workflow import case_urgency_raised
        from bereik.privacy.registry import register_exporter, register_purger

        from . import menu  # noqa: F401  (registers navigation and start-page cards)
        from .privacy import export_outreach, purge_outreach
        from .services import on_case_urgency_raised

        register_purger("outreach", purge_outreach)
        register_exporter("outreach", export_outreach)
        case_urgency_raised.connect(on_case_urgency_raised, dispatch_uid="queue_urgency")
