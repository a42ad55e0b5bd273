"""The audit trail's start-page card and menu item, registered with the portal."""

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from bereik.accounts.roles import Permission
from bereik.portal import home, navigation

from .selectors import entries_today


def cards(user) -> list[home.Card]:
    today = timezone.localdate().isoformat()
    url = f"{reverse('audit:list')}?{urlencode({'date_from': today, 'date_to': today})}"
    return [
        home.Card(
            title=_("Audit entries today"),
            figure=entries_today(user).count(),
            url=url,
            link_label=_("Browse the audit trail"),
        )
    ]


def register() -> None:
    navigation.register(
        navigation.MenuItem(
            label=_("Audit trail"), url_name="audit:list", permission=Permission.VIEW_AUDIT
        )
    )
    home.register(Permission.VIEW_AUDIT, cards)
