from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "bereik.accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self):
        from bereik.portal import home, navigation

        from .roles import Permission
        from .start_page import active_users_card

        navigation.register(
            navigation.MenuItem(_("Users"), "user_admin:list", Permission.MANAGE_USERS)
        )
        home.register(Permission.MANAGE_USERS, active_users_card)
