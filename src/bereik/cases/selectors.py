"""Reads of residents and cases, always scoped to what the user may see."""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bereik.accounts.access import scope
from bereik.accounts.roles import Permission

from .models import Case
from .results import EndResult
from .workflow import CaseState


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


# --- the case timeline -------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEvent:
    """One line of a case's timeline. ``category`` is signal, transition, attempt, message,
    handover or appointment (templates style by it)."""

    at: dt.datetime
    category: str
    title: str
    detail: str = ""
    actor: str = ""


TimelineSource = Callable[[Case], Iterable[TimelineEvent]]
_TIMELINE_SOURCES: list[TimelineSource] = []


def register_timeline_source(source: TimelineSource) -> None:
    """Apps that hold a case's history (attempts, messages, handovers) add it from ``ready``."""
    if source not in _TIMELINE_SOURCES:
        _TIMELINE_SOURCES.append(source)


def _actor(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def case_timeline(case: Case) -> list[TimelineEvent]:
    """Signals, state changes and every registered app's events of one case, oldest first.
    The caller has checked access to the case (and audits the read)."""
    events = [
        TimelineEvent(
            at=timezone.make_aware(dt.datetime.combine(signal.signal_date, dt.time.min)),
            category="signal",
            title=_("Signal from %(partner)s")
            % {"partner": signal.partner_name or signal.get_partner_type_display()},
            detail=f"€ {signal.amount}" + (f" · {_('crisis signal')}" if signal.is_crisis else ""),
        )
        for signal in case.signals.all()
    ]
    for step in case.transitions.select_related("actor"):
        result = EndResult(step.end_result).label if step.end_result in EndResult.values else ""
        events.append(
            TimelineEvent(
                at=step.occurred_at,
                category="transition",
                title=f"{CaseState(step.from_state).label} → {CaseState(step.to_state).label}",
                detail=" · ".join(p for p in (str(result), step.reason) if p),
                actor=_actor(step.actor),
            )
        )
    for source in _TIMELINE_SOURCES:
        events.extend(source(case))
    return sorted(events, key=lambda e: e.at)
