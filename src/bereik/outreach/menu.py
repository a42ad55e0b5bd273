"""Navigation items and start-page cards of outreach."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bereik.accounts.roles import Permission
from bereik.portal import home, navigation

from . import selectors

navigation.register(
    navigation.MenuItem(_("Call"), "outreach:queue", Permission.WORK_CALL_QUEUE),
    navigation.MenuItem(_("Campaigns"), "outreach:campaigns", Permission.MANAGE_CAMPAIGNS),
    navigation.MenuItem(_("Scripts and texts"), "outreach:scripts", Permission.MANAGE_RULES),
)


def _agent_cards(user) -> list[home.Card]:
    now = timezone.now()
    callbacks = selectors.my_callbacks(user, now).filter(due_at__lte=now).count()
    return [
        home.Card(
            title=_("My callbacks due"),
            figure=callbacks,
            url=reverse("outreach:queue"),
            link_label=_("Start calling"),
        )
    ]


home.register(Permission.WORK_CALL_QUEUE, _agent_cards)
