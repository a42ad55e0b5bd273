"""Reads of residents and cases, always scoped to what the user may see."""

from django.db.models import Count, QuerySet

from bereik.accounts.access import scope
from bereik.accounts.roles import Permission

from .models import Case


def cases_for(user) -> QuerySet[Case]:
    return (
        scope(Case.objects.all(), user, Permission.VIEW_RESIDENT)
        .select_related("resident", "municipality")
        .annotate(signal_count=Count("signals"))
        .order_by("-matching_period", "-is_crisis", "pk")
    )


def open_case_cards(user) -> list:
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    from bereik.portal.home import Card

    from .workflow import CaseState

    open_cases = cases_for(user).exclude(state=CaseState.CLOSED).count()
    return [Card(_("Open cases"), open_cases, reverse("cases:list"), _("View cases"))]
