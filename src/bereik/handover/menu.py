"""Navigation items and start-page cards of the warm handover and the shared agenda."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bereik.accounts.roles import Permission
from bereik.portal import home, navigation

from . import selectors

navigation.register(
    navigation.MenuItem(_("Handovers"), "handover:queue", Permission.HANDLE_HANDOVERS),
    navigation.MenuItem(_("Agenda"), "handover:agenda", Permission.HANDLE_HANDOVERS),
    navigation.MenuItem(_("Unhandled handovers"), "handover:coordination", Permission.MANAGE_RULES),
)


def _social_worker_cards(user) -> list[home.Card]:
    figures = selectors.counts(user, timezone.now())
    return [
        home.Card(
            title=_("Open handovers"),
            figure=figures["open"],
            url=reverse("handover:queue"),
            link_label=_("To the queue"),
        ),
        home.Card(
            title=_("My appointments today"),
            figure=figures["today"],
            url=reverse("handover:agenda"),
            link_label=_("To the agenda"),
        ),
    ]


def _coordinator_cards(user) -> list[home.Card]:
    return [
        home.Card(
            title=_("Handovers without a social worker"),
            figure=selectors.unhandled_for(user).count(),
            url=reverse("handover:coordination"),
            link_label=_("Send on or close"),
        )
    ]


def _supervisor_cards(user) -> list[home.Card]:
    unrouted = selectors.unrouted_for(user, Permission.MANAGE_CAMPAIGNS).count()
    if not unrouted:
        return []
    return [
        home.Card(
            title=_("Help requests without a social-work organisation"),
            figure=unrouted,
            url=reverse("outreach:progress"),
            link_label=_("Ask the municipal coordinator to arrange one"),
        )
    ]


home.register(Permission.HANDLE_HANDOVERS, _social_worker_cards)
home.register(Permission.MANAGE_CAMPAIGNS, _supervisor_cards)
home.register(Permission.MANAGE_RULES, _coordinator_cards)
