"""Navigation item and start-page card of reporting."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bereik.accounts.access import access_for
from bereik.accounts.roles import Permission
from bereik.portal import home, navigation

from .figures import month_bounds, reach_summary

navigation.register(
    navigation.MenuItem(_("Reports"), "reporting:dashboard", Permission.VIEW_REPORTS),
)


def _report_cards(user) -> list[home.Card]:
    today = timezone.localdate()
    start, end = month_bounds(today.year, today.month)
    ids = sorted(access_for(user).municipality_ids(Permission.VIEW_REPORTS))
    if not ids:
        return []
    reach = reach_summary(municipality_ids=ids, period_start=start, period_end=end)
    figure = "–" if reach["reach"] is None else f"{round(reach['reach'] * 100)}%"
    return [
        home.Card(
            title=_("Reach this month"),
            figure=figure,
            url=reverse("reporting:dashboard"),
            link_label=_("Open the dashboard"),
        )
    ]


home.register(Permission.VIEW_REPORTS, _report_cards)
