"""What the accounts app contributes to the start page."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bereik.portal.home import Card

from .selectors import count_active_users


def active_users_card(user) -> list[Card]:
    return [
        Card(
            title=_("Active users"),
            figure=count_active_users(user),
            url=reverse("user_admin:list") + "?status=active",
            link_label=_("Manage users"),
        )
    ]
