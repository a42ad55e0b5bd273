"""``bereik report`` and ``bereik export_ddas``: files written, Dutch errors, non-zero exits."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from bereik.reporting.ddas import validate_delivery

pytestmark = pytest.mark.django_db


def test_report_xlsx_and_pdf(known_dataset, municipality, tmp_path):
    out = io.StringIO()
    call_command(
        "report",
        "--organisation",
        "0001",
        "--month",
        "2026-10",
        "--format",
        "xlsx",
        "--output",
        str(tmp_path / "r.xlsx"),
        stdout=out,
    )
    assert "Gemeente Alfa" in out.getvalue()
    workbook = load_workbook(tmp_path / "r.xlsx")
    assert workbook.sheetnames[0] == "Kerncijfers"
    call_command(
        "report",
        "--organisation",
        "0001",
        "--month",
        "2026-10",
        "--format",
        "pdf",
        "--output",
        str(tmp_path / "r.pdf"),
        stdout=io.StringIO(),
    )
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--organisation", "9999", "--month", "2026-10"], "Geen gemeente met code 9999"),
        (["--organisation", "0001", "--month", "10-2026"], "JJJJ-MM"),
    ],
)
def test_report_bad_input(municipality, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("report", *args, "--format", "xlsx", "--output", str(tmp_path / "r.xlsx"))


def test_report_missing_folder(municipality, tmp_path):
    with pytest.raises(CommandError, match="Map niet gevonden"):
        call_command(
            "report",
            "--organisation",
            "0001",
            "--month",
            "2026-10",
            "--format",
            "xlsx",
            "--output",
            str(tmp_path / "nope" / "r.xlsx"),
        )


def test_export_ddas(known_dataset, municipality, tmp_path):
    target = tmp_path / "ddas.json"
    call_command(
        "export_ddas",
        "--organisation",
        "0001",
        "--from",
        "2026-10-01",
        "--to",
        "2026-10-31",
        str(target),
        stdout=io.StringIO(),
    )
    assert validate_delivery(json.loads(target.read_text())) == []


def test_export_ddas_empty_period_is_valid(municipality, tmp_path):
    target = tmp_path / "ddas.json"
    call_command(
        "export_ddas",
        "--organisation",
        "0001",
        "--from",
        "2020-01-01",
        "--to",
        "2020-01-31",
        str(target),
        stdout=io.StringIO(),
    )
    document = json.loads(target.read_text())
    assert document["leveringen"][0]["vroegsignalen"] == []


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        (["--from", "2026-10-31", "--to", "2026-10-01"], "--to ligt vóór --from"),
        (["--from", "01-10-2026", "--to", "2026-10-31"], "--from moet een datum zijn"),
    ],
)
def test_export_ddas_bad_dates(municipality, tmp_path, dates, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_ddas", "--organisation", "0001", *dates, str(tmp_path / "d.json"))


def test_export_ddas_invalid_document_writes_nothing(known_dataset, municipality, tmp_path):
    from bereik.cases.models import Signal

    Signal.objects.filter(partner_name="Vitens").update(partner_type="Telecom")
    target = tmp_path / "d.json"
    err = io.StringIO()
    with pytest.raises(CommandError, match="voldoet niet aan het landelijke schema"):
        call_command(
            "export_ddas",
            "--organisation",
            "0001",
            "--from",
            "2026-10-01",
            "--to",
            "2026-10-31",
            str(target),
            stderr=err,
        )
    assert not target.exists()
    assert "signaalpartner.type" in err.getvalue()


def test_command_exit_code_is_non_zero(municipality, tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bereik.manage",
            "report",
            "--organisation",
            "9999",
            "--month",
            "2026-10",
            "--format",
            "xlsx",
            "--output",
            str(tmp_path / "r.xlsx"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
