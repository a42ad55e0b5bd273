from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "bereik.cases"
    verbose_name = _("Residents, signals and cases")

    def ready(self):
        from bereik.accounts.roles import Permission
        from bereik.portal import home, navigation

        from .selectors import open_case_cards

        navigation.register(navigation.MenuItem(_("Cases"), "cases:list", Permission.VIEW_RESIDENT))
        home.register(Permission.VIEW_RESIDENT, open_case_cards)
