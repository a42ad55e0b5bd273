"""A small hand-built dataset with known answers (see ``known_dataset``), shared by the reporting
tests."""

import datetime as dt
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from bereik.cases.models import PartnerType, PhoneNumber
from bereik.cases.results import EndResult
from bereik.cases.workflow import CaseTransition
from bereik.intake.models import EnrichmentBatch, EnrichmentRequest
from bereik.outreach.models import ContactAttempt
from bereik.reporting.models import ReportSettings
from tests.factories import (
    CampaignFactory,
    CaseFactory,
    ContactAttemptFactory,
    PhoneNumberFactory,
    QueueEntryFactory,
    SignalFactory,
)

DATA = Path(__file__).parent / "data"
AMS = ZoneInfo("Europe/Amsterdam")
PERIOD = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))


@pytest.fixture(autouse=True)
def dutch():
    with translation.override("nl"):
        yield


def at(day: int, hour: int) -> dt.datetime:
    """A local (Amsterdam) moment in October 2026."""
    return dt.datetime(2026, 10, day, hour, 0, tzinfo=AMS)


def _path(case, *states, at_moment=None, end_result=""):
    previous = "new"
    for state in states:
        CaseTransition.objects.create(
            case=case,
            from_state=previous,
            to_state=state,
            end_result=end_result if state == "closed" else "",
            occurred_at=at_moment or at(3, 9),
        )
        previous = state


def build_dataset(municipality, *, label_prefix=""):
    """Nine cases matched on 3 October 2026 (see tests/reporting/test_figures.py for the
    expected figures)."""
    campaign = CampaignFactory(municipality=municipality)

    def callable_case(**fields):
        entry = QueueEntryFactory(
            campaign=campaign,
            case=CaseFactory(municipality=municipality, state="call_queue", **fields),
        )
        _path(entry.case, "call_queue")
        return entry.case

    def signal(case, partner_type, partner_name, **fields):
        return SignalFactory(
            case=case,
            partner_type=partner_type,
            partner_name=label_prefix + partner_name,
            **fields,
        )

    def attempt(case, code, moment, **fields):
        return ContactAttemptFactory(
            case=case, campaign=campaign, outcome_code=code, occurred_at=moment, **fields
        )

    numbers = iter(range(10_000_000, 99_999_999))

    def number(case, source=PhoneNumber.Source.SIGNAL):
        """Another number of the case's resident (a callable case has one from its signal)."""
        n = next(numbers)
        return PhoneNumberFactory(
            resident=case.resident, raw=f"06{n}", e164=f"+316{n}", source=source
        )

    def delivered(case):
        return case.resident.phone_numbers.get(e164="+31612345678")

    # c1: two signals, no answer then reached with a help request, handed over, closed.
    c1 = callable_case()
    signal(c1, PartnerType.ENERGIE, "Eneco")
    signal(c1, PartnerType.ZORG, "CZ")
    n1 = delivered(c1)
    attempt(c1, "geen_gehoor", at(5, 10), phone_number=n1)
    attempt(
        c1,
        "bereikt",
        at(5, 19),
        help_requested=True,
        preferred_contact_time="ochtend",
        phone_number=n1,
    )
    CaseTransition.objects.create(
        case=c1, from_state="call_queue", to_state="reached_help", occurred_at=at(5, 19)
    )
    CaseTransition.objects.create(
        case=c1, from_state="reached_help", to_state="handed_over", occurred_at=at(8, 12)
    )
    CaseTransition.objects.create(
        case=c1,
        from_state="handed_over",
        to_state="closed",
        end_result=EndResult.FINANCIAL_FOLLOW_UP,
        occurred_at=at(20, 12),
    )
    c1.state, c1.end_result = "closed", EndResult.FINANCIAL_FOLLOW_UP
    c1.save()
    # c2: reached at once, no help (paid).
    c2 = callable_case()
    signal(c2, PartnerType.ZORG, "CZ")
    number(c2, source=PhoneNumber.Source.ENRICHMENT)  # found by enrichment: not CZ's
    attempt(
        c2,
        "bereikt",
        at(6, 14),
        phone_number=delivered(c2),
        help_requested=False,
        no_help_reason=ContactAttempt.NoHelpReason.PAID_OR_ARRANGED,
    )
    # c3: wrong person.
    c3 = callable_case()
    signal(c3, PartnerType.HUUR, "Woonstad")
    attempt(c3, "verkeerd_persoon", at(6, 10), phone_number=delivered(c3))
    # c4: a crisis signal, no answer twice (first attempt 4 working days after the signal).
    c4 = callable_case(is_crisis=True)
    signal(c4, PartnerType.HUUR, "Woonstad", is_crisis=True)
    n4 = delivered(c4)
    number(c4)  # a second number of the partner, not tried yet
    attempt(c4, "geen_gehoor", at(7, 10), phone_number=n4)
    attempt(c4, "voicemail", at(10, 11), phone_number=n4)
    # c5: callable, never called yet.
    c5 = callable_case()
    signal(c5, PartnerType.ENERGIE, "Eneco")
    # c6: not picked up (below the minimum amount).
    c6 = CaseFactory(
        municipality=municipality,
        state="closed",
        end_result=EndResult.NOT_PICKED_UP_UNJUSTIFIED,
    )
    _path(c6, "not_picked_up", "closed", end_result=EndResult.NOT_PICKED_UP_UNJUSTIFIED)
    signal(c6, PartnerType.ZORG, "CZ", amount=Decimal("40.00"))
    # c7: crisis, reached (cannot talk now) on an inbound call one working day after the signal.
    c7 = callable_case(is_crisis=True)
    signal(c7, PartnerType.WATER, "Vitens", is_crisis=True, signal_date=dt.date(2026, 10, 2))
    attempt(
        c7,
        "niet_beschikbaar",
        at(5, 14),
        direction=ContactAttempt.Direction.INBOUND,
        phone_number=delivered(c7),
    )
    # c8: enriched, number found, in the call queue, not called yet.
    batch = EnrichmentBatch.objects.create(municipality=municipality, case_count=2, found_count=1)
    c8 = CaseFactory(municipality=municipality, state="call_queue")
    QueueEntryFactory(campaign=campaign, case=c8)
    _path(c8, "enrichment", "call_queue")
    PhoneNumber.objects.filter(resident=c8.resident).update(source=PhoneNumber.Source.ENRICHMENT)
    signal(c8, PartnerType.ENERGIE, "Eneco")
    EnrichmentRequest.objects.create(batch=batch, case=c8, found=True)
    # c9: enriched, no number found: letter or home visit.
    c9 = CaseFactory(municipality=municipality, state="letter_or_visit")
    _path(c9, "enrichment", "letter_or_visit")
    signal(c9, PartnerType.ENERGIE, "Eneco")
    EnrichmentRequest.objects.create(batch=batch, case=c9, found=False)
    ReportSettings.objects.update_or_create(
        municipality=municipality,
        defaults={"price_per_callable_record": Decimal("2.50"), "monthly_fee": Decimal("10")},
    )
    return {"campaign": campaign, "cases": [c1, c2, c3, c4, c5, c6, c7, c8, c9]}


@pytest.fixture
def known_dataset(municipality):
    return build_dataset(municipality)
