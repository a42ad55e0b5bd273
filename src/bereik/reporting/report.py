"""The monthly report of one municipality as an Excel workbook and a PDF, like the pilot's
interim report: the KPIs, every table (Excel: one sheet each; PDF: with its chart).

Reports are aggregates only. Both files leave the municipality's environment (they are
downloaded, mailed, presented to the council), so small counts are always suppressed in them
(``tables.suppress``) with the municipality's minimum count (default 5). The dashboard on screen
and the figures JSON for the municipality's own BI tools are not suppressed: they stay within
the organisation and behind its login.
"""

import datetime as dt
import io

from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bereik.portal.downloads import safe_cell

from .charts import bar_chart
from .figures import compute
from .models import DEFAULT_MIN_CELL_COUNT, ReportSettings
from .tables import (
    COUNT,
    DAYS,
    MONEY,
    SHARE,
    SUPPRESSED,
    TEXT,
    Report,
    kpis,
    suppress,
    suppress_kpis,
    tables,
)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("xlsx", "pdf")
_NUMBER_FORMATS = {COUNT: "#,##0", SHARE: "0.0%", DAYS: "0.0", MONEY: "€ #,##0.00"}


def min_count_for(municipality) -> int:
    settings = ReportSettings.objects.filter(municipality=municipality).first()
    return settings.min_cell_count if settings else DEFAULT_MIN_CELL_COUNT


def build_report(*, municipality, period_start: dt.date, period_end: dt.date) -> Report:
    """The suppressed report of one municipality for the period."""
    figures = compute(
        municipality_ids=[municipality.pk], period_start=period_start, period_end=period_end
    )
    min_count = min_count_for(municipality)
    report = Report(
        title=_("Vroegsignalering results"),
        municipality_names=[municipality.name],
        period_start=period_start.isoformat(),
        period_end=period_end.isoformat(),
        kpis=suppress_kpis(kpis(figures), min_count),
        tables=[suppress(table, min_count) for table in tables(figures)],
        min_count=min_count,
    )
    return report


def _cell(sheet, row: int, column: int, value, kind: str, min_count: int):
    cell = sheet.cell(row=row, column=column)
    if value == SUPPRESSED:
        cell.value = f"< {min_count}"
    elif value is None:
        cell.value = "–" if kind != TEXT else ""
    else:
        # Text comes from partner files and user names: never let a spreadsheet run it.
        cell.value = value if kind != TEXT else safe_cell(value)
        if kind in _NUMBER_FORMATS:
            cell.number_format = _NUMBER_FORMATS[kind]
    return cell


def render_xlsx(report: Report) -> bytes:
    """A workbook with the KPI sheet first and one sheet per table; numbers are numbers."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("KPIs")
    bold = Font(bold=True)
    sheet["A1"] = report.title
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = ", ".join(report.municipality_names)
    sheet["A3"] = _("Period")
    sheet["B3"] = f"{report.period_start} – {report.period_end}"
    sheet["A4"] = _("Counts below %(n)s are not shown (“< %(n)s”).") % {"n": report.min_count}
    sheet.cell(row=6, column=1, value=_("Figure")).font = bold
    sheet.cell(row=6, column=2, value=_("Value")).font = bold
    sheet.cell(row=6, column=3, value=_("Note")).font = bold
    for index, kpi in enumerate(report.kpis, start=7):
        sheet.cell(row=index, column=1, value=str(kpi.label))
        _cell(sheet, index, 2, kpi.value, kpi.kind, report.min_count)
        sheet.cell(row=index, column=3, value=str(kpi.note))
    sheet.column_dimensions["A"].width = 50
    sheet.column_dimensions["B"].width = 16
    used = {sheet.title}
    for table in report.tables:
        name = table.sheet_name
        suffix = 2
        while name in used:
            name = f"{table.sheet_name[:28]} {suffix}"
            suffix += 1
        used.add(name)
        tab = workbook.create_sheet(name)
        tab.cell(row=1, column=1, value=str(table.title)).font = Font(bold=True, size=12)
        for column_index, column in enumerate(table.columns, start=1):
            tab.cell(row=3, column=column_index, value=str(column.label)).font = bold
            tab.column_dimensions[get_column_letter(column_index)].width = (
                45 if column.kind == TEXT else 16
            )
        for row_index, row in enumerate(table.rows, start=4):
            for column_index, (column, value) in enumerate(
                zip(table.columns, row, strict=True), start=1
            ):
                _cell(tab, row_index, column_index, value, column.kind, report.min_count)
        if not table.rows:
            tab.cell(row=4, column=1, value=_("No data in this period."))
        if table.note:
            tab.cell(row=len(table.rows) + 5, column=1, value=str(table.note))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render_html(report: Report) -> str:
    """The HTML the PDF is printed from (also useful to test the PDF's content)."""
    return render_to_string(
        "reporting/report_pdf.html",
        {
            "report": report,
            "sections": [(table, bar_chart(table)) for table in report.tables],
            "generated_at": formats.date_format(timezone.localtime(), "DATETIME_FORMAT"),
            "min_count": report.min_count,
        },
    )


def render_pdf(report: Report) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_html(report)).write_pdf()


def render(report: Report, file_format: str) -> bytes:
    if file_format == "xlsx":
        return render_xlsx(report)
    if file_format == "pdf":
        return render_pdf(report)
    raise ValueError(file_format)
