"""Bad input: each gets a clear message, none crashes the run or loses earlier data."""

import io
import os
from unittest import mock

import pytest

from bereik.cases.models import Case, Resident, Signal
from bereik.intake.models import ImportRun
from bereik.intake.readers import open_signal_file
from bereik.portal.downloads import csv_bytes, safe_cell, xlsx_bytes

from .conftest import HEADER, csv_file, csv_row

pytestmark = pytest.mark.django_db


def test_empty_file(run_import):
    report = run_import(b"")
    assert report["status"] == "failed"
    assert report["message"] == "Het bestand is leeg."


def test_header_only(run_import):
    report = run_import((HEADER + "\n").encode())
    assert report["status"] == "failed"
    assert "geen signalen" in report["message"]
    assert report["rows"] == 0


def test_unknown_columns_are_reported_and_ignored(run_import):
    report = run_import(csv_file(csv_row() + ";x", header=HEADER + ";Klantsegment"))
    assert report["imported"] == 1
    assert any("Klantsegment" in w["message"] for w in report["warnings"])


def test_missing_required_columns_are_named(run_import):
    header = HEADER.replace("bedrag;", "").replace("signaaldatum;", "")
    row = ";".join(csv_row().split(";")[:3] + csv_row().split(";")[4:5] + csv_row().split(";")[6:])
    report = run_import(csv_file(row, header=header))
    assert report["status"] == "failed"
    assert "bedrag" in report["message"] and "signaaldatum" in report["message"]
    assert report["imported"] == 0


def test_missing_identity_columns_without_bsn_are_named(run_import):
    report = run_import(
        b"signaalpartner_type;bedrag;signaaldatum;achternaam\nZorg;100;01-11-2026;X\n"
    )
    assert report["status"] == "failed"
    for column in ("geboortedatum", "postcode", "huisnummer"):
        assert column in report["message"]


def test_binary_garbage(run_import):
    report = run_import(os.urandom(4096))
    assert report["status"] == "failed"
    assert "kan niet worden gelezen" in report["message"]


def test_damaged_xlsx(run_import):
    report = run_import(b"PK\x03\x04" + os.urandom(500))
    assert report["status"] == "failed"
    assert "beschadigd" in report["message"]


def test_old_xls(run_import):
    report = run_import(b"\xd0\xcf\x11\xe0" + os.urandom(500))
    assert ".xls" in report["message"]


def test_bad_json(run_import):
    report = run_import(b'{"leveringen": [')
    assert report["status"] == "failed"
    assert "JSON" in report["message"]


def test_json_without_signals(run_import):
    report = run_import(b'{"iets": 1}')
    assert "vroegsignalen" in report["message"]


def test_a_bsn_failing_the_eleven_test_rejects_the_row(run_import):
    report = run_import(csv_file(csv_row(), csv_row(signaal_id="S2", bsn="123456789")))
    assert (report["imported"], report["rejected"]) == (1, 1)
    assert report["errors"] == [
        {"row": 3, "column": "bsn", "message": "Het BSN voldoet niet aan de 11-proef."}
    ]


def test_future_signal_date_rejects_the_row(run_import):
    report = run_import(csv_file(csv_row(signaaldatum="01-01-2030")))
    assert report["rejected"] == 1
    assert "01-01-2030" in report["errors"][0]["message"]
    assert report["errors"][0]["column"] == "signaaldatum"


def test_negative_amount_rejects_the_row(run_import):
    report = run_import(csv_file(csv_row(bedrag="-12,50")))
    assert report["rejected"] == 1
    assert report["errors"][0]["column"] == "bedrag"
    assert "negatief" in report["errors"][0]["message"]


def test_missing_amount_and_date_are_each_reported(run_import):
    report = run_import(csv_file(csv_row(bedrag="", signaaldatum="")))
    assert {e["column"] for e in report["errors"]} == {"bedrag", "signaaldatum"}


def test_invalid_phone_is_imported_and_kept_invalid(run_import):
    report = run_import(csv_file(csv_row(telefoonnummer="06-1234")))
    assert report["imported"] == 1
    assert "06-1234" in report["warnings"][0]["message"]
    number = Resident.objects.get().phone_numbers.get()
    assert (number.raw, number.status) == ("06-1234", "invalid")
    assert Case.objects.get().state == "enrichment"


def test_duplicated_rows_are_reported_once_imported(run_import):
    report = run_import(csv_file(csv_row(), csv_row()))
    assert (report["imported"], report["duplicates"]) == (1, 1)
    assert "rij 2" in report["warnings"][0]["message"]


def test_row_with_too_many_fields(run_import):
    report = run_import(csv_file(csv_row() + ";extra;velden"))
    assert report["rejected"] == 1
    assert "scheidingsteken" in report["errors"][0]["message"]


def test_csv_injection_is_stored_as_text_and_escaped_on_export(run_import):
    attack = '=HYPERLINK("http://kwaad.example","klik")'
    report = run_import(csv_file(csv_row(achternaam=attack)))
    assert report["imported"] == 1
    assert Resident.objects.get().surname == attack
    exported = csv_bytes(["achternaam"], [[attack], ["+31 6"], ["-1"], ["@SUM(1)"], ["\tx"]])
    text = exported.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    for line in text.splitlines()[1:]:
        assert line.lstrip('"').startswith("'")


def test_xlsx_export_escapes_formulas():
    from openpyxl import load_workbook

    content = xlsx_bytes(["naam"], [["=1+1"]])
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["A2"].value == "'=1+1"
    assert sheet["A2"].data_type == "s"


@pytest.mark.parametrize("value", ["=A1", "+1", "-1", "@x", "\tx", "\rx"])
def test_safe_cell(value):
    assert safe_cell(value) == "'" + value


def test_large_files_are_streamed_not_read_whole():
    """A 200 MB file is read as a stream: after the first record only a small part is read."""

    class CountingStream(io.BytesIO):
        bytes_read = 0

        def read(self, size=-1):
            data = super().read(size)
            self.bytes_read += len(data)
            return data

        def read1(self, size=-1):
            data = super().read1(size)
            self.bytes_read += len(data)
            return data

    content = csv_file(*(csv_row(signaal_id=f"S{i}") for i in range(40000)))
    stream = CountingStream(content)
    signal_file = open_signal_file(stream)
    next(signal_file.records)
    assert stream.bytes_read < len(content) / 10


def test_a_crash_while_storing_leaves_nothing_and_a_rerun_works(run_import):
    run_import(csv_file(csv_row(signaal_id="EARLIER", bsn="123456782")))
    with (
        mock.patch("bereik.intake.services.route", side_effect=RuntimeError("stroomstoring")),
        pytest.raises(RuntimeError),
    ):
        run_import(csv_file(csv_row(), csv_row(signaal_id="S2")))
    assert Signal.objects.count() == 1  # only the earlier import: nothing partial, nothing lost
    failed = ImportRun.objects.order_by("-pk").first()
    assert failed.status == ImportRun.Status.FAILED
    assert "niets opgeslagen" in failed.message
    report = run_import(csv_file(csv_row(), csv_row(signaal_id="S2")))
    assert (report["status"], report["imported"]) == ("done", 2)


def test_all_or_nothing_imports_nothing_when_a_row_fails(run_import):
    report = run_import(
        csv_file(csv_row(), csv_row(signaal_id="S2", bedrag="-1")),
        mode=ImportRun.Mode.ALL_OR_NOTHING,
    )
    assert report["status"] == "failed"
    assert (report["imported"], report["rejected"]) == (0, 1)
    assert Signal.objects.count() == 0


@pytest.mark.parametrize(
    "document",
    [
        b'{"vroegsignalen": 5}',
        b'{"leveringen": [{"gemeentecode": "0001", "vroegsignalen": 5}]}',
        b'{"leveringen": [{"vroegsignalen": []}, {"vroegsignalen": "abc"}]}',
        b'{"leveringen": [{"vroegsignalen": {"ID": "S1"}}]}',
    ],
)
def test_json_whose_signals_are_not_a_list(run_import, document):
    report = run_import(document)
    assert report["status"] == "failed"
    assert "“vroegsignalen”" in report["message"] and "geen lijst" in report["message"]
    assert "interne fout" not in report["message"]


def _xlsx_with_rows(count: int) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(";"))
    for number in range(count):
        sheet.append(csv_row(signaal_id=f"S{number}", achternaam=f"Naam{number}").split(";"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _damage_sheet(content: bytes, how: str) -> bytes:
    """The workbook with its first sheet damaged well after the header row."""
    import zipfile

    sheet_name = "xl/worksheets/sheet1.xml"
    source = zipfile.ZipFile(io.BytesIO(content))
    if how == "deflate":  # flip bytes in the middle of the sheet's compressed data
        info = source.getinfo(sheet_name)
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
        middle = start + info.compress_size // 2
        damaged = bytearray(content)
        for offset in range(middle, middle + 64):
            damaged[offset] ^= 0xFF
        return bytes(damaged)
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == sheet_name:  # the XML breaks off halfway, in the middle of a row
                data = data[: len(data) // 2] + b"<c r=\x01 garbage"
            target.writestr(item, data)
    return output.getvalue()


@pytest.mark.parametrize("how", ["deflate", "xml"])
def test_xlsx_damaged_after_the_header_row(run_import, how):
    content = _damage_sheet(_xlsx_with_rows(3000), how)
    report = run_import(content)
    assert report["status"] == "failed"
    assert report["format"] == "xlsx"
    assert "beschadigd vanaf rij" in report["message"]
    assert "interne fout" not in report["message"]
    assert report["imported"] == 0
    assert Signal.objects.count() == 0
