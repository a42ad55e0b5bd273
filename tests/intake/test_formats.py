"""The formats signal files come in: CSV with , or ;, UTF-8 with or without BOM, cp1252, XLSX
and the DDAS JSON exchange model, with Dutch or English headers in any case and spacing."""

import io
import json

import pytest
from openpyxl import Workbook

from bereik.cases.models import Resident, Signal
from bereik.intake.models import MappingProfile

from .conftest import DATA, HEADER, csv_file, csv_row

pytestmark = pytest.mark.django_db


def test_semicolon_csv(run_import):
    report = run_import(csv_file(csv_row()))
    assert (report["rows"], report["imported"], report["rejected"]) == (1, 1, 0)


def test_comma_csv_with_bom(run_import):
    header = HEADER.replace(";", ",")
    row = csv_row(bedrag="250.00").replace(";", ",")
    report = run_import(("\ufeff" + header + "\n" + row + "\n").encode())
    assert report["imported"] == 1
    assert Signal.objects.get().external_id == "S1"


def test_cp1252_csv_keeps_accented_names(run_import):
    content = (HEADER + "\n" + csv_row(achternaam="Hoëk", plaatsnaam="Eén") + "\n").encode("cp1252")
    report = run_import(content)
    assert report["imported"] == 1
    resident = Resident.objects.get()
    assert (resident.surname, resident.city) == ("Hoëk", "Eén")


def test_english_headers_in_any_case_and_spacing(run_import):
    header = (
        "Signal ID;PARTNER TYPE; partner name ;Amount;Arrears since;Signal date;Crisis;"
        "Warm handover;Citizen service number;Initials;Prefix;Surname;Date of birth;Street;"
        "House number;Addition;Postal code;City;Phone;Email"
    )
    report = run_import(csv_file(csv_row(), header=header))
    assert report["imported"] == 1, report


def test_phone_numbers_in_several_columns_are_combined(run_import):
    header = HEADER + ";mobiel;Telefoon 2"
    row = csv_row(telefoonnummer="") + ";06-12345678;079 1234567"
    report = run_import(csv_file(row, header=header))
    assert report["imported"] == 1
    assert Resident.objects.get().phone_numbers.count() == 2


def test_xlsx_with_typed_cells(run_import):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(";"))
    values = csv_row().split(";")
    values[3] = 250.5  # amount as number
    values[5] = 46331  # signal date as Excel serial (05-11-2026)
    values[8] = 111222333  # BSN as number
    values[18] = 612345678  # phone as number, leading zero lost
    sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = run_import(buffer.getvalue())
    assert report["format"] == "xlsx"
    assert report["imported"] == 1, report
    signal = Signal.objects.get()
    assert str(signal.amount) == "250.50"
    assert signal.signal_date.isoformat() == "2026-11-05"
    assert Resident.objects.get().phone_numbers.get().e164 == "+31612345678"


@pytest.mark.parametrize("name", ["enkelvoudigVoorbeeld.json", "meervoudigVoorbeeld.json"])
def test_ddas_examples_are_read_and_their_placeholder_bsns_rejected(
    import_through, name, municipality
):
    """The published examples use BSNs that fail the 11-proef (123456789 ...): every signal is
    reported, none is imported, and nothing crashes (function, command and upload page)."""
    municipality.municipality_code = "0518"
    municipality.save()
    report = import_through((DATA / name).read_bytes(), name)
    assert report["status"] == "done"
    assert report["format"] == "json"
    expected_rows = 1 if name.startswith("enkel") else 4
    assert report["rows"] == expected_rows
    assert report["imported"] == 0
    assert report["rejected"] == expected_rows
    bsn_errors = [e for e in report["errors"] if e["column"] == "client.Burgerservicenummer"]
    assert len(bsn_errors) == (1 if name.startswith("enkel") else 2)
    if name.startswith("meer"):
        other = [e for e in report["errors"] if e["column"] == "gemeentecode"]
        assert len(other) == 2 and "0307" in other[0]["message"]


def test_ddas_json_with_valid_bsns_is_imported(import_through, municipality):
    municipality.municipality_code = "0518"
    municipality.save()
    document = json.loads((DATA / "meervoudigVoorbeeld.json").read_text())
    document["leveringen"][0]["vroegsignalen"][0]["client"]["Burgerservicenummer"] = "111222333"
    document["leveringen"][0]["vroegsignalen"][1]["client"]["Burgerservicenummer"] = "123456782"
    report = import_through(json.dumps(document).encode(), "meervoudig.json")
    assert (report["imported"], report["rejected"], report["cases_created"]) == (2, 2, 2)
    crisis = Signal.objects.get(external_id="VS-2025-0002")
    assert crisis.is_crisis and crisis.partner_type == "Water"
    assert str(crisis.amount) == "1200.00"


def test_mapping_profile_maps_a_sources_own_headers(run_import, municipality):
    header = HEADER.replace("bedrag", "Openstaand saldo").replace("signaaldatum", "Aangemeld op")
    content = csv_file(csv_row(), header=header)
    report = run_import(content, source="Woonpartner")
    assert report["status"] == "failed"
    assert "bedrag" in report["message"] and "signaaldatum" in report["message"]
    MappingProfile.objects.create(
        municipality=municipality,
        source="Woonpartner",
        mapping={"bedrag": "Openstaand saldo", "signaaldatum": "aangemeld OP"},
    )
    report = run_import(content, source="Woonpartner")
    assert report["imported"] == 1
