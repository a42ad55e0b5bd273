"""The command-line twin of the upload page."""

import json

import pytest
from django.core.management import CommandError, call_command

from bereik.cases.models import Signal

from .conftest import csv_file, csv_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def signal_file(tmp_path):
    path = tmp_path / "signalen.csv"
    path.write_bytes(csv_file(csv_row(), csv_row(signaal_id="S2", bsn="123456789")))
    return path


def test_json_output_is_one_object_with_the_counts(signal_file, municipality, capsys):
    call_command("import_signals", str(signal_file), organisation="0001", json=True)
    report = json.loads(capsys.readouterr().out)
    assert {k: report[k] for k in ("rows", "imported", "rejected", "duplicates")} == {
        "rows": 2,
        "imported": 1,
        "rejected": 1,
        "duplicates": 0,
    }
    assert (report["cases_created"], report["cases_updated"]) == (1, 0)
    assert report["errors"] == [
        {"row": 3, "column": "bsn", "message": "Het BSN voldoet niet aan de 11-proef."}
    ]


def test_all_or_nothing_exits_non_zero_and_imports_nothing(signal_file, municipality, capsys):
    with pytest.raises(SystemExit) as exit_:
        call_command(
            "import_signals", str(signal_file), organisation="0001", all_or_nothing=True, json=True
        )
    assert exit_.value.code == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["imported"], report["rejected"]) == (0, 1)
    assert Signal.objects.count() == 0


def test_text_output(signal_file, municipality, capsys):
    call_command("import_signals", str(signal_file), organisation="0001")
    out = capsys.readouterr().out
    assert "2 rijen: 1 ingelezen, 1 afgekeurd" in out
    assert "11-proef" in out


def test_unknown_municipality(signal_file, municipality):
    with pytest.raises(CommandError, match="9998"):
        call_command("import_signals", str(signal_file), organisation="9998")


def test_missing_file(tmp_path, municipality):
    with pytest.raises(CommandError, match="niet gevonden"):
        call_command("import_signals", str(tmp_path / "weg.csv"), organisation="0001")
