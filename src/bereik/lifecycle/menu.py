"""Navigation items and start-page cards of the lifecycle app."""

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from bereik.accounts.access import access_for, municipalities_for
from bereik.accounts.roles import Permission
from bereik.portal import home, navigation

from . import selectors
from .models import ClosureBatch

navigation.register(
    navigation.MenuItem(_("Month-end closure"), "lifecycle:closure", Permission.CLOSE_MONTH),
    navigation.MenuItem(_("Proposals"), "lifecycle:proposals", Permission.MANAGE_RULES),
    navigation.MenuItem(_("Partner feedback"), "lifecycle:feedback", Permission.PARTNER_FEEDBACK),
)


def _proposal_cards(user) -> list[home.Card]:
    ids = access_for(user).municipality_ids(Permission.MANAGE_RULES)
    return [
        home.Card(
            title=_("Proposals waiting for review"),
            figure=selectors.pending_proposals(ids).count(),
            url=reverse("lifecycle:proposals"),
            link_label=_("Review proposals"),
        )
    ]


def _closure_cards(user) -> list[home.Card]:
    month = selectors.last_closable_month(timezone.localdate())
    open_months = [
        municipality
        for municipality in municipalities_for(user, Permission.CLOSE_MONTH)
        if not ClosureBatch.objects.filter(
            municipality=municipality, month=month, undone_at__isnull=True
        ).exists()
    ]
    if not open_months:
        return []
    return [
        home.Card(
            title=_("Not yet closed: %(month)s") % {"month": formats.date_format(month, "F Y")},
            figure=len(open_months),
            url=f"{reverse('lifecycle:closure')}?gemeente={open_months[0].pk}",
            link_label=_("Go to the month-end closure"),
        )
    ]


home.register(Permission.MANAGE_RULES, _proposal_cards)
home.register(Permission.CLOSE_MONTH, _closure_cards)
