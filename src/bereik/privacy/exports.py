"""The exit export (everything of one municipality as a ZIP of CSV and JSON files with a README
and a manifest) and the inzage (everything about one resident as JSON or PDF).

Both collect the same tables: this app's core tables (organisation, residents, phone numbers,
cases, signals, transitions, objections, legal holds, ...) and whatever other apps register with
``registry.register_exporter``. Every export is audited as an EXPORT entry (counts only).
"""

import csv
import datetime
import io
import json
import shutil
import tempfile
import zipfile
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone

from bereik.audit.models import AuditAction
from bereik.audit.services import record
from bereik.cases.models import Case, PhoneNumber, Resident, Signal
from bereik.cases.workflow import CaseTransition
from bereik.portal.downloads import safe_cell

from . import registry
from .models import LegalHold, Objection, PurgedCase, PurgeRun, RetentionTerm
from .registry import Column, Table

FORMAT_VERSION = "1.0"


def _value(value):
    """A JSON-native value: dates and times in ISO 8601, amounts as decimal strings."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _table(name: str, description: str, queryset, columns: list[tuple[str, str]], **renames):
    """A table of a queryset's values; ``renames`` maps a column to the lookup it reads."""
    lookups = [renames.get(column, column) for column, _ in columns]
    names = [column for column, _ in columns]
    rows = (
        dict(zip(names, values, strict=True))
        for values in queryset.order_by("pk").values_list(*lookups).iterator(chunk_size=2000)
    )
    return Table(
        name=name,
        description=description,
        columns=[Column(column, text) for column, text in columns],
        rows=rows,
    )


def core_tables(*, municipality, resident_ids: list[int] | None) -> list[Table]:
    """The tables of cases and privacy; all of the municipality, or only about these residents."""
    residents = Resident.objects.filter(municipality=municipality)
    cases = Case.objects.filter(municipality=municipality)
    signals = Signal.objects.filter(municipality=municipality)
    if resident_ids is not None:
        residents = residents.filter(pk__in=resident_ids)
        cases = cases.filter(resident_id__in=resident_ids)
        signals = signals.filter(resident_id__in=resident_ids)
    case_ids = cases.values("pk")
    tables = []
    if resident_ids is None:
        tables.append(
            Table(
                name="organisation",
                description="The municipality this export is of.",
                columns=[
                    Column("id", "Internal id."),
                    Column("name", "Name."),
                    Column("municipality_code", "CBS municipality code (4 digits)."),
                ],
                rows=[
                    {
                        "id": municipality.pk,
                        "name": municipality.name,
                        "municipality_code": municipality.municipality_code,
                    }
                ],
            )
        )
    tables += [
        _table(
            "residents",
            "Residents (DDAS client). Anonymised residents have empty personal fields and an "
            "anonymised_at time.",
            residents,
            [
                ("id", "Internal id; other files refer to it as resident_id."),
                ("bsn", "Citizen service number (BSN), 9 digits."),
                ("initials", "Initials (voorletters)."),
                ("surname_prefix", "Surname prefix (voorvoegsel)."),
                ("surname", "Surname (achternaam)."),
                ("birth_date", "Birth date, YYYY-MM-DD."),
                ("street", "Street (straatnaam)."),
                ("house_number", "House number."),
                ("house_number_addition", "House number addition."),
                ("postcode", "Postcode, 1234AB."),
                ("city", "City (plaatsnaam)."),
                ("email", "E-mail address."),
                ("created_at", "When the resident was first stored, ISO 8601."),
                (
                    "anonymised_at",
                    "When the retention purge anonymised the resident; empty if not.",
                ),
            ],
        ),
        _table(
            "phone_numbers",
            "Phone numbers of residents.",
            PhoneNumber.objects.filter(resident__in=residents.values("pk")),
            [
                ("id", "Internal id."),
                ("resident_id", "The resident (residents.id)."),
                ("raw", "The number as delivered."),
                ("e164", "The number in E.164 form (+31...)."),
                ("kind", "mobile, landline or unknown."),
                ("status", "valid, invalid, retired or exhausted."),
                ("source", "signal, enrichment or manual."),
                ("position", "Order of preference (0 first)."),
                ("created_at", "When stored, ISO 8601."),
            ],
        ),
        _table(
            "cases",
            "Cases (DDAS vroegsignaalzaak): one resident in one matching period.",
            cases,
            [
                ("id", "Internal id; other files refer to it as case_id."),
                ("reference", "Case reference; ANON-<id> once purged."),
                ("resident_id", "The resident (residents.id)."),
                ("matching_period", "First day of the matching month, YYYY-MM-DD."),
                ("matched_on", "Matching date (matchingsdatum)."),
                ("picked_up_on", "Date picked up (datum opgepakt); empty if not."),
                ("state", "Current state (see docs/exit-export.md for the values)."),
                ("end_result", "DDAS end result (EnumEindresultaat) once closed."),
                ("is_crisis", "true for a crisis case."),
                ("due_on", "Deadline for first contact."),
                ("recidive_of_id", "Earlier case of the same resident (cases.id), if recidive."),
                ("created_at", "When created, ISO 8601."),
                ("updated_at", "Last change, ISO 8601."),
            ],
        ),
        _table(
            "signals",
            "Signals (DDAS vroegsignaal) from signal partners.",
            signals,
            [
                ("id", "Internal id."),
                ("case_id", "The case (cases.id); empty if not matched."),
                ("resident_id", "The resident (residents.id)."),
                ("source", "Where the signal came from (RIS, VPS, a partner)."),
                ("external_id", "The signal's ID at the source; empty once purged."),
                ("partner_type", "DDAS signaalpartner type (Energie, Huur, Zorg, ...)."),
                ("partner_name", "The signal partner."),
                ("amount", "Arrears in euros, decimal point."),
                ("arrears_since", "Date the arrears arose (ontstaansdatum)."),
                ("signal_date", "Signal date (signaaldatum)."),
                ("is_crisis", "true for a crisis signal."),
                ("warm_handover", "true when the partner asked for a warm handover."),
                ("status", "Status at the source."),
                ("created_at", "When stored, ISO 8601."),
            ],
        ),
        _table(
            "case_transitions",
            "The timeline of every case: each change of state.",
            CaseTransition.objects.filter(case__in=case_ids),
            [
                ("id", "Internal id."),
                ("case_id", "The case (cases.id)."),
                ("from_state", "State before."),
                ("to_state", "State after."),
                ("actor", "User name of the staff member; empty for the system."),
                ("reason", "Reason given; emptied by the retention purge."),
                ("end_result", "DDAS end result given with a closure."),
                ("occurred_at", "When, ISO 8601."),
            ],
            actor="actor__username",
        ),
        _table(
            "objections",
            "Objections of residents to being contacted (AVG art. 21) and their withdrawal.",
            Objection.objects.filter(resident__in=residents.values("pk")),
            [
                ("id", "Internal id."),
                ("resident_id", "The resident (residents.id)."),
                ("received_on", "Date the objection was received."),
                ("channel", "phone, letter, email, in_person or other."),
                ("note", "Note by the staff member."),
                ("recorded_by", "User name of who recorded it."),
                ("recorded_at", "When recorded, ISO 8601."),
                ("withdrawn_on", "Date of withdrawal; empty while the objection holds."),
                ("withdrawal_channel", "Channel of the withdrawal."),
                ("withdrawal_note", "Note on the withdrawal."),
                ("withdrawn_by", "User name of who recorded the withdrawal."),
            ],
            recorded_by="recorded_by__username",
            withdrawn_by="withdrawn_by__username",
        ),
        _table(
            "legal_holds",
            "Legal holds: while active (lifted_at empty) the retention purge skips the case.",
            LegalHold.objects.filter(case__in=case_ids),
            [
                ("id", "Internal id."),
                ("case_id", "The case (cases.id)."),
                ("reason", "Why the case is held."),
                ("placed_by", "User name of who placed it."),
                ("placed_at", "When placed, ISO 8601."),
                ("lifted_by", "User name of who lifted it."),
                ("lifted_at", "When lifted, ISO 8601; empty while active."),
                ("lift_reason", "Why it was lifted."),
            ],
            placed_by="placed_by__username",
            lifted_by="lifted_by__username",
        ),
    ]
    if resident_ids is None:
        tables += [
            _table(
                "retention_terms",
                "Retention terms of the municipality (months; see docs/privacy.md). Categories "
                "without a row use the defaults 6/12/18.",
                RetentionTerm.objects.filter(municipality=municipality),
                [
                    ("category", "not_picked_up, picked_up or follow_up."),
                    ("months", "Months after the start date."),
                ],
            ),
            _table(
                "purge_runs",
                "Runs of the retention purge (counts only).",
                PurgeRun.objects.filter(municipality=municipality),
                [
                    ("id", "Internal id."),
                    ("started_at", "Start, ISO 8601."),
                    ("finished_at", "End, ISO 8601."),
                    ("reference_date", "The date terms were measured against."),
                    ("status", "running, done or failed."),
                    ("cases_purged", "Cases purged."),
                    ("skipped_legal_hold", "Cases past their term but under a legal hold."),
                    ("counts", "Rows per category, JSON object."),
                    ("by_category", "Cases per retention category, JSON object."),
                ],
            ),
            _table(
                "purged_cases",
                "Cases whose personal data the retention purge removed, with the anonymous "
                "remnant kept for reports.",
                PurgedCase.objects.filter(municipality=municipality),
                [
                    ("case_id", "The case (cases.id)."),
                    ("run_id", "The purge run (purge_runs.id)."),
                    ("category", "Retention category applied."),
                    ("purged_at", "When, ISO 8601."),
                    ("age_band", "Age band at matching (e.g. 25-34)."),
                    ("postcode_area", "The four digits of the postcode."),
                ],
            ),
        ]
    return tables


def collect_tables(*, municipality, resident_ids: list[int] | None) -> list[Table]:
    tables = core_tables(municipality=municipality, resident_ids=resident_ids)
    for name, exporter in registry.exporters().items():
        for table in exporter(municipality=municipality, resident_ids=resident_ids):
            table.name = f"{name}_{table.name}" if not table.name.startswith(name) else table.name
            tables.append(table)
    return tables


def _csv_text(value) -> str:
    value = _value(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return safe_cell(value)


def _write_table(archive: zipfile.ZipFile, table: Table) -> int:
    """Write one table as ``<name>.csv`` and ``<name>.json`` in one pass over its rows.

    A ZIP takes one entry at a time: the CSV streams into the archive while the JSON collects in
    a spooled temporary file, copied in afterwards. Returns the number of rows.
    """
    names = [column.name for column in table.columns]
    rows = 0
    with (
        tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024) as json_file,
        archive.open(f"{table.name}.csv", "w") as csv_file,
    ):
        csv_text = io.TextIOWrapper(csv_file, encoding="utf-8", newline="")
        writer = csv.writer(csv_text, lineterminator="\r\n")
        writer.writerow(names)
        json_file.write(b"[")
        for row in table.rows:
            writer.writerow([_csv_text(row.get(name)) for name in names])
            item = json.dumps({name: _value(row.get(name)) for name in names}, ensure_ascii=False)
            json_file.write((b"," if rows else b"") + b"\n" + item.encode())
            rows += 1
        json_file.write(b"\n]\n")
        csv_text.flush()
        csv_text.detach()
        csv_file.close()
        json_file.seek(0)
        with archive.open(f"{table.name}.json", "w") as target:
            shutil.copyfileobj(json_file, target)
    return rows


def _manifest(municipality, created_at, written: list[tuple[Table, int]]) -> dict:
    return {
        "format": "bereik-exit-export",
        "format_version": FORMAT_VERSION,
        "created_at": timezone.localtime(created_at).isoformat(timespec="seconds"),
        "municipality": {
            "name": municipality.name,
            "municipality_code": municipality.municipality_code,
        },
        "encoding": "UTF-8",
        "csv": "RFC 4180: comma separated, double-quoted where needed, header row, CRLF",
        "tables": [
            {
                "name": table.name,
                "description": table.description,
                "files": [f"{table.name}.csv", f"{table.name}.json"],
                "rows": rows,
                "columns": [
                    {"name": column.name, "description": column.description}
                    for column in table.columns
                ],
            }
            for table, rows in written
        ],
    }


def write_municipality_export(*, municipality, target, actor=None) -> dict:
    """Write the exit export as a ZIP to ``target`` (a path or binary file) and audit it.

    Returns the manifest. CSV values that a spreadsheet would evaluate as a formula get a leading
    apostrophe; the JSON files hold the values unchanged.
    """
    created_at = timezone.now()
    written: list[tuple[Table, int]] = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in collect_tables(municipality=municipality, resident_ids=None):
            written.append((table, _write_table(archive, table)))
        manifest = _manifest(municipality, created_at, written)
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
        archive.writestr(
            "README.md", render_to_string("privacy/export_readme.md", {"manifest": manifest})
        )
    record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="privacy.municipality_export",
        object_id=municipality.pk,
        organisation=municipality,
        detail={
            "format": "zip",
            "rows": {table.name: rows for table, rows in written},
        },
    )
    return manifest


# --- inzage (AVG art. 15) ---------------------------------------------------------------------


def resident_data(resident) -> dict:
    """Every personal datum held about the resident, across apps, as JSON-native values."""
    tables = collect_tables(municipality=resident.municipality, resident_ids=[resident.pk])
    return {
        "format": "bereik-inzage",
        "format_version": FORMAT_VERSION,
        "created_at": timezone.localtime().isoformat(timespec="seconds"),
        "municipality": {
            "name": resident.municipality.name,
            "municipality_code": resident.municipality.municipality_code,
        },
        "resident_id": resident.pk,
        "tables": [
            {
                "name": table.name,
                "description": table.description,
                "columns": [
                    {"name": column.name, "description": column.description}
                    for column in table.columns
                ],
                "rows": [
                    {column.name: _value(row.get(column.name)) for column in table.columns}
                    for row in table.rows
                ],
            }
            for table in tables
        ],
    }


def _audit_inzage(resident, data: dict, *, actor, fmt: str) -> None:
    record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=resident,
        detail={
            "format": fmt,
            "purpose": "inzage",
            "rows": {table["name"]: len(table["rows"]) for table in data["tables"]},
        },
    )


def inzage_json(resident, *, actor) -> bytes:
    data = resident_data(resident)
    _audit_inzage(resident, data, actor=actor, fmt="json")
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def inzage_pdf(resident, *, actor) -> bytes:
    """The inzage as PDF, rendered with WeasyPrint from an HTML template."""
    from weasyprint import HTML

    data = resident_data(resident)
    for table in data["tables"]:
        names = [column["name"] for column in table["columns"]]
        table["cells"] = [[row[name] for name in names] for row in table["rows"]]
    html = render_to_string("privacy/inzage_pdf.html", {"data": data})
    pdf = HTML(string=html).write_pdf()
    _audit_inzage(resident, data, actor=actor, fmt="pdf")
    return pdf
