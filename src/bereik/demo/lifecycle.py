"""Demo data for the case lifecycle: rules with their purposes, a history month before the demo
month that was closed at month end, and the proposals the rules make from it.

For a handful of residents of the demo month an earlier case (two months back) is made: some
refused help then, some were never reached. That month is closed through the real month-end
closure, some of the demo month's cases are marked as not reached or got a wrong number, and the
rules are applied: the coordinator finds proposals waiting, a closure in the history and a
wrong-number list per partner label. Idempotent: nothing is made when the rules exist.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from bereik.cases.models import Case, PhoneNumber, Signal
from bereik.cases.workflow import CaseState, transition
from bereik.lifecycle import months, services
from bereik.lifecycle.models import LifecycleRule, RuleKind
from bereik.outreach import services as outreach_services
from bereik.outreach.models import ContactAttempt, OutcomeCode
from bereik.outreach.scheduling import AMSTERDAM

RULES = [
    (
        RuleKind.RE_APPROACH_REFUSER,
        {
            "months": 3,
            "purpose": (
                "Inwoners die hulp weigerden raken we anders kwijt. Bij een nieuw signaal of na "
                "drie maanden biedt het sociaal werk opnieuw hulp aan."
            ),
        },
    ),
    (
        RuleKind.REFER_UNREACHED,
        {
            "months": 2,
            "refer_to": "Meldpunt Bezorgd",
            "purpose": (
                "Wie twee maanden op rij niet te bereiken is, kan in de problemen zitten. Het "
                "Meldpunt Bezorgd kijkt of een huisbezoek nodig is."
            ),
        },
    ),
    (
        RuleKind.REFER_GROWING_ARREARS,
        {
            "arrears_threshold": Decimal("1500.00"),
            "refer_to": "Crisisteam schulden",
            "purpose": (
                "Oplopende achterstanden na een weigering wijzen op dreigende uithuiszetting of "
                "afsluiting; het crisisteam beoordeelt of ingrijpen nodig is."
            ),
        },
    ),
]
REFUSERS = 4
UNREACHED = 3
WRONG_NUMBERS = 12


def _earlier_case(case: Case, period: dt.date, sequence: int, state: str, amount) -> Case:
    code = case.municipality.municipality_code
    earlier = Case.objects.create(
        municipality=case.municipality,
        resident=case.resident,
        reference=f"{code}-{period:%y%m}-{900000 + sequence:06d}",
        matching_period=period,
        matched_on=period + dt.timedelta(days=2),
        picked_up_on=period + dt.timedelta(days=2),
        state=state,
    )
    signal = case.signals.order_by("pk").first()
    Signal.objects.create(
        municipality=case.municipality,
        case=earlier,
        resident=case.resident,
        source=signal.source,
        external_id=f"{signal.external_id}-V" if signal.external_id else "",
        fingerprint=f"demo-lifecycle-{earlier.reference}",
        partner_type=signal.partner_type,
        partner_name=signal.partner_name,
        amount=amount,
        signal_date=period + dt.timedelta(days=1),
    )
    return earlier


def _attempt(case: Case, outcome: OutcomeCode, at: dt.datetime, number=None, **fields):
    return ContactAttempt.objects.create(
        municipality=case.municipality,
        case=case,
        kind=ContactAttempt.Kind.PHONE,
        occurred_at=at,
        day_part="avond" if at.hour >= 18 else ("middag" if at.hour >= 12 else "ochtend"),
        reached=outcome.ddas_reached,
        outcome=outcome,
        phone_number=number,
        **fields,
    )


def _tries(case: Case, outcome: OutcomeCode, period: dt.date, count: int) -> None:
    number = case.resident.phone_numbers.first()
    for day in range(count):
        at = dt.datetime.combine(
            period + dt.timedelta(days=3 + day * 2), dt.time(10 + (day % 3) * 4), AMSTERDAM
        )
        _attempt(case, outcome, at, number)


@transaction.atomic
def load_demo_lifecycle(municipality) -> int:
    """Returns the number of proposals made (0 when the demo lifecycle exists already)."""
    if LifecycleRule.objects.filter(municipality=municipality).exists():
        return 0
    outcomes = {o.code: o for o in OutcomeCode.objects.all()}
    today = timezone.localdate()
    demo_month = months.previous_month(today.replace(day=1))
    history = months.previous_month(demo_month)
    queued = list(
        Case.objects.filter(
            municipality=municipality, matching_period=demo_month, state=CaseState.CALL_QUEUE
        )
        .prefetch_related("signals")
        .order_by("pk")[: REFUSERS + UNREACHED + WRONG_NUMBERS]
    )
    if len(queued) < REFUSERS + UNREACHED:
        return 0
    refusers = queued[:REFUSERS]
    unreached = queued[REFUSERS : REFUSERS + UNREACHED]
    wrong = queued[REFUSERS + UNREACHED :]
    for sequence, case in enumerate(refusers, start=1):
        current = sum(s.amount for s in case.signals.all())
        # Two refusers' arrears grew past the threshold since.
        if sequence <= 2:
            Signal.objects.filter(case=case).update(amount=Decimal("1850.00"))
        earlier = _earlier_case(
            case, history, sequence, CaseState.REACHED_NO_HELP, (current / 2).quantize(Decimal(1))
        )
        _attempt(
            earlier,
            outcomes["bereikt"],
            dt.datetime.combine(history + dt.timedelta(days=8), dt.time(19, 10), AMSTERDAM),
            earlier.resident.phone_numbers.first(),
            help_requested=False,
            no_help_reason=ContactAttempt.NoHelpReason.NO_INTEREST,
        )
    for sequence, case in enumerate(unreached, start=REFUSERS + 1):
        earlier = _earlier_case(
            case, history, sequence, CaseState.EXHAUSTED, sum(s.amount for s in case.signals.all())
        )
        _tries(earlier, outcomes["geen_gehoor"], history, 7)
        _tries(case, outcomes["geen_gehoor"], demo_month, 7)
        outreach_services.withdraw_from_queue([case.pk], timezone.now())
        transition(case, CaseState.EXHAUSTED, reason="demo: pogingen op")
    for index, case in enumerate(wrong):
        number = case.resident.phone_numbers.filter(source=PhoneNumber.Source.SIGNAL).first()
        if number is None:
            continue
        code = "verkeerd_persoon" if index % 2 else "informatietoon"
        at = dt.datetime.combine(demo_month + dt.timedelta(days=5), dt.time(11), AMSTERDAM)
        _attempt(case, outcomes[code], at, number)
        PhoneNumber.objects.filter(pk=number.pk).update(status=PhoneNumber.Status.RETIRED)
    services.close_month(
        municipality=municipality,
        month=history,
        now=dt.datetime.combine(months.last_working_day(history), dt.time(17), AMSTERDAM),
    )
    for kind, values in RULES:
        services.save_rule(
            municipality=municipality,
            kind=kind,
            values={"is_active": True, **values},
            actor=None,
        )
    made = services.apply_rules(municipality=municipality, today=today)
    return sum(made.values())
