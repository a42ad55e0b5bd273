"""The privacy app's menu item and start-page card, registered with the portal."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bereik.accounts.access import access_for
from bereik.accounts.roles import Permission
from bereik.portal import home, navigation

from .selectors import cases_on_hold, managed_municipalities


def _cards(user) -> list[home.Card]:
    municipalities = list(managed_municipalities(user))
    if not municipalities:
        return []
    held = sum(cases_on_hold(municipality).count() for municipality in municipalities)
    return [
        home.Card(
            title=_("Cases under legal hold"),
            figure=held,
            url=reverse("privacy:home"),
            link_label=_("Privacy and retention"),
        )
    ]


def _admin_cards(user) -> list[home.Card]:
    # A user who is coordinator as well gets the card once, through MANAGE_RULES.
    if access_for(user).has(Permission.MANAGE_RULES):
        return []
    return _cards(user)


def register() -> None:
    navigation.register(
        navigation.MenuItem(
            label=_("Privacy"), url_name="privacy:home", permission=Permission.MANAGE_RULES
        )
    )
    home.register(Permission.MANAGE_RULES, _cards)
    home.register(Permission.MANAGE_USERS, _admin_cards)
