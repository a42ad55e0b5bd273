from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "bereik.privacy"
    verbose_name = _("Privacy: retention, exports, objections and AVG requests")

    def ready(self):
        from . import menu

        menu.register()
