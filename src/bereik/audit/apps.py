from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "bereik.audit"
    verbose_name = _("Audit trail")

    def ready(self):
        from . import menu

        menu.register()
