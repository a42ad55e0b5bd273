"""Writes and exports of reporting, each audited (no personal data in the audit detail)."""

import datetime as dt
import json
import time

import structlog
from django.db import transaction
from django.utils import timezone

from bereik.audit.models import AuditAction
from bereik.audit.services import record

from . import ddas
from .models import FigureRefresh, FigureRefreshRequest, MonthlyFigure, ReportSettings
from .report import build_report, render

log = structlog.get_logger()

SETTINGS_FIELDS = (
    "price_per_callable_record",
    "monthly_fee",
    "min_cell_count",
    "ddas_supplier_code",
)


def save_report_settings(*, municipality, actor, **values) -> ReportSettings:
    """Store a municipality's tariff, minimum count and DDAS supplier code."""
    with transaction.atomic():
        settings, created = ReportSettings.objects.select_for_update().get_or_create(
            municipality=municipality
        )
        changed = [
            name
            for name in SETTINGS_FIELDS
            if name in values and getattr(settings, name) != values[name]
        ]
        for name in changed:
            setattr(settings, name, values[name])
        settings.updated_by = actor
        settings.save()
        record(
            actor=actor,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            obj=settings,
            organisation=municipality,
            detail={"fields": changed},
        )
    return settings


def export_report(
    *, municipality, period_start: dt.date, period_end: dt.date, file_format: str, actor=None
) -> bytes:
    """The monthly report as XLSX or PDF bytes (aggregates, suppressed), audited as EXPORT."""
    report = build_report(
        municipality=municipality, period_start=period_start, period_end=period_end
    )
    content = render(report, file_format)
    record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="reporting.monthly_report",
        organisation=municipality,
        detail={
            "format": file_format,
            "period_start": period_start.isoformat(),
            "period_end": period_end.isoformat(),
            "suppressed_rows": sum(t.suppressed for t in report.tables),
        },
    )
    log.info("monthly_report_exported", municipality_id=municipality.pk, format=file_format)
    return content


def export_ddas(*, municipality, date_from: dt.date, date_to: dt.date, actor=None) -> bytes:
    """The validated DDAS delivery as UTF-8 JSON bytes, audited as EXPORT (it holds BSNs).

    Raises ``ddas.DeliveryInvalid`` (and offers nothing) when the document violates the schema;
    the failure is audited too.
    """
    document = ddas.build_delivery(municipality=municipality, date_from=date_from, date_to=date_to)
    errors = ddas.validate_delivery(document)
    delivery = document["leveringen"][0]
    detail = {
        "period_start": date_from.isoformat(),
        "period_end": date_to.isoformat(),
        "signals": len(delivery["vroegsignalen"]),
        "cases": len(delivery["vroegsignaalzaken"]),
    }
    if errors:
        from bereik.audit.models import AuditResult

        record(
            actor=actor,
            action=AuditAction.EXPORT,
            object_type="reporting.ddas_delivery",
            organisation=municipality,
            result=AuditResult.FAILED,
            detail={**detail, "errors": len(errors)},
        )
        log.warning("ddas_delivery_invalid", municipality_id=municipality.pk, errors=len(errors))
        raise ddas.DeliveryInvalid(errors)
    record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="reporting.ddas_delivery",
        organisation=municipality,
        detail=detail,
    )
    log.info("ddas_delivery_exported", municipality_id=municipality.pk, **detail)
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def record_figures_export(*, actor, municipality_ids: list[int], period_start, period_end):
    """Audit a figures download by a BI tool (aggregates; no personal data)."""
    record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="reporting.figures",
        detail={
            "municipality_ids": municipality_ids,
            "period_start": period_start.isoformat(),
            "period_end": period_end.isoformat(),
        },
    )


def refresh_figures(*, municipality, month: dt.date | None = None) -> dict:
    """Recompute the monthly rollup of a municipality's dashboard figures: one month (any day
    of it), or every month with cases, every month refreshed before and the current month.
    Each month is replaced as a whole in one transaction; returns months and rows written."""
    from . import rollup
    from .figures import reporting_transaction

    today = timezone.localdate()
    months = [month.replace(day=1)] if month else rollup.months_to_refresh(municipality.pk, today)
    written = 0
    with reporting_transaction():
        # One refresh of a municipality at a time (the nightly run and a background task could
        # meet): each would delete the other's uncommitted rows' predecessors and insert its own.
        # NO KEY UPDATE does not block inserts that refer to the municipality.
        list(
            type(municipality)
            .objects.select_for_update(no_key=True)
            .filter(pk=municipality.pk)
            .values_list("pk", flat=True)
        )
        distinct = rollup.distinct_rows(municipality.pk)
        now = timezone.now()
        for first in months:
            rows = rollup.additive_rows(municipality.pk, first) + distinct.get(first, [])
            MonthlyFigure.objects.filter(municipality=municipality, month=first).delete()
            MonthlyFigure.objects.bulk_create(
                MonthlyFigure(
                    municipality=municipality,
                    month=first,
                    figure=figure,
                    key=key,
                    since=since,
                    value=value,
                )
                for figure, key, since, value in rows
            )
            FigureRefresh.objects.update_or_create(
                municipality=municipality, month=first, defaults={"refreshed_at": now}
            )
            written += len(rows)
    log.info("figures_refreshed", municipality_id=municipality.pk, months=len(months), rows=written)
    return {"months": len(months), "rows": written}


def analyze_figures() -> None:
    """Fresh planner statistics for the rollup after a full refresh (PostgreSQL): with stale
    ones the planner sorts the summed rows on disk instead of hashing them (measured: 0.3 s)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {MonthlyFigure._meta.db_table}")


def request_figures_refresh(*, municipality_id: int) -> dt.datetime | None:
    """Note that a municipality's rollup is out of date and, the first time since its last
    refresh, queue one background refresh after ``REPORTING_REFRESH_DELAY`` seconds (default
    300), so a burst of changes (an import, a batch of outcomes, a month-end closure) costs one
    refresh. Returns the moment the queued refresh will start at the earliest (changes before it
    are covered), or None when nothing is queued: with a task backend that cannot defer work
    (the immediate one of the tests) ``bereik refresh_figures --requested`` (or the nightly
    full run) picks the request up."""
    from django.conf import settings

    from .tasks import refresh_requested_figures

    request, created = FigureRefreshRequest.objects.get_or_create(
        municipality_id=municipality_id, defaults={"requested_at": timezone.now()}
    )
    if not refresh_requested_figures.get_backend().supports_defer:
        return None
    delay = dt.timedelta(seconds=getattr(settings, "REPORTING_REFRESH_DELAY", 300))
    if created:
        refresh_requested_figures.using(run_after=request.requested_at + delay).enqueue(
            municipality_id=municipality_id
        )
    return request.requested_at + delay


# Per process: until when (``time.monotonic()``) a queued refresh of the municipality covers new
# changes, so the thousands of case moves of one import cost one query, not one each.
_covered_until: dict[int, float] = {}
_MARGIN = 30  # seconds before the refresh starts: a change after that asks again


def refresh_requested(*, municipality_id: int | None = None) -> int:
    """Refresh the municipalities with a pending request (or just the one given); returns how
    many were refreshed. The request is removed first, so changes during the refresh ask anew."""
    from bereik.accounts.models import Organisation

    requests = FigureRefreshRequest.objects.all()
    if municipality_id is not None:
        requests = requests.filter(municipality_id=municipality_id)
    done = 0
    for pk in list(requests.values_list("municipality_id", flat=True)):
        FigureRefreshRequest.objects.filter(municipality_id=pk).delete()
        municipality = Organisation.objects.filter(pk=pk).first()
        if municipality is not None:
            refresh_figures(municipality=municipality)
            done += 1
    return done


def on_case_transitioned(sender, *, municipality_id, **kwargs) -> None:
    """Receiver of ``case_transitioned`` (imports, outcomes, handovers and month-end closures all
    move cases): the municipality's figures are due for a refresh."""
    if _covered_until.get(municipality_id, 0.0) > time.monotonic():
        return
    try:
        starts = request_figures_refresh(municipality_id=municipality_id)
    except Exception:  # a receiver must not raise into the sender
        log.exception("figures_refresh_request_failed", municipality_id=municipality_id)
        return
    if starts is not None:
        seconds = (starts - timezone.now()).total_seconds() - _MARGIN
        if seconds > 0:
            _covered_until[municipality_id] = time.monotonic() + seconds
