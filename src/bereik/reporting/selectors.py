"""Reads for the reporting pages: which municipalities, campaigns, agents and partner labels a
user may filter on. Everything is scoped to the municipalities where the user may see reports.

Also the one definition of "wrong numbers per partner label" (seed 001's data-quality table),
used by the dashboard and by the lifecycle app's partner feedback."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from bereik.accounts.access import access_for
from bereik.accounts.models import Organisation, ServiceAgreement, User
from bereik.accounts.roles import OrganisationKind, Permission, Role
from bereik.cases.models import PhoneNumber, Signal
from bereik.outreach.models import Campaign, ContactAttempt


def report_municipalities(user, permission: Permission = Permission.VIEW_REPORTS):
    ids = access_for(user).municipality_ids(permission)
    return list(
        Organisation.objects.filter(pk__in=ids, kind=OrganisationKind.MUNICIPALITY).order_by("name")
    )


def chosen_municipalities(user, raw_id, permission: Permission = Permission.VIEW_REPORTS):
    """The municipalities a page reports on: the one asked for (404 when the user may not see
    it or it does not exist) or, without a choice, all the user may see."""
    municipalities = report_municipalities(user, permission)
    if raw_id in (None, ""):
        return municipalities, municipalities[0] if len(municipalities) == 1 else None
    try:
        wanted = int(raw_id)
    except (TypeError, ValueError):
        raise Http404 from None
    for municipality in municipalities:
        if municipality.pk == wanted:
            return [municipality], municipality
    raise Http404


def campaigns_in(municipality_ids):
    return list(
        Campaign.objects.filter(municipality_id__in=municipality_ids)
        .select_related("municipality")
        .order_by("municipality__name", "-starts_on", "name")
    )


def agents_in(municipality_ids):
    """Agents and supervisors of the municipalities and of their contact centres."""
    provider_ids = ServiceAgreement.objects.filter(municipality_id__in=municipality_ids).values(
        "provider_id"
    )
    return list(
        User.objects.filter(
            Q(memberships__organisation_id__in=municipality_ids)
            | Q(memberships__organisation_id__in=provider_ids),
            memberships__role__in=[Role.AGENT, Role.SUPERVISOR],
            memberships__is_active=True,
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def partner_labels(municipality_ids, period_start, period_end) -> list[str]:
    return list(
        Signal.objects.filter(
            municipality_id__in=municipality_ids,
            signal_date__gte=period_start,
            signal_date__lte=period_end,
        )
        .exclude(partner_name="")
        .values_list("partner_name", flat=True)
        .distinct()
        .order_by("partner_name")[:500]
    )


# At most this many ids are passed as a list in one query (SQLite allows 999 parameters in old
# versions, PostgreSQL 65,535).
MAX_LISTED_IDS = {"sqlite": 900, "postgresql": 20_000}


def partner_label(signal_source: str, partner_name: str) -> str:
    """The label a signal is reported under: its partner's name, else the source it came from."""
    return partner_name or signal_source


@dataclass(frozen=True)
class WrongNumbers:
    """One row of the data-quality table: a partner label, the phone numbers it delivered and
    how many of those turned out wrong."""

    label: str
    delivered: int
    wrong: int

    @property
    def percentage(self) -> Decimal:
        if not self.delivered:
            return Decimal("0.0")
        return (Decimal(100) * self.wrong / self.delivered).quantize(Decimal("0.1"))


def delivered_numbers(
    signals: QuerySet[Signal], *fields: str
) -> tuple[dict[tuple, set[int]], set[int]]:
    """The phone numbers each partner label delivered with ``signals``, and which turned out wrong.

    Delivered: the numbers of the signals' residents that came with a signal (source "signal";
    numbers found by enrichment are not the partner's). The intake keeps numbers per resident,
    not per signal row, so a number of a resident with signals of two labels counts for both.
    Wrong: an attempt on the number got an outcome that retires it (wrong person, not in
    service; ``OutcomeCode.retire_number``), whenever that was.

    Returns ``{(label, *fields): {number ids}}`` (every label of the signals, also those without
    numbers) and the set of wrong number ids. ``fields`` are extra values of the signal rows to
    split by (the rollup splits by the case's month)."""
    keys_of: dict[int, set[tuple]] = defaultdict(set)
    for resident_id, source, name, *extra in signals.values_list(
        "resident_id", "source", "partner_name", *fields
    ):
        keys_of[resident_id].add((partner_label(source, name), *extra))
    by_key: dict[tuple, set[int]] = {key: set() for keys in keys_of.values() for key in keys}
    if not keys_of:
        return by_key, set()
    # The residents as a list when short (a nested subquery plans badly under the dashboard's
    # filters), else as a subquery (a list of a national cohort would exceed the parameters).
    listed = MAX_LISTED_IDS.get(connection.vendor, MAX_LISTED_IDS["sqlite"])
    residents = (
        list(keys_of) if len(keys_of) <= listed else signals.order_by().values("resident_id")
    )
    numbers = PhoneNumber.objects.filter(
        resident_id__in=residents, source=PhoneNumber.Source.SIGNAL
    ).annotate(
        is_wrong=Exists(
            ContactAttempt.objects.filter(phone_number=OuterRef("pk"), outcome__retire_number=True)
        )
    )
    wrong = set()
    for number_id, resident_id, is_wrong in numbers.values_list("pk", "resident_id", "is_wrong"):
        for key in keys_of.get(resident_id, ()):
            by_key[key].add(number_id)
        if is_wrong:
            wrong.add(number_id)
    return by_key, wrong


def wrong_numbers(signals: QuerySet[Signal]) -> list[WrongNumbers]:
    """Per partner label of ``signals`` (sorted): numbers delivered and numbers wrong, as
    defined by ``delivered_numbers``. The caller chooses the signals (the dashboard: those of
    the cohort's cases; the partner feedback: those dated in the month)."""
    by_key, wrong = delivered_numbers(signals)
    return [
        WrongNumbers(label=label, delivered=len(ids), wrong=len(ids & wrong))
        for (label,), ids in sorted(by_key.items())
    ]
