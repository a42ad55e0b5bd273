"""The monthly rollup of the dashboard figures: what they are made of, counted per municipality
and per month in which the cases were matched, so a dashboard over many municipalities or a
whole year adds a few thousand stored counts instead of going through millions of rows.

Every figure of ``figures.py`` is made of counts ``(figure, key) -> int`` (``live_counts``) and a
presentation of those counts (``present``). Most counts belong to one case, and a case to one
municipality and one month, so the counts of a period are the sums of its months' counts; the
rollup stores exactly those (``additive_counts`` of the month's cohort). Medians and the crisis
deadline are stored as histograms (cases per number of days, per deadline date), so they stay
exact. Counts of distinct residents and of phone numbers per partner label do not add up over
months: they are stored split by ``since`` (see ``MonthlyFigure``).

The rollup answers only what it can answer exactly: no filters (partner type or label, campaign,
agent: those narrow the cohort per case and per attempt) and a period of whole months in which
every municipality-month was refreshed or has no cases. Everything else is computed live.

Writes (``refresh``) are in ``services.refresh_figures``; this module only computes and reads.
"""

import calendar
import datetime as dt
from collections import Counter, defaultdict

from django.db.models import Q, Sum
from django.db.models.functions import TruncMonth

from bereik.cases.models import Case, Signal

from .figures import ReportFilters, additive_counts, cohort
from .models import FigureRefresh, MonthlyFigure
from .selectors import delivered_numbers

Row = tuple[str, str, dt.date | None, int]  # figure, key, since, value


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def next_month(month: dt.date) -> dt.date:
    return month_end(month) + dt.timedelta(days=1)


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first days of the months from ``start``'s to ``end``'s, both included."""
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = next_month(month)
    return months


def additive_rows(municipality_id: int, month: dt.date) -> list[Row]:
    """The additive counts of the cases of one municipality matched in one month."""
    cases, attempts, per_case = cohort(
        municipality_ids=[municipality_id],
        period_start=month,
        period_end=month_end(month),
        filters=ReportFilters(),
    )
    counts = additive_counts(cases, attempts, per_case)
    return [(figure, key, None, value) for (figure, key), value in counts.items() if value]


def _since_rows(months_of: dict, figure: str, key_of, wrong=None) -> dict[dt.date, Counter]:
    """Per month: counts by (figure, key, since) of the items present in that month, where
    ``since`` is the item's previous month present (None for its first)."""
    rows: dict[dt.date, Counter] = defaultdict(Counter)
    for item, months in months_of.items():
        previous = None
        for month in sorted(months):
            rows[month][figure, key_of(item), previous] += 1
            if wrong is not None and item[1] in wrong:
                rows[month]["wn_wrong", key_of(item), previous] += 1
            previous = month
    return rows


def distinct_rows(municipality_id: int) -> dict[dt.date, list[Row]]:
    """Per month, the rows of the distinct counts of one municipality: residents with signals
    (``signals.residents``) and phone numbers per partner label (``selectors.wrong_numbers``)."""
    signals = Signal.objects.filter(case__municipality_id=municipality_id).annotate(
        case_month=TruncMonth("case__matched_on")
    )
    residents: dict[int, set] = defaultdict(set)
    for resident_id, month in signals.values_list("resident_id", "case_month").distinct():
        residents[resident_id].add(month)
    by_key, wrong = delivered_numbers(signals, "case_month")
    numbers: dict[tuple[str, int], set] = defaultdict(set)
    rows: dict[dt.date, Counter] = defaultdict(Counter)
    for (label, month), number_ids in by_key.items():
        rows[month]["wn_label", label, None] = 1
        for number_id in number_ids:
            numbers[label, number_id].add(month)
    for source in (
        _since_rows(residents, "signals", lambda _resident: "residents"),
        _since_rows(numbers, "wn_delivered", lambda item: item[0], wrong),
    ):
        for month, counts in source.items():
            rows[month].update(counts)
    return {
        month: [(figure, key, since, n) for (figure, key, since), n in counts.items()]
        for month, counts in rows.items()
    }


def months_to_refresh(municipality_id: int, today: dt.date) -> list[dt.date]:
    """Every month with cases, every month refreshed before (it may have lost its cases) and
    the current month."""
    months = set(
        Case.objects.filter(municipality_id=municipality_id)
        .annotate(month=TruncMonth("matched_on"))
        .values_list("month", flat=True)
        .distinct()
        .order_by()
    )
    months.update(
        FigureRefresh.objects.filter(municipality_id=municipality_id).values_list(
            "month", flat=True
        )
    )
    months.add(today.replace(day=1))
    return sorted(months)


def rollup_counts(
    municipality_ids: list[int], period_start: dt.date, period_end: dt.date, filters
) -> tuple[Counter, dt.datetime] | None:
    """The counts of the period from the rollup and the oldest refresh they come from, or None
    when the rollup cannot answer exactly (filters, partial months, a month not refreshed that
    has cases)."""
    if filters != ReportFilters() or not municipality_ids:
        return None
    if period_start.day != 1 or period_end != month_end(period_end):
        return None
    months = months_between(period_start, period_end)
    refreshed = {
        (municipality_id, month): moment
        for municipality_id, month, moment in FigureRefresh.objects.filter(
            municipality_id__in=municipality_ids, month__gte=months[0], month__lte=months[-1]
        ).values_list("municipality_id", "month", "refreshed_at")
    }
    if not refreshed:
        return None
    missing = Q()
    for month in months:
        lacking = [m for m in municipality_ids if (m, month) not in refreshed]
        if lacking:
            missing |= Q(
                municipality_id__in=lacking, matched_on__gte=month, matched_on__lte=month_end(month)
            )
    if missing and Case.objects.filter(missing).exists():
        return None
    counts: Counter = Counter()
    for figure, key, total in (
        MonthlyFigure.objects.filter(
            municipality_id__in=municipality_ids, month__gte=months[0], month__lte=months[-1]
        )
        .filter(Q(since__isnull=True) | Q(since__lt=period_start))
        .values("figure", "key")
        .annotate(total=Sum("value"))
        .order_by()
        .values_list("figure", "key", "total")
    ):
        counts[figure, key] = total
    return counts, min(refreshed.values())
