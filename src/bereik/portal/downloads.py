"""Spreadsheet files Bereik hands out (error reports, enrichment, audit and privacy exports): CSV
and XLSX, safe against formula injection. A cell that starts with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return would be run as a formula by Excel or LibreOffice (``=HYPERLINK(...)``);
it is written with a leading apostrophe, so it is shown as the text it is (OWASP's advice)."""

import csv
import io

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The value as text, defused with a leading apostrophe when a spreadsheet would evaluate it."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def csv_bytes(header: list[str], rows) -> bytes:
    """UTF-8 with BOM and ``;``: what Dutch Excel opens correctly with a double click."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(header: list[str], rows, title: str = "Export") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append([safe_cell(h) for h in header])
    for row in rows:
        sheet.append([safe_cell(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
