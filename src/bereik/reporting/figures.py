"""Every figure of the results dashboard, computed with aggregate queries.

``compute`` is the one public function: the dashboard, the monthly report, the JSON view for BI
tools and the REST API (``/api/v1/figures``) all show what it returns. It returns a plain,
JSON-serialisable dict (see docs/reporting.md for every key).

The figures describe a *cohort*: the cases matched in the period (``Case.matched_on``), their
signals, and everything that happened to those cases since (attempts, handovers, end results),
up to now. A monthly report made later therefore shows the month's signals followed to their
outcome. Ratios whose denominator is zero are ``None`` (shown as "–").

Every figure is made of counts ``(figure, key) -> int`` (``live_counts``, from the rows) and a
presentation of those counts (``present``). The monthly rollup (``rollup.py``) stores the same
counts per municipality and month, so the dashboard can add them up instead of reading the rows;
``compute`` uses it when it can answer exactly and the presentation is shared.

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
from collections import Counter
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
    OutcomeCode,
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
    live: bool = False,
) -> dict:
    """All dashboard figures for the cases matched in ``[period_start, period_end]`` in the given
    municipalities. The caller is responsible for access: pass only municipalities the user may
    see reports of.

    The figures come from the monthly rollup (``bereik.reporting.rollup``) when it can answer the
    question exactly (no filters, whole months, every month refreshed or without cases), else
    they are computed from the rows (``live=True`` forces that). Both paths count the same keys
    and share the presentation below, so they give identical numbers for the same data."""
    filters = filters or ReportFilters()
    municipality_ids = sorted(set(municipality_ids))
    with reporting_transaction():
        counts, refreshed_at = None, None
        if not live:
            from .rollup import rollup_counts

            found = rollup_counts(municipality_ids, period_start, period_end, filters)
            if found is not None:
                counts, refreshed_at = found
        if counts is None:
            counts = live_counts(
                municipality_ids=municipality_ids,
                period_start=period_start,
                period_end=period_end,
                filters=filters,
            )
        return present(
            counts,
            municipality_ids=municipality_ids,
            period_start=period_start,
            period_end=period_end,
            filters=filters,
            refreshed_at=refreshed_at,
        )


@contextmanager
def reporting_transaction():
    """One transaction for all figures (and for refreshing their rollup, which runs the same
    aggregates). On PostgreSQL without JIT: the per-case EXISTS aggregates are estimated
    expensive enough to trigger JIT compilation, which costs seconds (measured: 10.6 s of JIT
    for a 0.7 s query) and gains nothing on these index lookups."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield


def cohort(*, municipality_ids, period_start, period_end, filters: ReportFilters):
    """The cohort's cases, its attempts (for grouped aggregates) and the attempts to correlate
    to one case (``per_case``)."""
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
    return cases, attempts, per_case


def live_counts(*, municipality_ids, period_start, period_end, filters: ReportFilters) -> Counter:
    """Every count the figures are made of, from the rows: ``(figure, key) -> int``."""
    cases, attempts, per_case = cohort(
        municipality_ids=municipality_ids,
        period_start=period_start,
        period_end=period_end,
        filters=filters,
    )
    counts = additive_counts(cases, attempts, per_case)
    signals = Signal.objects.filter(case__in=cases.values("pk"))
    counts["signals", "residents"] = signals.aggregate(n=Count("resident_id", distinct=True))["n"]
    from .selectors import wrong_numbers

    for row in wrong_numbers(signals):
        counts["wn_label", row.label] = 1
        counts["wn_delivered", row.label] = row.delivered
        counts["wn_wrong", row.label] = row.wrong
    return counts


def additive_counts(cases, attempts, per_case) -> Counter:
    """The counts that add up over months and municipalities (each belongs to one case, and a
    case to one municipality and one month). The distinct counts (residents, phone numbers per
    label) are added by ``live_counts`` and, per month, by the rollup."""
    counts: Counter = Counter()
    _signal_counts(counts, cases)
    _partner_type_counts(counts, cases, per_case)
    _not_picked_up_counts(counts, cases)
    _case_counts(counts, cases, attempts)
    _outcome_counts(counts, attempts)
    _reach_curve_counts(counts, attempts)
    _contact_counts(counts, attempts)
    _no_help_counts(counts, attempts)
    _handover_counts(counts, cases)
    _end_result_counts(counts, cases)
    _direction_counts(counts, attempts)
    _duration_counts(counts, cases, per_case)
    _crisis_counts(counts, cases, per_case)
    _partner_name_counts(counts, cases)
    for municipality_id, n in (
        cases.filter(queue_entry__isnull=False)
        .values("municipality_id")
        .annotate(n=Count("pk"))
        .values_list("municipality_id", "n")
    ):
        counts["callable_of", str(municipality_id)] = n
    return counts


def _keys(counts: Counter, figure: str) -> list[str]:
    """The keys of a figure that occur (a count above zero), sorted."""
    return sorted(key for (name, key), n in counts.items() if name == figure and n > 0)


def present(
    counts: Counter, *, municipality_ids, period_start, period_end, filters, refreshed_at=None
) -> dict:
    """The figures (a plain JSON-serialisable dict, see docs/reporting.md) from the counts."""
    case_figures = _case_figures(counts)
    reach = case_figures["reach"]
    return {
        "period": {"start": period_start.isoformat(), "end": period_end.isoformat()},
        "municipalities": [
            {"id": m.pk, "name": m.name, "code": m.municipality_code}
            for m in Organisation.objects.filter(pk__in=municipality_ids).order_by("name")
        ],
        "filters": filters.as_dict(),
        "refreshed_at": refreshed_at.isoformat() if refreshed_at else None,
        "signals": {
            "received": counts["signals", "received"],
            "residents": counts["signals", "residents"],
            "cases": counts["signals", "cases"],
            "cases_with_several_signals": counts["signals", "several"],
        },
        "by_partner_type": _partner_types(counts),
        "not_picked_up": _not_picked_up(counts),
        "callable": case_figures["callable"],
        "reach": reach,
        "aapor": case_figures["aapor"],
        "outcomes": _outcomes(counts),
        "reach_curve": _reach_curve(counts, reach["callable"]),
        "day_parts": _contact_rows(counts, "day_part", dict(DayPartChoice.choices)),
        "weekdays": _contact_rows(
            counts, "weekday", {str(value): label for value, label in Weekday.choices}
        ),
        "wrong_numbers": _wrong_numbers(counts),
        "no_help_reasons": _no_help_reasons(counts),
        "handovers": _handovers(counts, case_figures["handed_over"]),
        "end_results": _end_results(counts),
        "directions": _directions(counts),
        "durations": {
            "signal_to_first_contact": _day_summary(counts, "days_to_contact"),
            "signal_to_handover": _day_summary(counts, "days_to_handover"),
        },
        "crisis": _crisis(counts),
        "costs": _costs(counts, municipality_ids, period_start, period_end, reach),
        "satisfaction": {"measured": False, "score": None, "responses": 0},
        "partner_names": _keys(counts, "partner_name"),
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


def _signal_counts(counts: Counter, cases) -> None:
    counts["signals", "received"] = Signal.objects.filter(case__in=cases.values("pk")).count()
    totals = cases.annotate(n=Count("signals")).aggregate(
        cases=Count("pk"), several=Count("pk", filter=Q(n__gt=1))
    )
    counts["signals", "cases"] = totals["cases"]
    counts["signals", "several"] = totals["several"]


def _partner_name_counts(counts: Counter, cases) -> None:
    """The partner names of the cohort's signals (the filter's suggestions)."""
    for name in (
        Signal.objects.filter(case__in=cases.values("pk"))
        .exclude(partner_name="")
        .values_list("partner_name", flat=True)
        .distinct()
        .order_by()
    ):
        counts["partner_name", name] = 1


def _flag(condition: Q) -> Max:
    """1 when any of the group's attempts meets the condition, else 0."""
    return Max(
        CaseWhen(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())
    )


CASE_COUNTS = (
    "cases",
    "not_picked_up",
    "callable",
    "sent_to_enrichment",
    "enrichment_found",
    "callable_after_enrichment",
    "handed_over",
    "with_attempts",
    "reached",
    "help",
    *(f"aapor_{name}" for name in AAPOR_ORDER),
)


def _case_counts(counts: Counter, cases, attempts) -> None:
    """Counts per case, as a few set queries plus one grouped pass over the cohort's attempts
    (per case: reached, help, and which AAPOR classes occur)."""
    cohort_ids = cases.values("pk")
    transitions = CaseTransition.objects.filter(case__in=cohort_ids)
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
    for name in CASE_COUNTS:
        counts["case", name] = totals[name] or 0


def _case_figures(counts: Counter) -> dict:
    totals = {name: counts["case", name] for name in CASE_COUNTS}
    picked_up = totals["cases"] - totals["not_picked_up"]
    callable_before = totals["callable"] - totals["callable_after_enrichment"]
    aapor = {name: totals[f"aapor_{name}"] for name in AAPOR_ORDER}
    contact = aapor["I"] + aapor["P"] + aapor["R"] + aapor["O"]
    eligible = contact + aapor["NC"] + aapor["UH"] + aapor["UO"]
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
            "counts": aapor,
            "con1": ratio(contact, eligible),
            "coop1": ratio(aapor["I"], contact),
            "ref1": ratio(aapor["R"], eligible),
            "rr1": ratio(aapor["I"], eligible),
        },
        "handed_over": totals["handed_over"],
    }


def _partner_type_counts(counts: Counter, cases, attempts) -> None:
    rows = (
        Signal.objects.filter(case__in=cases.values("pk"))
        .annotate(case_reached=Exists(attempts.filter(case=OuterRef("case_id"), reached=True)))
        .values("partner_type")
        .annotate(
            signals=Count("pk"),
            cases=Count("case_id", distinct=True),
            reached=Count("case_id", distinct=True, filter=Q(case_reached=True)),
        )
        .order_by()
    )
    for row in rows:
        counts["pt_signals", row["partner_type"]] = row["signals"]
        counts["pt_cases", row["partner_type"]] = row["cases"]
        counts["pt_reached", row["partner_type"]] = row["reached"]


def _partner_types(counts: Counter) -> list[dict]:
    labels = dict(PartnerType.choices)
    return [
        {
            "partner_type": value,
            "label": str(labels.get(value, value)),
            "signals": counts["pt_signals", value],
            "cases": counts["pt_cases", value],
            "reached": counts["pt_reached", value],
            "reach": ratio(counts["pt_reached", value], counts["pt_cases", value]),
        }
        for value in _keys(counts, "pt_signals")
    ]


def _not_picked_up_counts(counts: Counter, cases) -> None:
    for end_result, n in (
        cases.filter(Q(state=CaseState.NOT_PICKED_UP) | Q(end_result__in=NOT_PICKED_UP_RESULTS))
        .values("end_result")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("end_result", "n")
    ):
        counts["not_picked_up", end_result] = n


def _not_picked_up(counts: Counter) -> dict:
    labels = dict(EndResult.choices)
    by_reason = [
        {
            "end_result": value,
            "label": str(labels.get(value, _("Not picked up (not closed yet)"))),
            "cases": counts["not_picked_up", value],
        }
        for value in _keys(counts, "not_picked_up")
    ]
    return {"total": sum(row["cases"] for row in by_reason), "by_reason": by_reason}


def _outcome_counts(counts: Counter, attempts) -> None:
    for kind, outcome_id, n in (
        attempts.values("kind", "outcome_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("kind", "outcome_id", "n")
    ):
        counts["outcome", f"{kind}|{outcome_id or ''}"] = n


def _outcomes(counts: Counter) -> list[dict]:
    """Attempts per outcome code (attempts without one, such as letters, per kind), in the
    order of the outcome codes; attempts without a code last."""
    kinds = dict(ContactAttempt.Kind.choices)
    rows = []
    for key in _keys(counts, "outcome"):
        kind, _sep, outcome_id = key.partition("|")
        rows.append((kind, int(outcome_id) if outcome_id else None, counts["outcome", key]))
    codes = {
        code.pk: code
        for code in OutcomeCode.objects.filter(pk__in=[r[1] for r in rows if r[1] is not None])
    }
    total = sum(n for _kind, _outcome, n in rows)
    result = []
    for kind, outcome_id, n in rows:
        code = codes.get(outcome_id)
        result.append(
            {
                "code": code.code if code else kind,
                "label": code.label if code else str(kinds.get(kind, kind)),
                "attempts": n,
                "share": ratio(n, total),
                "_order": (0, code.position, code.code, kind) if code else (1, 0, "", kind),
            }
        )
    result.sort(key=lambda row: row["_order"])
    for row in result:
        del row["_order"]
    return result


def _reach_curve_counts(counts: Counter, attempts) -> None:
    """Per case, the number of the attempt that first reached the resident (one window pass
    over the attempts); later first contacts are counted in the last row ("10+")."""
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
    for number in numbered.values_list("number", flat=True):
        counts["reach_curve", str(min(number, REACH_CURVE_MAX))] += 1


def _reach_curve(counts: Counter, callable_count: int) -> list[dict]:
    """Cumulative reach after 1, 2, ... attempts, over the callable cases."""
    by_number = {int(key): counts["reach_curve", key] for key in _keys(counts, "reach_curve")}
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


def _contact_counts(counts: Counter, attempts) -> None:
    phone = attempts.filter(kind=ContactAttempt.Kind.PHONE)
    for day_part, n, reached in (
        phone.values("day_part")
        .annotate(n=Count("pk"), reached=Count("pk", filter=Q(reached=True)))
        .order_by()
        .values_list("day_part", "n", "reached")
    ):
        counts["day_part_attempts", day_part] = n
        counts["day_part_reached", day_part] = reached
    for iso_weekday, n, reached in (
        phone.annotate(iso_weekday=ExtractIsoWeekDay("occurred_at"))
        .values("iso_weekday")
        .annotate(n=Count("pk"), reached=Count("pk", filter=Q(reached=True)))
        .order_by()
        .values_list("iso_weekday", "n", "reached")
    ):
        counts["weekday_attempts", str(iso_weekday - 1)] = n
        counts["weekday_reached", str(iso_weekday - 1)] = reached


def _contact_rows(counts: Counter, key: str, labels: dict) -> list[dict]:
    result = []
    for value, label in labels.items():
        attempts = counts[f"{key}_attempts", value]
        reached = counts[f"{key}_reached", value]
        result.append(
            {
                key: int(value) if key == "weekday" else value,
                "label": str(label),
                "attempts": attempts,
                "reached": reached,
                "contact_rate": ratio(reached, attempts),
            }
        )
    return result


def _wrong_numbers(counts: Counter) -> list[dict]:
    """The data-quality table of seed 001 (``selectors.wrong_numbers``): per partner label the
    phone numbers it delivered, those that turned out wrong, and their share."""
    return [
        {
            "label": label or _("(unknown)"),
            "delivered": counts["wn_delivered", label],
            "wrong": counts["wn_wrong", label],
            "share": ratio(counts["wn_wrong", label], counts["wn_delivered", label]),
        }
        for label in _keys(counts, "wn_label")
    ]


def _no_help_counts(counts: Counter, attempts) -> None:
    for reason, n in (
        attempts.filter(help_requested=False)
        .values("no_help_reason")
        .annotate(n=Count("case_id", distinct=True))
        .order_by()
        .values_list("no_help_reason", "n")
    ):
        counts["no_help", reason] = n


def _no_help_reasons(counts: Counter) -> list[dict]:
    labels = dict(ContactAttempt.NoHelpReason.choices)
    reasons = _keys(counts, "no_help")
    total = sum(counts["no_help", reason] for reason in reasons)
    return [
        {
            "reason": reason,
            "label": str(labels.get(reason, _("Not registered"))),
            "cases": counts["no_help", reason],
            "share": ratio(counts["no_help", reason], total),
        }
        for reason in reasons
    ]


def _handover_models():
    """The handover app's models when it is installed (it is optional for reporting)."""
    try:
        from bereik.handover.models import Appointment, Handover
    except ImportError:
        return None, None
    return Handover, Appointment


def _handover_counts(counts: Counter, cases) -> None:
    for end_result, n in (
        cases.filter(
            state=CaseState.CLOSED,
            end_result__in=FOLLOW_UP_RESULTS,
            transitions__to_state=CaseState.HANDED_OVER,
        )
        .values("end_result")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
        .values_list("end_result", "n")
    ):
        counts["follow_up", end_result] = n
    handover_model, appointment_model = _handover_models()
    if handover_model is None:
        return
    for status, n in (
        handover_model.objects.filter(case__in=cases.values("pk"))
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("status", "n")
    ):
        counts["handover_status", status] = n
    appointments = appointment_model.objects.filter(
        case__in=cases.values("pk"), cancelled_at__isnull=True
    )
    for direction, n in (
        appointments.annotate(direction=F("handover__requested_in__direction"))
        .values("direction")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("direction", "n")
    ):
        counts["appointments", ""] += n
        counts["appointment_direction", direction or ""] += n


def _handovers(counts: Counter, handed_over: int) -> dict:
    labels = dict(EndResult.choices)
    figures = {
        "handed_over": handed_over,
        "follow_up_results": [
            {"end_result": value, "label": str(labels[value]), "cases": counts["follow_up", value]}
            for value in _keys(counts, "follow_up")
        ],
        "by_status": None,
        "appointments_booked": None,
        "appointments_by_direction": None,
    }
    handover_model, _appointment_model = _handover_models()
    if handover_model is None:
        return figures
    status_labels = dict(handover_model.Status.choices)
    figures["by_status"] = [
        {
            "status": status,
            "label": str(status_labels[status]),
            "handovers": counts["handover_status", status],
        }
        for status in _keys(counts, "handover_status")
    ]
    figures["appointments_booked"] = counts["appointments", ""]
    directions = dict(ContactAttempt.Direction.choices)
    figures["appointments_by_direction"] = [
        {
            "direction": direction,
            "label": str(directions.get(direction, _("Not registered"))),
            "appointments": counts["appointment_direction", direction],
        }
        for direction in _keys(counts, "appointment_direction")
    ]
    return figures


def _end_result_counts(counts: Counter, cases) -> None:
    for end_result, n in (
        cases.filter(state=CaseState.CLOSED)
        .exclude(end_result="")
        .values("end_result")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("end_result", "n")
    ):
        counts["end_result", end_result] = n


def _end_results(counts: Counter) -> list[dict]:
    labels = dict(EndResult.choices)
    present_ = [value for value in EndResult.values if counts["end_result", value] > 0]
    total = sum(counts["end_result", value] for value in _keys(counts, "end_result"))
    return [
        {
            "end_result": value,
            "label": str(labels[value]),
            "cases": counts["end_result", value],
            "share": ratio(counts["end_result", value], total),
        }
        for value in present_
    ]


def _direction_counts(counts: Counter, attempts) -> None:
    for direction, n, help_requests in (
        attempts.filter(reached=True)
        .values("direction")
        .annotate(n=Count("pk"), help_requests=Count("pk", filter=Q(help_requested=True)))
        .order_by()
        .values_list("direction", "n", "help_requests")
    ):
        counts["conversations", direction] = n
        counts["conversation_help", direction] = help_requests


def _directions(counts: Counter) -> list[dict]:
    result = []
    for value, label in ContactAttempt.Direction.choices:
        conversations = counts["conversations", value]
        help_requests = counts["conversation_help", value]
        result.append(
            {
                "direction": value,
                "label": str(label),
                "conversations": conversations,
                "help_requests": help_requests,
                "conversion": ratio(help_requests, conversations),
            }
        )
    return result


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _duration_counts(counts: Counter, cases, attempts) -> None:
    """Calendar days from the case's first signal to the first contact and to the handover, as
    a histogram (cases per number of days), so medians add up exactly over months."""
    rows = cases.annotate(
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
    for first_signal, first_contact, handed_over_at in rows:
        if first_signal is None:
            continue
        if first_contact is not None:
            days = max(0, (_local_date(first_contact) - first_signal).days)
            counts["days_to_contact", str(days)] += 1
        if handed_over_at is not None:
            days = max(0, (_local_date(handed_over_at) - first_signal).days)
            counts["days_to_handover", str(days)] += 1


def _day_summary(counts: Counter, figure: str) -> dict:
    """Cases, median and mean from the histogram; the same values (and types) as
    ``statistics.median`` and ``statistics.fmean`` of the days themselves."""
    histogram = sorted((int(key), counts[figure, key]) for key in _keys(counts, figure))
    cases = sum(n for _days, n in histogram)
    if not cases:
        return {"cases": 0, "median_days": None, "mean_days": None}

    def nth(index: int) -> int:  # the index-th (0-based) value in sorted order
        for days, n in histogram:
            if index < n:
                return days
            index -= n
        raise IndexError(index)

    middle = cases // 2
    median = nth(middle) if cases % 2 else (nth(middle - 1) + nth(middle)) / 2
    total = sum(days * n for days, n in histogram)
    return {"cases": cases, "median_days": median, "mean_days": round(total / cases, 1)}


def _crisis_counts(counts: Counter, cases, attempts) -> None:
    """Crisis cases handled (a first contact attempt or a handover) within 3 working days of
    the first crisis signal's date; Dutch public holidays are not working days. A case not
    handled yet is counted by its deadline, so "pending" or "late" is decided when shown."""
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
    for first_signal, any_signal, first_attempt, handed_over_at in rows:
        start = first_signal or any_signal
        if start is None:
            continue
        moments = [m for m in (first_attempt, handed_over_at) if m is not None]
        if moments:
            handled_on = _local_date(min(moments))
            if working_days_between(start, handled_on) <= CRISIS_WORKING_DAYS:
                counts["crisis", "within"] += 1
            else:
                counts["crisis", "late"] += 1
        else:
            deadline = add_working_days(start, CRISIS_WORKING_DAYS)
            counts["crisis_deadline", deadline.isoformat()] += 1


def _crisis(counts: Counter) -> dict:
    today = timezone.localdate().isoformat()
    within, late, pending = counts["crisis", "within"], counts["crisis", "late"], 0
    for deadline in _keys(counts, "crisis_deadline"):
        if deadline >= today:
            pending += counts["crisis_deadline", deadline]
        else:
            late += counts["crisis_deadline", deadline]
    return {
        "cases": within + late + pending,
        "within_deadline": within,
        "late": late,
        "pending": pending,
        "share_within": ratio(within, within + late),
        "working_days": CRISIS_WORKING_DAYS,
    }


def _costs(counts: Counter, municipality_ids, period_start, period_end, reach) -> dict:
    tariffs = {
        s.municipality_id: s
        for s in ReportSettings.objects.filter(municipality_id__in=municipality_ids)
    }
    if not tariffs or not any(
        s.price_per_callable_record or s.monthly_fee for s in tariffs.values()
    ):
        return {"tariff_set": False, "total": None, "per_callable": None, "per_reached": None}
    months = months_touched(period_start, period_end)
    total = Decimal("0")
    for municipality_id, settings in tariffs.items():
        total += settings.price_per_callable_record * counts["callable_of", str(municipality_id)]
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
