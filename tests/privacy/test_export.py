import csv
import io
import json
import zipfile

from django.core.management import call_command

from bereik.audit.models import AuditAction, AuditEntry
from bereik.privacy.registry import Column, Table
from tests.factories import ClosedCaseFactory, PhoneNumberFactory, SignalFactory


def _open(content: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(content))


def test_export_command_writes_documented_csv_and_json(municipality, other_municipality, tmp_path):
    case = ClosedCaseFactory(municipality=municipality)
    PhoneNumberFactory(resident=case.resident)
    SignalFactory(case=case)
    ClosedCaseFactory(municipality=other_municipality)
    target = tmp_path / "export.zip"

    call_command("export_municipality", "--organisation", "0001", str(target))

    archive = zipfile.ZipFile(target)
    names = set(archive.namelist())
    for table in (
        "organisation",
        "residents",
        "phone_numbers",
        "cases",
        "signals",
        "case_transitions",
        "objections",
        "legal_holds",
    ):
        assert {f"{table}.csv", f"{table}.json"} <= names
    assert {"manifest.json", "README.md"} <= names
    manifest = json.loads(archive.read("manifest.json"))
    readme = archive.read("README.md").decode()
    for table in manifest["tables"]:
        assert f"## {table['name']}" in readme
        for column in table["columns"]:
            assert f"`{column['name']}`" in readme
            assert column["description"]
    residents = json.loads(archive.read("residents.json"))
    assert [r["id"] for r in residents] == [case.resident_id]  # not the other municipality's
    rows = list(csv.DictReader(io.StringIO(archive.read("cases.csv").decode())))
    assert rows[0]["reference"] == case.reference
    assert {t["name"]: t["rows"] for t in manifest["tables"]}["case_transitions"] == 3
    entry = AuditEntry.objects.get(object_type="privacy.municipality_export")
    assert entry.action == AuditAction.EXPORT
    assert entry.organisation == municipality


def test_csv_cells_that_look_like_formulas_are_defused(municipality, tmp_path):
    case = ClosedCaseFactory(municipality=municipality, resident__surname="=HYPERLINK(1)")
    case.resident.city = "@SUM(A1)"
    case.resident.save()
    target = tmp_path / "export.zip"

    call_command("export_municipality", "--organisation", "0001", str(target))

    archive = zipfile.ZipFile(target)
    row = next(csv.DictReader(io.StringIO(archive.read("residents.csv").decode())))
    assert row["surname"] == "'=HYPERLINK(1)"
    assert row["city"] == "'@SUM(A1)"
    assert json.loads(archive.read("residents.json"))[0]["surname"] == "=HYPERLINK(1)"


def test_registered_exporters_add_their_tables(municipality, tmp_path, clean_registry):
    def exporter(*, municipality, resident_ids):
        return [
            Table(
                "notes",
                "Notes.",
                [Column("id", "Id."), Column("text", "Text.")],
                [{"id": 1, "text": "-1+1"}],
            )
        ]

    clean_registry.register_exporter("demo", exporter)
    target = tmp_path / "export.zip"

    call_command("export_municipality", "--organisation", "0001", str(target))

    archive = zipfile.ZipFile(target)
    assert archive.read("demo_notes.csv").decode().splitlines()[1] == "1,'-1+1"


def test_coordinator_downloads_the_export_in_the_ui(municipality, coordinator, verified_client):
    ClosedCaseFactory(municipality=municipality)

    response = verified_client(coordinator).post(f"/privacy/gemeenten/{municipality.pk}/export/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = _open(b"".join(response.streaming_content))
    assert "cases.json" in archive.namelist()
    assert AuditEntry.objects.filter(
        object_type="privacy.municipality_export", actor=coordinator
    ).exists()
