"""Reads of the privacy app: who may manage privacy where, retention terms, objections, legal
holds, purge runs, and which cases are due for the purge.

Privacy is managed per municipality by its coordinators (``MANAGE_RULES``) and by the functional
administrators of the municipality itself (not those of a contact centre, which is a processor).
"""

import calendar
import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from bereik.accounts.access import access_for
from bereik.accounts.models import Organisation
from bereik.accounts.roles import OrganisationKind, Permission
from bereik.cases.models import Case
from bereik.cases.workflow import CaseState, CaseTransition

from .models import (
    DEFAULT_TERMS,
    LegalHold,
    Objection,
    PurgedCase,
    PurgeRun,
    RetentionCategory,
    RetentionTerm,
)

# --- who may manage privacy -------------------------------------------------------------------


def privacy_municipality_ids(user) -> set[int]:
    """Municipalities whose retention, holds, objections, exports and inzage the user manages."""
    access = access_for(user)
    ids = set(access.municipality_ids(Permission.MANAGE_RULES))
    ids |= {
        organisation.pk
        for organisation in access.organisations_with(Permission.MANAGE_USERS)
        if organisation.kind == OrganisationKind.MUNICIPALITY
    }
    return ids


def can_manage_privacy(user, municipality_id: int | None = None) -> bool:
    ids = privacy_municipality_ids(user)
    return bool(ids) if municipality_id is None else municipality_id in ids


def get_managed(user, queryset: QuerySet, *, via: str = "municipality", **lookup):
    """One object of a municipality the user manages privacy for: 403 without that right
    anywhere, 404 outside the user's municipalities (guessing an id reveals nothing)."""
    ids = privacy_municipality_ids(user)
    if not ids:
        raise PermissionDenied
    try:
        key = f"{via}_id__in" if via else "pk__in"
        return queryset.filter(**{key: ids}).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None


def managed_municipalities(user) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        pk__in=privacy_municipality_ids(user), kind=OrganisationKind.MUNICIPALITY
    ).order_by("name")


def get_municipality(user, pk: int) -> Organisation:
    return get_managed(
        user, Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY), via="", pk=pk
    )


# --- retention terms --------------------------------------------------------------------------


def retention_terms(municipality) -> dict[str, int]:
    """Months per retention category: the municipality's own terms, else the defaults."""
    terms = dict(DEFAULT_TERMS)
    terms.update(
        RetentionTerm.objects.filter(municipality=municipality).values_list("category", "months")
    )
    return terms


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (or earlier when negative), clamped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


# --- objections and legal holds ---------------------------------------------------------------


def active_objection(resident) -> Objection | None:
    return Objection.objects.filter(resident=resident, withdrawn_at__isnull=True).first()


def has_objection(resident) -> bool:
    """Whether the resident objects to being contacted (call queue, SMS, e-mail)."""
    resident_id = resident if isinstance(resident, int) else resident.pk
    return Objection.objects.filter(resident_id=resident_id, withdrawn_at__isnull=True).exists()


def residents_with_objection(resident_ids: Iterable[int]) -> set[int]:
    """Of these residents, the ids of those who object to being contacted."""
    return set(
        Objection.objects.filter(
            resident_id__in=list(resident_ids), withdrawn_at__isnull=True
        ).values_list("resident_id", flat=True)
    )


def objections_of(resident) -> QuerySet[Objection]:
    return Objection.objects.filter(resident=resident).select_related("recorded_by", "withdrawn_by")


def active_legal_hold(case) -> LegalHold | None:
    return LegalHold.objects.filter(case=case, lifted_at__isnull=True).first()


def legal_holds_of(case) -> QuerySet[LegalHold]:
    return LegalHold.objects.filter(case=case).select_related("placed_by", "lifted_by")


def cases_on_hold(municipality) -> QuerySet[LegalHold]:
    return (
        LegalHold.objects.filter(municipality=municipality, lifted_at__isnull=True)
        .select_related("case", "placed_by")
        .order_by("placed_at")
    )


def active_objections(municipality) -> QuerySet[Objection]:
    return (
        Objection.objects.filter(municipality=municipality, withdrawn_at__isnull=True)
        .select_related("resident", "recorded_by")
        .order_by("-received_on")
    )


# --- purge runs -------------------------------------------------------------------------------


def purge_runs(municipality) -> QuerySet[PurgeRun]:
    return PurgeRun.objects.filter(municipality=municipality)


# --- what is due for the purge ----------------------------------------------------------------

_FOLLOW_UP_STATES = (CaseState.HANDED_OVER, CaseState.FOLLOW_UP)
# A case that never entered a state outside these was never picked up.
_UNWORKED_STATES = (CaseState.NEW, CaseState.NOT_PICKED_UP, CaseState.CLOSED)


@dataclass
class PurgePlan:
    """The cases of one municipality past their term on ``today``, and those held back."""

    municipality: Organisation
    today: datetime.date
    terms: dict[str, int]
    due: list[tuple[int, str]] = field(default_factory=list)  # (case id, retention category)
    held: list[int] = field(default_factory=list)  # past their term, but under a legal hold

    def by_category(self) -> dict[str, int]:
        counts = dict.fromkeys(RetentionCategory.values, 0)
        for _, category in self.due:
            counts[category] += 1
        return counts


def retention_category(*, follow_up: bool, worked: bool, picked_up_on) -> str:
    if follow_up:
        return RetentionCategory.FOLLOW_UP
    if worked or picked_up_on is not None:
        return RetentionCategory.PICKED_UP
    return RetentionCategory.NOT_PICKED_UP


def term_start(*, state: str, closed_at, updated_at, matched_on) -> datetime.date:
    """The date a case's retention term runs from (``docs/privacy.md``)."""
    if state == CaseState.CLOSED:
        return timezone.localdate(closed_at or updated_at)
    return matched_on  # still "not picked up", never closed: from the matching date


def purge_plan(municipality, today: datetime.date) -> PurgePlan:
    """Closed (and never picked-up) cases whose retention term has passed on ``today``."""
    terms = retention_terms(municipality)
    transitions = CaseTransition.objects.filter(case=OuterRef("pk"))
    candidates = (
        Case.objects.filter(
            municipality=municipality, state__in=(CaseState.CLOSED, CaseState.NOT_PICKED_UP)
        )
        .exclude(Exists(PurgedCase.objects.filter(case=OuterRef("pk"))))
        .annotate(
            closed_at=Subquery(
                transitions.filter(to_state=CaseState.CLOSED)
                .order_by("-occurred_at", "-pk")
                .values("occurred_at")[:1]
            ),
            follow_up=Exists(transitions.filter(to_state__in=_FOLLOW_UP_STATES)),
            worked=Exists(transitions.exclude(to_state__in=_UNWORKED_STATES)),
        )
        .order_by("pk")
        .values_list(
            "pk",
            "state",
            "closed_at",
            "updated_at",
            "matched_on",
            "picked_up_on",
            "follow_up",
            "worked",
        )
    )
    past_term: list[tuple[int, str]] = []
    for (
        pk,
        state,
        closed_at,
        updated_at,
        matched_on,
        picked_up_on,
        follow_up,
        worked,
    ) in candidates.iterator(chunk_size=2000):
        category = retention_category(follow_up=follow_up, worked=worked, picked_up_on=picked_up_on)
        start = term_start(
            state=state, closed_at=closed_at, updated_at=updated_at, matched_on=matched_on
        )
        if add_months(start, terms[category]) <= today:
            past_term.append((pk, category))
    held = held_case_ids([pk for pk, _ in past_term])
    return PurgePlan(
        municipality=municipality,
        today=today,
        terms=terms,
        due=[(pk, category) for pk, category in past_term if pk not in held],
        held=sorted(held),
    )


def held_case_ids(case_ids: list[int]) -> set[int]:
    held: set[int] = set()
    for start in range(0, len(case_ids), 2000):
        held.update(
            LegalHold.objects.filter(
                case_id__in=case_ids[start : start + 2000], lifted_at__isnull=True
            ).values_list("case_id", flat=True)
        )
    return held


# --- anonymous remnants -----------------------------------------------------------------------

_AGE_BANDS = (
    (18, "<18"),
    (25, "18-24"),
    (35, "25-34"),
    (45, "35-44"),
    (55, "45-54"),
    (65, "55-64"),
)
_POSTCODE_DIGITS = re.compile(r"^(\d{4})")


def age_band(birth_date: datetime.date | None, on: datetime.date) -> str:
    if birth_date is None:
        return ""
    age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    for limit, band in _AGE_BANDS:
        if age < limit:
            return band
    return "65+"


def postcode_area(postcode: str) -> str:
    match = _POSTCODE_DIGITS.match((postcode or "").strip())
    return match.group(1) if match else ""
