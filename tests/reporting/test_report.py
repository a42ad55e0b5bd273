"""The monthly report: Excel with numbers as numbers and a KPI sheet first, the PDF's HTML and
magic bytes, and suppression of small counts."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from bereik.audit.models import AuditEntry
from bereik.reporting.models import ReportSettings
from bereik.reporting.report import build_report, render_html, render_xlsx
from bereik.reporting.services import export_report
from bereik.reporting.tables import SUPPRESSED, Column, Table, suppress

from .conftest import PERIOD

pytestmark = pytest.mark.django_db


def unsuppressed(municipality):
    ReportSettings.objects.filter(municipality=municipality).update(min_cell_count=1)
    return build_report(municipality=municipality, period_start=PERIOD[0], period_end=PERIOD[1])


def sheet_rows(sheet):
    return {row[0]: row[1:] for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]}


def test_xlsx_has_kpis_first_and_numbers_as_numbers(known_dataset, municipality):
    workbook = load_workbook(io.BytesIO(render_xlsx(unsuppressed(municipality))))
    assert workbook.sheetnames[0] == "Kerncijfers"
    kpis = {
        row[0]: row[1] for row in workbook["Kerncijfers"].iter_rows(min_row=7, values_only=True)
    }
    assert kpis["Ontvangen signalen"] == 10
    assert kpis["Bereik (bereikt / belbaar)"] == pytest.approx(0.4286)
    assert kpis["Kosten"] == 27.5
    assert workbook["Kerncijfers"]["A2"].value == "Gemeente Alfa"
    wrong = sheet_rows(workbook["Verkeerde nummers per partnerlabel"[:31]])
    assert wrong["Woonstad"] == (3, 1, pytest.approx(0.3333))
    assert all(isinstance(v, int | float) for v in wrong["Woonstad"])
    curve = sheet_rows(workbook["Bereik per poging"])
    assert curve["2"] == (1, 3, pytest.approx(0.4286))
    assert workbook["Bereik per poging"]["D4"].number_format == "0.0%"


def test_xlsx_suppresses_small_counts_by_default(known_dataset, municipality):
    report = build_report(municipality=municipality, period_start=PERIOD[0], period_end=PERIOD[1])
    assert report.min_count == 5
    workbook = load_workbook(io.BytesIO(render_xlsx(report)))
    wrong = sheet_rows(workbook["Verkeerde nummers per partnerlabel"[:31]])
    assert wrong["Woonstad"] == ("< 5", "< 5", "< 5")
    kpis = {
        row[0]: row[1] for row in workbook["Kerncijfers"].iter_rows(min_row=7, values_only=True)
    }
    assert kpis["Ontvangen signalen"] == 10  # 10 is not small
    assert kpis["Bereikte inwoners"] == "< 5"


def test_suppression_keeps_zero_and_large_counts():
    table = Table(
        "t",
        "T",
        (Column("x", "text"), Column("n"), Column("s", "share")),
        (("a", 0, None), ("b", 3, 0.3), ("c", 7, 0.7)),
    )
    result = suppress(table, 5)
    assert result.rows == (("a", 0, None), ("b", SUPPRESSED, SUPPRESSED), ("c", 7, 0.7))
    assert result.suppressed == 1


def test_pdf_html_has_municipality_period_charts_and_tables(known_dataset, municipality):
    html = render_html(unsuppressed(municipality))
    assert "Gemeente Alfa" in html
    assert "2026-10-01 – 2026-10-31" in html
    assert html.count("<svg") >= 5
    assert "Verkeerde nummers per partnerlabel" in html
    assert "111222333" not in html and "Jansen" not in html  # aggregates only


def test_pdf_export_is_a_pdf_and_audited(known_dataset, municipality):
    content = export_report(
        municipality=municipality,
        period_start=PERIOD[0],
        period_end=PERIOD[1],
        file_format="pdf",
    )
    assert content.startswith(b"%PDF")
    entry = AuditEntry.objects.get(object_type="reporting.monthly_report")
    assert entry.action == "export" and entry.detail["format"] == "pdf"


def test_empty_month_gives_a_valid_report(municipality):
    report = build_report(
        municipality=municipality, period_start=dt.date(2025, 2, 1), period_end=dt.date(2025, 2, 28)
    )
    workbook = load_workbook(io.BytesIO(render_xlsx(report)))
    kpis = {
        row[0]: row[1] for row in workbook["Kerncijfers"].iter_rows(min_row=7, values_only=True)
    }
    assert kpis["Ontvangen signalen"] == 0
    assert kpis["Bereik (bereikt / belbaar)"] == "–"


def test_xlsx_never_turns_partner_text_into_a_formula():
    from bereik.reporting.tables import TEXT, Report

    table = Table(
        key="labels",
        title="Labels",
        columns=(Column("Label", TEXT), Column("Aantal")),
        rows=(('=HYPERLINK("http://evil.example","klik")', 7),),
    )
    report = Report(
        title="Maandrapportage",
        municipality_names=["Gemeente Alfa"],
        period_start=PERIOD[0].isoformat(),
        period_end=PERIOD[1].isoformat(),
        tables=[table],
    )
    sheet = load_workbook(io.BytesIO(render_xlsx(report)))["Labels"]
    assert sheet["A4"].value == '\'=HYPERLINK("http://evil.example","klik")'
    assert sheet["A4"].data_type == "s"
    assert sheet["B4"].value == 7
