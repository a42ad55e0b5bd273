from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "bereik.api"
    verbose_name = _("REST API, tokens and webhooks")

    def ready(self):
        from bereik.cases.workflow import case_transitioned
        from bereik.privacy.registry import register_exporter, register_purger

        from . import menu  # noqa: F401  (registers the navigation item)
        from .privacy import export_api, purge_api
        from .webhooks import on_case_transitioned, on_handover_accepted

        case_transitioned.connect(on_case_transitioned, dispatch_uid="api_webhooks_case")
        try:
            from bereik.handover.signals import handover_accepted
        except ImportError:  # the handover app is optional for the API
            handover_accepted = None
        if handover_accepted is not None:
            handover_accepted.connect(on_handover_accepted, dispatch_uid="api_webhooks_handover")
        register_purger("api", purge_api)
        register_exporter("api", export_api)
