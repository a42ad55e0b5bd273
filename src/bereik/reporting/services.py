"""Writes and exports of reporting, each audited (no personal data in the audit detail)."""

import datetime as dt
import json

import structlog
from django.db import transaction

from bereik.audit.models import AuditAction
from bereik.audit.services import record

from . import ddas
from .models import ReportSettings
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
