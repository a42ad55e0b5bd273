from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "bereik.intake"
    verbose_name = _("Signal intake")

    def ready(self):
        from bereik.accounts.roles import Permission
        from bereik.portal import home, navigation
        from bereik.privacy.registry import register_sweeper

        from .privacy import sweep_import_reports
        from .selectors import intake_cards

        register_sweeper("intake", sweep_import_reports)

        navigation.register(
            navigation.MenuItem(_("Import signals"), "intake:run_list", Permission.IMPORT_SIGNALS),
            navigation.MenuItem(_("Routing rules"), "intake:rules", Permission.MANAGE_RULES),
        )
        home.register(Permission.IMPORT_SIGNALS, intake_cards)
