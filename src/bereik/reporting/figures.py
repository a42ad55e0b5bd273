"""Every figure of the results dashboard, computed with aggregate queries.

``compute`` is the one public function: the dashboard, the monthly report, the JSON view for BI
tools and the REST API (``/api/v1/figures``) all show what it returns. It returns a plain,
JSON-serialisable dict (see docs/reporting.md for every key).

The figures describe a *cohort*: the cases matched in the period (``Case.matched_on``), their
signals, and everything that happened to those cases since (attempts, handovers, end results),
up to now. A monthly report made later therefore shows the month's signals followed to their
outcome. Ratios whose denominator is zero are ``None`` (shown as "–").

AAPOR dispositions are assigned per callable case (one case is one resident in one matching
period), from the case's attempts, the first matching class in the order I, P, R, O, NC, UH, UO,
NE wins:

- I (help conversation held): an attempt with a help request, or with an outcome of class I
  (``Bereikt``) where neither a help answer nor an objection was registered;
- R (refusal): reached, no help wanted (``help_requested`` false) or an objection to calls;
- P, O, NC, UH, UO, NE: the outcome code's ``aapor_class`` (editable data, see the outcome codes);
  an attempt without an outcome code (letter, home visit) counts as O when it reached the
  resident and NC when it did not;
- a callable case without any attempt counts as UH (unknown whether reachable).

CON1 = (I+P+R+O) / (I+P+R+O+NC+UH+UO); COOP1 = I / (I+P+R+O);
REF1 = R / (I+P+R+O+NC+UH+UO); RR1 = I / (I+P+R+O+NC+UH+UO). NE is left out of every denominator.
"""

import calendar
import datetime as dt
import statistics
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from decimal import Decimal
from functools import cache

import holidays
from django.db import connection, transaction
from django.db.models import Case as CaseWhen
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    RowRange,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import ExtractIsoWeekDay, RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from bereik.accounts.models import Organisation
from bereik.cases.models import Case, PartnerType, Signal
from bereik.cases.results import FOLLOW_UP_RESULTS, EndResult
from bereik.cases.workflow import CaseState, CaseTransition
from bereik.intake.models import EnrichmentRequest
from bereik.outreach.models import (
    AaporClass,
    ContactAttempt,
    DayPartChoice,
    Weekday,
)

from .models import ReportSettings

CRISIS_WORKING_DAYS = 3
REACH_CURVE_MAX = 10  # attempts; later first contacts are counted in the last row ("10+")

NOT_PICKED_UP_RESULTS = (
    EndResult.NOT_PICKED_UP_REPEAT,
    EndResult.NOT_PICKED_UP_UNJUSTIFIED,
    EndResult.NOT_PICKED_UP_OTHER,
    EndResult.DECEASED,
    EndResult.NOT_A_RESIDENT,
)

AAPOR_ORDER = ("I", "P", "R", "O", "NC", "UH", "UO", "NE")

# Per attempt: when it counts as each AAPOR class (see the module docstring).
ATTEMPT_CLASS: dict[str, Q] = {
    "I": Q(help_requested=True)
    | Q(outcome__aapor_class=AaporClass.INTERVIEW, help_requested__isnull=True, objection=False),
    "P": Q(outcome__aapor_class=AaporClass.PARTIAL),
    "R": Q(help_requested=False) | Q(objection=True),
    "O": Q(outcome__aapor_class=AaporClass.OTHER) | Q(outcome__isnull=True, reached=True),
    "NC": Q(outcome__aapor_class=AaporClass.NON_CONTACT) | Q(outcome__isnull=True, reached=False),
    "UH": Q(outcome__aapor_class=AaporClass.UNKNOWN_HOUSEHOLD),
    "UO": Q(outcome__aapor_class=AaporClass.UNKNOWN_OTHER),
    "NE": Q(outcome__aapor_class=AaporClass.NOT_ELIGIBLE),
}


@dataclass(frozen=True)
class ReportFilters:
    """Optional narrowing of the cohort. Empty values mean "all"."""

    partner_type: str = ""
    partner_name: str = ""
    campaign_id: int | None = None
    agent_id: int | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def ratio(numerator, denominator) -> float | None:
    """``numerator / denominator`` rounded to 4 decimals, ``None`` when the denominator is 0."""
    if not denominator:
        return None
    return round(float(numerator) / float(denominator), 4)


def _money(value: Decimal | None) -> float | None:
    return None if value is None else float(value.quantize(Decimal("0.01")))


def months_touched(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


@cache
def _dutch_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("NL", years=year))


def _is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _dutch_holidays(day.year)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (Mon-Fri, no Dutch holidays)."""
    days, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if _is_working_day(day):
            days += 1
    return days


def add_working_days(start: dt.date, count: int) -> dt.date:
    day = start
    while count:
        day += dt.timedelta(days=1)
        if _is_working_day(day):
            count -= 1
    return day


def compute(
    *,
    municipality_ids: list[int],
    period_start: dt.date,
    period_end: dt.date,
    filters: ReportFilters | None = None,
) -> dict:
    """All dashboard figures for the cases matched in ``[period_start, period_end]`` in the given
    municipalities. The caller is responsible for access: pass only municipalities the user may
    see reports of."""
    with _reporting_transaction():
        return _compute(
            municipality_ids=sorted(set(municipality_ids)),
            period_start=period_start,
            period_end=period_end,
            filters=filters or ReportFilters(),
        )


@contextmanager
def _reporting_transaction():
    """One read transaction for all figures. On PostgreSQL without JIT: the per-case EXISTS
    aggregates are estimated expensive enough to trigger JIT compilation, which costs seconds
    (measured: 10.6 s of JIT for a 0.7 s query) and gains nothing on these index lookups."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield


def _compute(*, municipality_ids, period_start, period_end, filters) -> dict:
    cases = Case.objects.filter(
        municipality_id__in=municipality_ids,
        matched_on__gte=period_start,
        matched_on__lte=period_end,
    )
    attempts = ContactAttempt.objects.all()
    if filters.partner_type or filters.partner_name:
        signal_filter = Q(case=OuterRef("pk"))
        if filters.partner_type:
            signal_filter &= Q(partner_type=filters.partner_type)
        if filters.partner_name:
            signal_filter &= Q(partner_name=filters.partner_name)
        cases = cases.filter(Exists(Signal.objects.filter(signal_filter)))
    if filters.campaign_id:
        cases = cases.filter(queue_entry__campaign_id=filters.campaign_id)
        attempts = attempts.filter(Q(campaign_id=filters.campaign_id) | Q(campaign__isnull=True))
    if filters.agent_id:
        attempts = attempts.filter(agent_id=filters.agent_id)
        cases = cases.filter(Exists(attempts.filter(case=OuterRef("pk"))))
    # ``per_case`` is used in subqueries correlated to one case of the cohort (the case fixes
    # the municipality; a municipality filter there would steer PostgreSQL away from the
    # ``attempt_case`` index); ``attempts`` (the cohort's) in grouped aggregates.
    per_case = attempts
    attempts = attempts.filter(municipality_id__in=municipality_ids, case__in=cases.values("pk"))

    case_figures = _case_figures(cases, attempts)
    reach = case_figures["reach"]
    return {
        "period": {"start": period_start.isoformat(), "end": period_end.isoformat()},
        "municipalities": [
            {"id": m.pk, "name": m.name, "code": m.municipality_code}
            for m in Organisation.objects.filter(pk__in=municipality_ids).order_by("name")
        ],
        "filters": filters.as_dict(),
        "signals": _signal_figures(cases),
        "by_partner_type": _partner_types(cases, per_case),
        "not_picked_up": _not_picked_up(cases),
        "callable": case_figures["callable"],
        "reach": reach,
        "aapor": case_figures["aapor"],
        "outcomes": _outcomes(attempts),
        "reach_curve": _reach_curve(attempts, reach["callable"]),
        "day_parts": _day_parts(attempts),
        "weekdays": _weekdays(attempts),
        "wrong_numbers": _wrong_numbers(cases, per_case),
        "no_help_reasons": _no_help_reasons(attempts),
        "handovers": _handovers(cases, case_figures["handed_over"]),
        "end_results": _end_results(cases),
        "directions": _directions(attempts),
        "durations": _durations(cases, per_case),
        "crisis": _crisis(cases, per_case),
        "costs": _costs(cases, municipality_ids, period_start, period_end, reach),
        "satisfaction": {"measured": False, "score": None, "responses": 0},
    }


def reach_summary(*, municipality_ids: list[int], period_start: dt.date, period_end: dt.date):
    """Only callable, reached and reach (for the start-page card): two EXISTS per case."""
    totals = (
        Case.objects.filter(
            municipality_id__in=municipality_ids,
            matched_on__gte=period_start,
            matched_on__lte=period_end,
            queue_entry__isnull=False,
        )
        .annotate(
            is_reached=Exists(ContactAttempt.objects.filter(case=OuterRef("pk"), reached=True))
        )
        .aggregate(callable=Count("pk"), reached=Count("pk", filter=Q(is_reached=True)))
    )
    return {**totals, "reach": ratio(totals["reached"], totals["callable"])}


def _signal_figures(cases) -> dict:
    signals = Signal.objects.filter(case__in=cases.values("pk"))
    totals = signals.aggregate(received=Count("pk"), residents=Count("resident_id", distinct=True))
    case_totals = cases.annotate(n=Count("signals")).aggregate(
        cases=Count("pk"), several=Count("pk", filter=Q(n__gt=1))
    )
    return {
        "received": totals["received"],
        "residents": totals["residents"],
        "cases": case_totals["cases"],
        "cases_with_several_signals": case_totals["several"],
    }


def _flag(condition: Q) -> Max:
    """1 when any of the group's attempts meets the condition, else 0."""
    return Max(
        CaseWhen(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())
    )


def _case_figures(cases, attempts) -> dict:
    """Counts per case, as a few set queries plus one grouped pass over the cohort's attempts
    (per case: reached, help, and which AAPOR classes occur)."""
    cohort = cases.values("pk")
    transitions = CaseTransition.objects.filter(case__in=cohort)
    not_picked_up = Q(state=CaseState.NOT_PICKED_UP) | Q(
        state=CaseState.CLOSED, end_result__in=NOT_PICKED_UP_RESULTS
    )
    totals = cases.aggregate(
        cases=Count("pk"),
        not_picked_up=Count("pk", filter=not_picked_up),
        callable=Count("pk", filter=Q(queue_entry__isnull=False)),
    )
    enriched = cases.filter(
        pk__in=transitions.filter(to_state=CaseState.ENRICHMENT).values("case_id")
    )
    totals.update(
        enriched.aggregate(
            sent_to_enrichment=Count("pk"),
            enrichment_found=Count(
                "pk",
                filter=Q(pk__in=EnrichmentRequest.objects.filter(found=True).values("case_id")),
            ),
        )
    )
    totals["callable_after_enrichment"] = cases.filter(
        queue_entry__isnull=False,
        pk__in=transitions.filter(
            from_state=CaseState.ENRICHMENT, to_state=CaseState.CALL_QUEUE
        ).values("case_id"),
    ).count()
    totals["handed_over"] = cases.filter(
        pk__in=transitions.filter(to_state=CaseState.HANDED_OVER).values("case_id")
    ).count()

    per_case = (
        attempts.filter(case__queue_entry__isnull=False)
        .order_by()
        .values("case_id")
        .annotate(
            f_reached=_flag(Q(reached=True)),
            f_help=_flag(Q(help_requested=True)),
            **{f"f_{name}": _flag(q) for name, q in ATTEMPT_CLASS.items()},
        )
    )
    aggregates = {
        "with_attempts": Count("case_id"),
        "reached": Count("case_id", filter=Q(f_reached=1)),
        "help": Count("case_id", filter=Q(f_reached=1, f_help=1)),
    }
    # The first matching class wins: class X counts when X holds and no earlier class does.
    earlier = Q()
    for name in AAPOR_ORDER:
        aggregates[f"aapor_{name}"] = Count("case_id", filter=Q(**{f"f_{name}": 1}) & earlier)
        earlier &= Q(**{f"f_{name}": 0})
    totals.update(per_case.aggregate(**aggregates))
    # A callable case without any attempt: unknown whether reachable.
    totals["aapor_UH"] += totals["callable"] - totals["with_attempts"]

    picked_up = totals["cases"] - totals["not_picked_up"]
    callable_before = totals["callable"] - totals["callable_after_enrichment"]
    counts = {name: totals[f"aapor_{name}"] for name in AAPOR_ORDER}
    contact = counts["I"] + counts["P"] + counts["R"] + counts["O"]
    eligible = contact + counts["NC"] + counts["UH"] + counts["UO"]
    return {
        "callable": {
            "cases_picked_up": picked_up,
            "callable_without_enrichment": callable_before,
            "callable": totals["callable"],
            "share_before_enrichment": ratio(callable_before, picked_up),
            "share_after_enrichment": ratio(totals["callable"], picked_up),
            "sent_to_enrichment": totals["sent_to_enrichment"],
            "enrichment_found": totals["enrichment_found"],
            "enrichment_success": ratio(totals["enrichment_found"], totals["sent_to_enrichment"]),
        },
        "reach": {
            "callable": totals["callable"],
            "reached": totals["reached"],
            "reach": ratio(totals["reached"], totals["callable"]),
            "help_requests": totals["help"],
            "help_acceptance": ratio(totals["help"], totals["reached"]),
        },
        "aapor": {
            "counts": counts,
            "con1": ratio(contact, eligible),
            "coop1": ratio(counts["I"], contact),
            "ref1": ratio(counts["R"], eligible),
            "rr1": ratio(counts["I"], eligible),
        },
        "handed_over": totals["handed_over"],
    }


def _partner_types(cases, attempts) -> list[dict]:
    labels = dict(PartnerType.choices)
    rows = (
        Signal.objects.filter(case__in=cases.values("pk"))
        .annotate(case_reached=Exists(attempts.filter(case=OuterRef("case_id"), reached=True)))
        .values("partner_type")
        .annotate(
            signals=Count("pk"),
            cases=Count("case_id", distinct=True),
            reached=Count("case_id", distinct=True, filter=Q(case_reached=True)),
        )
        .order_by("partner_type")
    )
    return [
        {
            "partner_type": row["partner_type"],
            "label": str(labels.get(row["partner_type"], row["partner_type"])),
            "signals": row["signals"],
            "cases": row["cases"],
            "reached": row["reached"],
            "reach": ratio(row["reached"], row["cases"]),
        }
        for row in rows
    ]


def _not_picked_up(cases) -> dict:
    labels = dict(EndResult.choices)
    rows = (
        cases.filter(Q(state=CaseState.NOT_PICKED_UP) | Q(end_result__in=NOT_PICKED_UP_RESULTS))
        .values("end_result")
        .annotate(n=Count("pk"))
        .order_by("end_result")
    )
    by_reason = [
        {
            "end_result": row["end_result"],
            "label": str(labels.get(row["end_result"], _("Not picked up (not closed yet)"))),
            "cases": row["n"],
        }
        for row in rows
    ]
    return {"total": sum(row["cases"] for row in by_reason), "by_reason": by_reason}


def _outcomes(attempts) -> list[dict]:
    kinds = dict(ContactAttempt.Kind.choices)
    rows = list(
        attempts.values("kind", "outcome__code", "outcome__label", "outcome__position")
        .annotate(n=Count("pk"))
        .order_by("outcome__position", "outcome__code", "kind")
    )
    total = sum(row["n"] for row in rows)
    return [
        {
            "code": row["outcome__code"] or row["kind"],
            "label": row["outcome__label"] or str(kinds.get(row["kind"], row["kind"])),
            "attempts": row["n"],
            "share": ratio(row["n"], total),
        }
        for row in rows
    ]


def _reach_curve(attempts, callable_count: int) -> list[dict]:
    """Cumulative reach after 1, 2, ... attempts, over the callable cases: per case the number
    of the attempt that first reached the resident (one window pass over the attempts)."""
    numbered = (
        attempts.filter(case__queue_entry__isnull=False)
        .annotate(
            number=Window(
                RowNumber(),
                partition_by=[F("case_id")],
                order_by=[F("occurred_at").asc(), F("pk").asc()],
            ),
            reached_so_far=Window(
                Count("pk", filter=Q(reached=True)),
                partition_by=[F("case_id")],
                order_by=[F("occurred_at").asc(), F("pk").asc()],
            ),
            reached_earlier=Window(
                Count("pk", filter=Q(reached=True)),
                partition_by=[F("case_id")],
                order_by=[F("occurred_at").asc(), F("pk").asc()],
                frame=RowRange(start=None, end=-1),
            ),
        )
        # Both conditions on window values, so they apply after the numbering.
        .filter(reached_so_far=1, reached_earlier=0)
    )
    by_number: dict[int, int] = {}
    for number in numbered.values_list("number", flat=True):
        number = min(number, REACH_CURVE_MAX)
        by_number[number] = by_number.get(number, 0) + 1
    if not by_number:
        return []
    curve, cumulative = [], 0
    for number in range(1, max(by_number) + 1):
        cumulative += by_number.get(number, 0)
        curve.append(
            {
                "attempt": number,
                "label": f"{number}+" if number == REACH_CURVE_MAX else str(number),
                "reached": by_number.get(number, 0),
                "cumulative": cumulative,
                "reach": ratio(cumulative, callable_count),
            }
        )
    return curve


def _contact_rows(rows, key: str, labels: dict) -> list[dict]:
    by_key = {row[key]: row for row in rows}
    result = []
    for value, label in labels.items():
        row = by_key.get(value, {"attempts": 0, "reached": 0})
        result.append(
            {
                key: value,
                "label": str(label),
                "attempts": row["attempts"],
                "reached": row["reached"],
                "contact_rate": ratio(row["reached"], row["attempts"]),
            }
        )
    return result


def _day_parts(attempts) -> list[dict]:
    rows = (
        attempts.filter(kind=ContactAttempt.Kind.PHONE)
        .values("day_part")
        .annotate(attempts=Count("pk"), reached=Count("pk", filter=Q(reached=True)))
        .order_by()
    )
    return _contact_rows(rows, "day_part", dict(DayPartChoice.choices))


def _weekdays(attempts) -> list[dict]:
    rows = (
        attempts.filter(kind=ContactAttempt.Kind.PHONE)
        .annotate(iso_weekday=ExtractIsoWeekDay("occurred_at"))
        .values("iso_weekday")
        .annotate(attempts=Count("pk"), reached=Count("pk", filter=Q(reached=True)))
        .order_by()
    )
    rows = [{**row, "weekday": row["iso_weekday"] - 1} for row in rows]
    return _contact_rows(rows, "weekday", dict(Weekday.choices))


def _wrong_numbers(cases, attempts) -> list[dict]:
    """The data-quality table of the contact centre: per partner label, the records delivered,
    the records called, those with a wrong number or a number not in service, and their share."""
    rows = (
        Signal.objects.filter(case__in=cases.values("pk"))
        .annotate(
            called=Exists(
                attempts.filter(case=OuterRef("case_id"), kind=ContactAttempt.Kind.PHONE)
            ),
            wrong=Exists(
                attempts.filter(
                    case=OuterRef("case_id"), outcome__aapor_class=AaporClass.NOT_ELIGIBLE
                )
            ),
        )
        .values("partner_name")
        .annotate(
            delivered=Count("case_id", distinct=True),
            called_cases=Count("case_id", distinct=True, filter=Q(called=True)),
            wrong_cases=Count("case_id", distinct=True, filter=Q(wrong=True)),
        )
        .order_by("partner_name")
    )
    return [
        {
            "partner_name": row["partner_name"] or _("(unknown)"),
            "delivered": row["delivered"],
            "called": row["called_cases"],
            "wrong": row["wrong_cases"],
            "share": ratio(row["wrong_cases"], row["called_cases"]),
        }
        for row in rows
    ]


def _no_help_reasons(attempts) -> list[dict]:
    labels = dict(ContactAttempt.NoHelpReason.choices)
    rows = list(
        attempts.filter(help_requested=False)
        .values("no_help_reason")
        .annotate(cases=Count("case_id", distinct=True))
        .order_by("no_help_reason")
    )
    total = sum(row["cases"] for row in rows)
    return [
        {
            "reason": row["no_help_reason"],
            "label": str(labels.get(row["no_help_reason"], _("Not registered"))),
            "cases": row["cases"],
            "share": ratio(row["cases"], total),
        }
        for row in rows
    ]


def _handover_models():
    """The handover app's models when it is installed (it is optional for reporting)."""
    try:
        from bereik.handover.models import Appointment, Handover
    except ImportError:
        return None, None
    return Handover, Appointment


def _handovers(cases, handed_over: int) -> dict:
    labels = dict(EndResult.choices)
    results = (
        cases.filter(
            state=CaseState.CLOSED,
            end_result__in=FOLLOW_UP_RESULTS,
            transitions__to_state=CaseState.HANDED_OVER,
        )
        .values("end_result")
        .annotate(n=Count("pk", distinct=True))
        .order_by("end_result")
    )
    figures = {
        "handed_over": handed_over,
        "follow_up_results": [
            {"end_result": r["end_result"], "label": str(labels[r["end_result"]]), "cases": r["n"]}
            for r in results
        ],
        "by_status": None,
        "appointments_booked": None,
        "appointments_by_direction": None,
    }
    handover_model, appointment_model = _handover_models()
    if handover_model is None:
        return figures
    status_labels = dict(handover_model.Status.choices)
    figures["by_status"] = [
        {"status": row["status"], "label": str(status_labels[row["status"]]), "handovers": row["n"]}
        for row in handover_model.objects.filter(case__in=cases.values("pk"))
        .values("status")
        .annotate(n=Count("pk"))
        .order_by("status")
    ]
    appointments = appointment_model.objects.filter(
        case__in=cases.values("pk"), cancelled_at__isnull=True
    )
    figures["appointments_booked"] = appointments.count()
    directions = dict(ContactAttempt.Direction.choices)
    figures["appointments_by_direction"] = [
        {
            "direction": row["direction"] or "",
            "label": str(directions.get(row["direction"], _("Not registered"))),
            "appointments": row["n"],
        }
        for row in appointments.annotate(direction=F("handover__requested_in__direction"))
        .values("direction")
        .annotate(n=Count("pk"))
        .order_by("direction")
    ]
    return figures


def _end_results(cases) -> list[dict]:
    labels = dict(EndResult.choices)
    rows = (
        cases.filter(state=CaseState.CLOSED)
        .exclude(end_result="")
        .values("end_result")
        .annotate(n=Count("pk"))
    )
    counts = {row["end_result"]: row["n"] for row in rows}
    total = sum(counts.values())
    return [
        {
            "end_result": value,
            "label": str(labels[value]),
            "cases": counts.get(value, 0),
            "share": ratio(counts.get(value, 0), total),
        }
        for value in EndResult.values
        if value in counts
    ]


def _directions(attempts) -> list[dict]:
    rows = {
        row["direction"]: row
        for row in attempts.filter(reached=True)
        .values("direction")
        .annotate(
            conversations=Count("pk"),
            help_requests=Count("pk", filter=Q(help_requested=True)),
        )
        .order_by()
    }
    result = []
    for value, label in ContactAttempt.Direction.choices:
        row = rows.get(value, {"conversations": 0, "help_requests": 0})
        result.append(
            {
                "direction": value,
                "label": str(label),
                "conversations": row["conversations"],
                "help_requests": row["help_requests"],
                "conversion": ratio(row["help_requests"], row["conversations"]),
            }
        )
    return result


def _day_summary(days: list[int]) -> dict:
    return {
        "cases": len(days),
        "median_days": statistics.median(days) if days else None,
        "mean_days": round(statistics.fmean(days), 1) if days else None,
    }


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _durations(cases, attempts) -> dict:
    """Calendar days from the case's first signal to the first contact and to the handover."""
    contact = cases.annotate(
        first_signal=Min("signals__signal_date"),
        first_contact=Subquery(
            attempts.filter(case=OuterRef("pk"), reached=True)
            .order_by("occurred_at", "pk")
            .values("occurred_at")[:1]
        ),
        handed_over_at=Subquery(
            CaseTransition.objects.filter(case=OuterRef("pk"), to_state=CaseState.HANDED_OVER)
            .order_by("occurred_at", "pk")
            .values("occurred_at")[:1]
        ),
    ).values_list("first_signal", "first_contact", "handed_over_at")
    to_contact, to_handover = [], []
    for first_signal, first_contact, handed_over_at in contact:
        if first_signal is None:
            continue
        if first_contact is not None:
            to_contact.append(max(0, (_local_date(first_contact) - first_signal).days))
        if handed_over_at is not None:
            to_handover.append(max(0, (_local_date(handed_over_at) - first_signal).days))
    return {
        "signal_to_first_contact": _day_summary(to_contact),
        "signal_to_handover": _day_summary(to_handover),
    }


def _crisis(cases, attempts) -> dict:
    """Crisis cases handled (a first contact attempt or a handover) within 3 working days of
    the first crisis signal's date. Dutch public holidays are not working days."""
    rows = (
        cases.filter(is_crisis=True)
        .annotate(
            first_signal=Min("signals__signal_date", filter=Q(signals__is_crisis=True)),
            any_signal=Min("signals__signal_date"),
            first_attempt=Subquery(
                attempts.filter(case=OuterRef("pk"))
                .order_by("occurred_at", "pk")
                .values("occurred_at")[:1]
            ),
            handed_over_at=Subquery(
                CaseTransition.objects.filter(case=OuterRef("pk"), to_state=CaseState.HANDED_OVER)
                .order_by("occurred_at", "pk")
                .values("occurred_at")[:1]
            ),
        )
        .values_list("first_signal", "any_signal", "first_attempt", "handed_over_at")
    )
    today = timezone.localdate()
    within = late = pending = 0
    for first_signal, any_signal, first_attempt, handed_over_at in rows:
        start = first_signal or any_signal
        if start is None:
            continue
        moments = [m for m in (first_attempt, handed_over_at) if m is not None]
        if moments:
            handled_on = _local_date(min(moments))
            if working_days_between(start, handled_on) <= CRISIS_WORKING_DAYS:
                within += 1
            else:
                late += 1
        elif add_working_days(start, CRISIS_WORKING_DAYS) >= today:
            pending += 1
        else:
            late += 1
    return {
        "cases": within + late + pending,
        "within_deadline": within,
        "late": late,
        "pending": pending,
        "share_within": ratio(within, within + late),
        "working_days": CRISIS_WORKING_DAYS,
    }


def _costs(cases, municipality_ids, period_start, period_end, reach) -> dict:
    tariffs = {
        s.municipality_id: s
        for s in ReportSettings.objects.filter(municipality_id__in=municipality_ids)
    }
    if not tariffs or not any(
        s.price_per_callable_record or s.monthly_fee for s in tariffs.values()
    ):
        return {"tariff_set": False, "total": None, "per_callable": None, "per_reached": None}
    callable_by_municipality = dict(
        cases.filter(queue_entry__isnull=False)
        .values("municipality_id")
        .annotate(n=Count("pk"))
        .values_list("municipality_id", "n")
    )
    months = months_touched(period_start, period_end)
    total = Decimal("0")
    for municipality_id, settings in tariffs.items():
        total += settings.price_per_callable_record * callable_by_municipality.get(
            municipality_id, 0
        )
        total += settings.monthly_fee * months
    per_callable = total / reach["callable"] if reach["callable"] else None
    per_reached = total / reach["reached"] if reach["reached"] else None
    return {
        "tariff_set": True,
        "total": _money(total),
        "per_callable": _money(per_callable),
        "per_reached": _money(per_reached),
    }


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
