"""Reading signal files as a stream of records: CSV (``,`` ``;`` or tab; UTF-8 with or without BOM,
UTF-16 with BOM, cp1252), XLSX (openpyxl, read-only) and the DDAS JSON exchange model.

A reader never holds the whole file in memory (except JSON, which the standard library parses
at once; DDAS deliveries are monthly and small, and uploads are capped). Each record is the
cell values by canonical column name; row numbers are what the user sees: the spreadsheet row
(the header is row 1) for CSV/XLSX, the signal's sequence number for JSON.
"""

import codecs
import csv
import io
import json
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from django.utils.translation import gettext as _

from . import columns as c
from .columns import ColumnMap, header_key, resolve_headers

HEAD_BYTES = 64 * 1024
csv.field_size_limit(1024 * 1024)


class UnreadableFile(Exception):
    """The file as a whole cannot be read; ``message`` says why, in the user's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(slots=True)
class Record:
    row: int
    values: dict[str, object]
    phones: list[object] = field(default_factory=list)
    problem: str = ""  # a reason to reject the whole record (e.g. another municipality's data)
    problem_column: str = ""


@dataclass
class SignalFile:
    format: str  # "csv", "xlsx" or "json"
    column_map: ColumnMap
    records: Iterator[Record]
    encoding: str = ""
    delimiter: str = ""
    label_overrides: dict[str, str] = field(default_factory=dict)

    def label(self, canonical: str) -> str:
        """The column name as the user knows it from the file."""
        return self.label_overrides.get(canonical) or self.column_map.header_of(canonical)


def open_signal_file(
    stream: BinaryIO, *, profile_mapping: dict | None = None, municipality_code: str = ""
) -> SignalFile:
    """Detect the format and return a streaming reader. Raises ``UnreadableFile``."""
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    if not head.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        raise UnreadableFile(_("The file is empty."))
    if head.startswith(b"PK\x03\x04"):
        return _open_xlsx(stream, profile_mapping)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile(
            _("This is an old Excel file (.xls). Save it as .xlsx or CSV and upload it again.")
        )
    encoding = _detect_encoding(head)
    text_head = head.decode(encoding, errors="replace").lstrip("\ufeff \t\r\n")
    if text_head[:1] in ("{", "["):
        return _open_json(stream, encoding, municipality_code)
    return _open_csv(stream, encoding, text_head, profile_mapping)


def _detect_encoding(head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    garbage = _("The file cannot be read: it is not a CSV, XLSX or JSON signal file.")
    if b"\x00" in head:
        raise UnreadableFile(garbage)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        encoding = "utf-8-sig"
    except UnicodeDecodeError:
        encoding = "cp1252"
    decoded = head.decode(encoding, errors="replace")
    control = sum(1 for ch in decoded if (ord(ch) < 32 and ch not in "\t\r\n") or ch == "\ufffd")
    if control > max(2, len(decoded) // 100):
        raise UnreadableFile(garbage)
    return encoding


# --- CSV ----------------------------------------------------------------------------------


def _open_csv(stream, encoding: str, text_head: str, profile_mapping) -> SignalFile:
    first_line = text_head.splitlines()[0] if text_head else ""
    delimiter = max((";", ",", "\t"), key=first_line.count)
    if not first_line.count(delimiter):
        delimiter = ","
    text_stream = io.TextIOWrapper(stream, encoding=encoding, newline="", errors="strict")
    reader = csv.reader(text_stream, delimiter=delimiter)
    try:
        headers = next(reader)
    except (csv.Error, UnicodeDecodeError, StopIteration) as exc:
        raise UnreadableFile(
            _("The header row cannot be read (%(error)s).") % {"error": exc}
        ) from None
    column_map = resolve_headers(headers, profile_mapping)
    return SignalFile(
        format="csv",
        column_map=column_map,
        records=_csv_records(reader, column_map),
        encoding=encoding,
        delimiter=delimiter,
    )


def _csv_records(reader, column_map: ColumnMap) -> Iterator[Record]:
    positions = list(column_map.positions.items())
    phone_positions = column_map.phone_positions
    width = len(column_map.headers)
    row_number = 1
    try:
        for cells in reader:
            row_number += 1
            record = _record(row_number, cells, positions, phone_positions, width)
            if record is not None:
                yield record
    except csv.Error as exc:
        raise UnreadableFile(
            _("The file cannot be read from row %(row)d on (%(error)s).")
            % {"row": row_number + 1, "error": exc}
        ) from None
    except UnicodeDecodeError:
        raise UnreadableFile(
            _("The file switches character encoding after row %(row)d; save it again as UTF-8 CSV.")
            % {"row": row_number}
        ) from None


def _record(row_number, cells, positions, phone_positions, width) -> Record | None:
    count = len(cells)
    values = {name: cells[pos] if pos < count else None for name, pos in positions}
    record = Record(row_number, values, [cells[pos] for pos in phone_positions if pos < count])
    if count > width and any(str(cell).strip() for cell in cells[width:] if cell is not None):
        record.problem = _(
            "The row has %(count)d fields but the header has %(width)d; check the separator "
            "and quotes."
        ) % {"count": count, "width": width}
    elif not any(cell not in (None, "") and str(cell).strip() for cell in cells):
        return None  # blank line
    return record


# --- XLSX ---------------------------------------------------------------------------------


def _open_xlsx(stream, profile_mapping) -> SignalFile:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        headers = None
        header_row = 0
        for header_row, cells in enumerate(rows, start=1):  # noqa: B007
            if any(cell not in (None, "") for cell in cells):
                headers = ["" if cell is None else str(cell) for cell in cells]
                break
    except (zipfile.BadZipFile, InvalidFileException, KeyError, IndexError, OSError, ValueError):
        raise UnreadableFile(
            _("The file cannot be read: it looks like an Excel file but is damaged.")
        ) from None
    if headers is None:
        raise UnreadableFile(_("The file is empty."))
    column_map = resolve_headers(headers, profile_mapping)
    return SignalFile(
        format="xlsx", column_map=column_map, records=_xlsx_records(rows, column_map, header_row)
    )


# What a damaged workbook raises while its rows are read (the sheet is read lazily, so damage
# after the header row shows only then): zip and deflate errors, XML syntax errors (a
# SyntaxError, from lxml or ElementTree), and openpyxl's own complaints about cell values.
_DAMAGED_XLSX = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    SyntaxError,
    KeyError,
    IndexError,
    ValueError,
    TypeError,
)


def _xlsx_records(rows, column_map: ColumnMap, header_row: int) -> Iterator[Record]:
    positions = list(column_map.positions.items())
    width = len(column_map.headers)
    row_number = header_row
    while True:
        try:
            cells = next(rows)
        except StopIteration:
            return
        except _DAMAGED_XLSX:
            raise UnreadableFile(
                _(
                    "The Excel file is damaged from row %(row)d on; save it again in Excel (or "
                    "as CSV) and upload it again."
                )
                % {"row": row_number + 1}
            ) from None
        row_number += 1
        record = _record(row_number, cells, positions, column_map.phone_positions, width)
        if record is not None:
            yield record


# --- DDAS JSON ----------------------------------------------------------------------------

_CLIENT_FIELDS = {
    "burgerservicenummer": c.BSN,
    "bsn": c.BSN,
    "voorletters": c.INITIALS,
    "voorvoegsel": c.PREFIX,
    "achternaam": c.SURNAME,
    "geboortedatum": c.BIRTH_DATE,
    "straatnaam": c.STREET,
    "postcode": c.POSTCODE,
    "huisnummer": c.HOUSE_NUMBER,
    "huisnummertoevoeging": c.ADDITION,
    "plaatsnaam": c.CITY,
    "email": c.EMAIL,
    "emailadres": c.EMAIL,
}
_SIGNAL_FIELDS = {
    "id": c.SIGNAL_ID,
    "crisissignaal": c.CRISIS,
    "warmeoverdracht": c.WARM_HANDOVER,
    "bedrag": c.AMOUNT,
    "ontstaansdatum": c.ARREARS_SINCE,
    "signaaldatum": c.SIGNAL_DATE,
    "status": c.STATUS,
}
JSON_LABELS = {
    c.SIGNAL_ID: "ID",
    c.CRISIS: "crisissignaal",
    c.WARM_HANDOVER: "warmeOverdracht",
    c.AMOUNT: "bedrag",
    c.ARREARS_SINCE: "ontstaansdatum",
    c.SIGNAL_DATE: "signaaldatum",
    c.STATUS: "status",
    c.PARTNER_TYPE: "signaalpartner.type",
    c.PARTNER_NAME: "signaalpartner.naam",
    c.BSN: "client.Burgerservicenummer",
    c.INITIALS: "client.Voorletters",
    c.PREFIX: "client.Voorvoegsel",
    c.SURNAME: "client.Achternaam",
    c.BIRTH_DATE: "client.Geboortedatum",
    c.STREET: "client.Straatnaam",
    c.HOUSE_NUMBER: "client.Huisnummer",
    c.ADDITION: "client.Huisnummertoevoeging",
    c.POSTCODE: "client.Postcode",
    c.CITY: "client.Plaatsnaam",
    c.PHONE: "client.Telefoonnummer",
    c.EMAIL: "client.Email",
    "gemeentecode": "gemeentecode",
}


def _open_json(stream, encoding: str, municipality_code: str) -> SignalFile:
    try:
        document = json.load(io.TextIOWrapper(stream, encoding=encoding))
    except (ValueError, UnicodeDecodeError) as exc:
        raise UnreadableFile(
            _("The file is not valid JSON (%(error)s).") % {"error": str(exc)[:200]}
        ) from None
    deliveries = _deliveries(document)
    if deliveries is None:
        raise UnreadableFile(
            _(
                "The JSON file has no “vroegsignalen”; expected the DDAS exchange model "
                "(leveringen → vroegsignalen)."
            )
        )
    column_map = ColumnMap(headers=[])
    return SignalFile(
        format="json",
        column_map=column_map,
        records=_json_records(deliveries, municipality_code),
        encoding=encoding,
        label_overrides=JSON_LABELS,
    )


def _deliveries(document) -> list[tuple[str, list]] | None:
    """``[(gemeentecode, signals), ...]`` from a delivery file, a single delivery or a list."""
    if isinstance(document, list):
        return [("", document)]
    if not isinstance(document, dict):
        return None
    if isinstance(document.get("leveringen"), list):
        return [
            (str(delivery.get("gemeentecode") or ""), _signal_list(delivery, number))
            for number, delivery in enumerate(document["leveringen"], start=1)
            if isinstance(delivery, dict)
        ]
    if "vroegsignalen" in document:
        return [(str(document.get("gemeentecode") or ""), _signal_list(document, 1))]
    return None


def _signal_list(delivery: dict, number: int) -> list:
    signals = delivery.get("vroegsignalen")
    if signals is None:
        return []
    if not isinstance(signals, list):
        raise UnreadableFile(
            _(
                "“vroegsignalen” of delivery %(number)d is not a list of signals; expected the "
                "DDAS exchange model (leveringen → vroegsignalen)."
            )
            % {"number": number}
        )
    return signals


def _json_records(deliveries, municipality_code: str) -> Iterator[Record]:
    row = 0
    for code, signals in deliveries:
        for signal in signals:
            row += 1
            record = Record(row, {})
            if not isinstance(signal, dict):
                record.problem = _("This entry of “vroegsignalen” is not an object.")
                yield record
                continue
            values = record.values
            for key, value in signal.items():
                hkey = header_key(key)
                if hkey in _SIGNAL_FIELDS:
                    values[_SIGNAL_FIELDS[hkey]] = value
                elif hkey == "signaalpartner" and isinstance(value, dict):
                    partner = {header_key(k): v for k, v in value.items()}
                    values[c.PARTNER_TYPE] = partner.get("type")
                    values[c.PARTNER_NAME] = partner.get("naam") or partner.get("name")
                elif hkey == "client" and isinstance(value, dict):
                    for client_key, client_value in value.items():
                        ckey = header_key(client_key)
                        if ckey in _CLIENT_FIELDS:
                            values[_CLIENT_FIELDS[ckey]] = client_value
                        elif ckey.startswith(("telefoon", "phone", "mobiel")):
                            record.phones.append(client_value)
            if code and municipality_code and code.zfill(4) != municipality_code:
                record.problem = _(
                    "This signal belongs to the delivery for municipality %(code)s, not to "
                    "%(ours)s; it is not imported."
                ) % {"code": code, "ours": municipality_code}
                record.problem_column = "gemeentecode"
            yield record
