"""Reads for the planner, scoped to the municipalities where the user may plan.

Planning is for supervisors (``MANAGE_CAMPAIGNS``) and coordinators (``VIEW_REPORTS``): a user may
plan for every municipality where they hold either. Only counts are read, never personal data.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from bereik.accounts.access import access_for
from bereik.accounts.models import Organisation
from bereik.accounts.roles import Permission
from bereik.outreach.models import ContactAttempt
from bereik.outreach.scheduling import DayPart

from .planner import Cell, ObservedRates

PLANNER_PERMISSIONS = (Permission.VIEW_REPORTS, Permission.MANAGE_CAMPAIGNS)


def planner_municipality_ids(user) -> set[int]:
    access = access_for(user)
    return set().union(*(access.municipality_ids(p) for p in PLANNER_PERMISSIONS))


def may_plan(user) -> bool:
    return bool(planner_municipality_ids(user))


def require_planner(user) -> None:
    """Raise 403 unless the user may plan for some municipality."""
    if not may_plan(user):
        raise PermissionDenied


def planner_municipalities(user) -> QuerySet:
    return Organisation.objects.filter(pk__in=planner_municipality_ids(user)).order_by("name")


def planner_municipality(user, pk) -> Organisation:
    """The municipality with this id if the user may plan for it: 403 for a user who may plan
    nowhere, 404 for any other municipality (guessing an id reveals nothing)."""
    require_planner(user)
    try:
        return planner_municipalities(user).get(pk=int(pk))
    except (ValueError, TypeError, Organisation.DoesNotExist):
        raise Http404 from None


def observed_rates(user, municipality_id: int) -> ObservedRates:
    """Completed outbound phone attempts of one municipality by attempt number and day-part.

    The attempt number is the attempt's place among its case's outbound phone attempts with an
    outcome code (1 = first); a contact is an outcome with right-party contact.
    """
    attempts = (
        ContactAttempt.objects.filter(municipality_id__in=planner_municipality_ids(user))
        .filter(
            municipality_id=municipality_id,
            kind=ContactAttempt.Kind.PHONE,
            direction=ContactAttempt.Direction.OUTBOUND,
            outcome__isnull=False,
        )
        .order_by("case_id", "occurred_at", "pk")
        .values_list("case_id", "day_part", "outcome__right_party_contact")
    )
    counts: dict[tuple[int, DayPart], list[int]] = {}
    case_id, number = None, 0
    for row_case_id, day_part, contact in attempts.iterator(chunk_size=2000):
        number = number + 1 if row_case_id == case_id else 1
        case_id = row_case_id
        cell = counts.setdefault((number, DayPart(day_part)), [0, 0])
        cell[0] += 1
        cell[1] += bool(contact)
    return ObservedRates({key: Cell(n, c) for key, (n, c) in counts.items()})
