from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandoverConfig(AppConfig):
    name = "bereik.handover"
    verbose_name = _("Warm handover and shared agenda")

    def ready(self):
        from bereik.cases.workflow import case_transitioned
        from bereik.privacy.registry import register_exporter, register_purger

        from . import menu  # noqa: F401  (registers navigation and start-page cards)
        from .privacy import export_handover, purge_handover
        from .services import on_case_transitioned
        from .timeline import register_timeline

        register_purger("handover", purge_handover)
        register_exporter("handover", export_handover)
        case_transitioned.connect(on_case_transitioned, dispatch_uid="handover_for_queued_case")
        register_timeline()
