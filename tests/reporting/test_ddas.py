"""The DDAS delivery: built from our data, validated against the national schema, a failure
naming record and field, and a round trip of the two published examples through the intake."""

import datetime as dt
import json

import pytest

from bereik.audit.models import AuditEntry
from bereik.cases.models import Signal
from bereik.intake.services import import_file
from bereik.reporting.ddas import (
    DeliveryInvalid,
    build_delivery,
    signal_status,
    validate_delivery,
    whole_euros,
)
from bereik.reporting.services import export_ddas
from tests.factories import SignalFactory

from .conftest import DATA, PERIOD

pytestmark = pytest.mark.django_db

VALID_BSNS = ["111222333", "123456782", "010000008", "100000009"]


@pytest.mark.parametrize("name", ["enkelvoudigVoorbeeld.json", "meervoudigVoorbeeld.json"])
def test_published_examples_are_valid_against_our_schema_copy(name):
    assert validate_delivery(json.loads((DATA / name).read_text())) == []


def test_delivery_of_known_dataset_is_schema_valid(known_dataset, municipality):
    document = build_delivery(municipality=municipality, date_from=PERIOD[0], date_to=PERIOD[1])
    assert validate_delivery(document) == []
    delivery = document["leveringen"][0]
    assert delivery["gemeentecode"] == "0001"
    assert len(delivery["vroegsignalen"]) == 10
    assert len(delivery["vroegsignaalzaken"]) == 9
    cases = {tuple(r["ID"] for r in z["vroegsignalen"]): z for z in delivery["vroegsignaalzaken"]}
    c1 = next(z for ids, z in cases.items() if len(ids) == 2)
    assert c1["resultaat"] == "Vervolghulp en/of verwijzing financieel"
    assert c1["matchingsdatum"] == "2026-10-03"
    assert c1["startdatum_matchtingperiode"] == "2026-10-01"
    assert c1["einddatum_matchingperiode"] == "2026-10-31"
    assert c1["contactpogingen"] == [
        {"soort": "Telefoon", "bereikt": False, "datum": "2026-10-05", "dagdeel": "Ochtend"},
        {"soort": "Telefoon", "bereikt": True, "datum": "2026-10-05", "dagdeel": "Avond"},
    ]
    signal = delivery["vroegsignalen"][0]
    assert isinstance(signal["bedrag"], int) and signal["client"]["Burgerservicenummer"]


def test_amounts_are_whole_euros_rounded_half_up():
    from decimal import Decimal

    assert whole_euros(Decimal("1234.50")) == 1235
    assert whole_euros(Decimal("74.49")) == 74


def test_signal_status_mapping(known_dataset):
    c6 = known_dataset["cases"][5]
    assert signal_status(c6.signals.get(), c6) == "Niet opgepakt: onterecht signaal"
    c2 = known_dataset["cases"][1]
    assert signal_status(c2.signals.get(), c2) is None  # picked up: no DDAS status value


def test_broken_record_is_named_with_its_field(known_dataset, municipality):
    document = build_delivery(municipality=municipality, date_from=PERIOD[0], date_to=PERIOD[1])
    broken = document["leveringen"][0]["vroegsignalen"][2]
    broken["client"]["Geboortedatum"] = "17-05-1980"
    broken["bedrag"] = "250,00"
    document["leveringen"][0]["vroegsignaalzaken"][0]["contactpogingen"][0]["dagdeel"] = "Nacht"
    errors = validate_delivery(document)
    found = {(e.record, e.field) for e in errors}
    assert (f"vroegsignaal {broken['ID']}", "client.Geboortedatum") in found
    assert (f"vroegsignaal {broken['ID']}", "bedrag") in found
    assert any(
        e.record.startswith("vroegsignaalzaak 1") and e.field == "contactpogingen[1].dagdeel"
        for e in errors
    )
    assert all(e.message for e in errors)


def test_missing_required_field_is_named():
    document = json.loads((DATA / "enkelvoudigVoorbeeld.json").read_text())
    del document["leveringen"][0]["vroegsignalen"][0]["signaalpartner"]
    errors = validate_delivery(document)
    assert [(e.record, e.field) for e in errors] == [
        ("vroegsignaal VS-2025-0001", "signaalpartner")
    ]


def test_invalid_data_is_never_offered(known_dataset, municipality):
    Signal.objects.filter(case=known_dataset["cases"][0]).update(partner_type="Telecom")
    with pytest.raises(DeliveryInvalid) as raised:
        export_ddas(municipality=municipality, date_from=PERIOD[0], date_to=PERIOD[1])
    assert any(e.field == "signaalpartner.type" for e in raised.value.errors)
    assert AuditEntry.objects.filter(action="export", result="failed").exists()


def test_export_is_audited_without_personal_data(known_dataset, municipality):
    content = export_ddas(municipality=municipality, date_from=PERIOD[0], date_to=PERIOD[1])
    assert validate_delivery(json.loads(content)) == []
    entry = AuditEntry.objects.filter(action="export", object_type="reporting.ddas_delivery").get()
    assert entry.detail["signals"] == 10
    assert "111222333" not in json.dumps(entry.detail)


def test_empty_period_is_a_valid_empty_delivery(known_dataset, municipality):
    document = build_delivery(
        municipality=municipality, date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 1, 31)
    )
    assert validate_delivery(document) == []
    assert document["leveringen"][0]["vroegsignalen"] == []


def test_other_municipality_is_not_delivered(known_dataset, municipality, other_municipality):
    SignalFactory(case__municipality=other_municipality, external_id="BETA-1")
    document = build_delivery(municipality=municipality, date_from=PERIOD[0], date_to=PERIOD[1])
    ids = {s["ID"] for s in document["leveringen"][0]["vroegsignalen"]}
    assert "BETA-1" not in ids


@pytest.mark.parametrize("name", ["enkelvoudigVoorbeeld.json", "meervoudigVoorbeeld.json"])
def test_round_trip_of_the_published_examples(name, municipality, tmp_path):
    """Import the example through the intake and export it again: schema-valid, and the signals
    come back with the same ID, partner type, amount, dates and client fields. The examples'
    placeholder BSNs fail the 11-proef, so they are replaced by valid ones first."""
    municipality.municipality_code = "0518"
    municipality.save()
    original = json.loads((DATA / name).read_text())
    ours = original["leveringen"][0]["vroegsignalen"]
    for signal, bsn in zip(ours, VALID_BSNS, strict=False):
        signal["client"]["Burgerservicenummer"] = bsn
    path = tmp_path / name
    path.write_text(json.dumps(original))
    run = import_file(path, municipality=municipality, today=dt.date(2025, 1, 20))
    assert run.imported == len(ours), run.message

    exported = json.loads(
        export_ddas(
            municipality=municipality, date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 1, 31)
        )
    )
    assert validate_delivery(exported) == []
    delivery = exported["leveringen"][0]
    assert delivery["gemeentecode"] == "0518"
    by_id = {s["ID"]: s for s in delivery["vroegsignalen"]}
    assert set(by_id) == {s["ID"] for s in ours}
    for signal in ours:
        back = by_id[signal["ID"]]
        for key in ("crisissignaal", "warmeOverdracht", "bedrag", "ontstaansdatum", "signaaldatum"):
            assert back[key] == signal[key], key
        assert back["signaalpartner"] == signal["signaalpartner"]
        assert back["client"] == signal["client"]
    assert len(delivery["vroegsignaalzaken"]) >= 1
    referenced = {r["ID"] for z in delivery["vroegsignaalzaken"] for r in z["vroegsignalen"]}
    assert referenced == set(by_id)
