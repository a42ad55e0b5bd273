"""The synthetic signal generator: deterministic, realistic, and its messy files import with
exactly the counts it put in."""

import collections
import csv
import io
import json

import pytest

from bereik.intake.generator import generate, generate_bytes

pytestmark = pytest.mark.django_db


def test_deterministic_for_a_seed():
    assert generate_bytes(300, seed=5)[0] == generate_bytes(300, seed=5)[0]
    assert generate_bytes(300, seed=5)[0] != generate_bytes(300, seed=6)[0]


def test_partner_mix_and_several_signals_per_resident():
    content, stats = generate_bytes(5000, seed=1)
    rows = list(csv.DictReader(io.StringIO(content.decode())))
    assert len(rows) == stats.rows == 5000
    mix = collections.Counter(row["signaalpartner_type"] for row in rows)
    assert 0.37 < mix["Zorg"] / 5000 < 0.45
    for partner in ("Huur", "Energie"):
        assert 0.16 < mix[partner] / 5000 < 0.24
    assert 0.14 < mix["Water"] / 5000 < 0.22
    per_resident = collections.Counter(
        (row["bsn"] or row["achternaam"] + row["postcode"] + row["huisnummer"]) for row in rows
    )
    several = sum(1 for count in per_resident.values() if count > 1)
    assert 0.06 < several / len(per_resident) < 0.14
    no_phone = sum(1 for row in rows if not row["telefoonnummer"])
    assert 0.04 < no_phone / 5000 < 0.10


def test_messy_file_imports_with_the_counts_it_was_made_with(tmp_path, import_through):
    """``bereik generate_signals --messy`` imported through the function, the command and the
    upload page gives exactly the counts the generator put in; a second import adds nothing."""
    from django.core.management import call_command

    path = tmp_path / "messy.csv"
    call_command("generate_signals", str(path), rows=1500, seed=9, messy=True, stderr=io.StringIO())
    stats = generate(tmp_path / "same.csv", rows=1500, seed=9, messy=True)
    assert path.read_bytes() == (tmp_path / "same.csv").read_bytes()
    assert stats.defective > 0 and stats.duplicated > 0
    report = import_through(path.read_bytes(), "messy.csv")
    assert report["status"] == "done"
    assert report["rows"] == stats.rows
    assert report["rejected"] == stats.defective
    assert report["duplicates"] == stats.duplicated
    assert report["imported"] == stats.expected_valid
    assert len(report["errors"]) >= stats.defective
    again = import_through(path.read_bytes(), "messy.csv")
    assert (again["imported"], again["duplicates"]) == (0, stats.rows - stats.defective)


@pytest.mark.parametrize("suffix", [".xlsx", ".json"])
def test_other_formats(tmp_path, run_import, suffix):
    path = tmp_path / f"signalen{suffix}"
    stats = generate(path, rows=200, seed=2)
    if suffix == ".json":
        assert len(json.loads(path.read_text())["leveringen"][0]["vroegsignalen"]) == 200
    report = run_import(path.read_bytes())
    assert report["rows"] == stats.rows == 200
    assert report["imported"] == 200, report["errors"][:3]


def test_generate_command(tmp_path):
    from django.core.management import call_command

    path = tmp_path / "s.csv"
    call_command("generate_signals", str(path), rows=50, seed=3, messy=True)
    assert path.read_bytes().decode("cp1252").count("\r\n") == 51
