from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LifecycleConfig(AppConfig):
    name = "bereik.lifecycle"
    verbose_name = _("Case lifecycle: month-end closure, re-approach and partner feedback")

    def ready(self):
        from bereik.privacy.registry import register_exporter, register_purger

        from . import menu  # noqa: F401  (registers navigation and start-page cards)
        from .privacy import export_lifecycle, purge_lifecycle

        register_purger("lifecycle", purge_lifecycle)
        register_exporter("lifecycle", export_lifecycle)
