"""Matching signals into residents and cases (through the intake, as in real use)."""

import datetime

import pytest

from bereik.cases.matching import STATUS_REPEAT
from bereik.cases.models import Case, Resident, Signal
from bereik.intake.models import IntakeSettings
from tests.factories import CaseFactory, ResidentFactory
from tests.intake.conftest import csv_file, csv_row

pytestmark = pytest.mark.django_db


def test_one_resident_with_signals_from_several_partners_is_one_case(run_import):
    report = run_import(
        csv_file(
            csv_row(signaal_id="A", signaalpartner_type="Zorg"),
            csv_row(signaal_id="B", signaalpartner_type="Huur", bedrag="900"),
            csv_row(signaal_id="C", signaalpartner_type="Water", bedrag="60"),
        )
    )
    assert (report["imported"], report["cases_created"]) == (3, 1)
    case = Case.objects.get()
    assert case.signals.count() == 3
    assert Resident.objects.count() == 1


def test_resident_without_bsn_is_recognised_by_address_identity(run_import, municipality):
    resident = ResidentFactory(
        municipality=municipality,
        bsn="",
        surname="Vries",
        surname_prefix="de",
        birth_date=datetime.date(1980, 5, 17),
        postcode="1234AB",
        house_number=12,
    )
    report = run_import(csv_file(csv_row(bsn="", achternaam="De Vries", voorvoegsel="")))
    assert report["imported"] == 1
    assert Signal.objects.get().resident == resident


def test_another_addition_is_another_resident(run_import):
    run_import(
        csv_file(
            csv_row(signaal_id="A", bsn=""),
            csv_row(signaal_id="B", bsn="", huisnummertoevoeging="B"),
        )
    )
    assert Resident.objects.count() == 2


def test_address_identity_never_overrides_a_different_bsn(run_import, municipality):
    ResidentFactory(
        municipality=municipality,
        bsn="123456782",
        surname="Vries",
        surname_prefix="de",
        birth_date=datetime.date(1980, 5, 17),
        postcode="1234AB",
        house_number=12,
    )
    run_import(csv_file(csv_row(bsn="111222333")))
    assert Resident.objects.count() == 2


def test_signal_joins_the_existing_case_of_its_period(run_import, municipality):
    resident = ResidentFactory(municipality=municipality, bsn="111222333")
    case = CaseFactory(
        municipality=municipality, resident=resident, matching_period=datetime.date(2026, 11, 1)
    )
    report = run_import(csv_file(csv_row()))
    assert (report["cases_created"], report["cases_updated"]) == (0, 1)
    assert Signal.objects.get().case == case


def test_repeat_signal_with_arrears_not_grown_closes_the_case(run_import):
    run_import(csv_file(csv_row(signaal_id="OCT", signaaldatum="05-10-2026", bedrag="300")))
    report = run_import(
        csv_file(csv_row(signaal_id="NOV", signaaldatum="05-11-2026", bedrag="300"))
    )
    november = Case.objects.get(matching_period=datetime.date(2026, 11, 1))
    assert november.state == "closed"
    assert november.end_result == "Niet opgepakt: herhaalde melding"
    assert Signal.objects.get(external_id="NOV").status == STATUS_REPEAT
    assert report["routing"] == {"closed_repeat": 1}


def test_repeat_signal_with_grown_arrears_is_picked_up(run_import):
    run_import(csv_file(csv_row(signaal_id="OCT", signaaldatum="05-10-2026", bedrag="300")))
    run_import(csv_file(csv_row(signaal_id="NOV", signaaldatum="05-11-2026", bedrag="450")))
    november = Case.objects.get(matching_period=datetime.date(2026, 11, 1))
    assert november.state == "call_queue"
    assert november.picked_up_on is not None
    assert Signal.objects.get(external_id="NOV").status == "Nog niet opgepakt"


def test_a_case_in_the_previous_months_makes_a_recidive_link(run_import):
    run_import(
        csv_file(csv_row(signaal_id="MAY", signaaldatum="05-06-2026", signaalpartner_type="Huur"))
    )
    run_import(csv_file(csv_row(signaal_id="NOV", signaaldatum="05-11-2026")))
    june = Case.objects.get(matching_period=datetime.date(2026, 6, 1))
    november = Case.objects.get(matching_period=datetime.date(2026, 11, 1))
    assert november.recidive_of == june


def test_recidive_window_is_configurable(run_import, municipality):
    IntakeSettings.objects.create(municipality=municipality, recidive_months=3)
    run_import(
        csv_file(csv_row(signaal_id="MAY", signaaldatum="05-06-2026", signaalpartner_type="Huur"))
    )
    run_import(csv_file(csv_row(signaal_id="NOV", signaaldatum="05-11-2026")))
    assert Case.objects.get(matching_period=datetime.date(2026, 11, 1)).recidive_of is None


def test_case_closed_as_repeat_reopens_for_a_fresh_signal_in_its_period(run_import):
    run_import(csv_file(csv_row(signaal_id="OCT", signaaldatum="05-10-2026", bedrag="300")))
    run_import(csv_file(csv_row(signaal_id="NOV", signaaldatum="05-11-2026", bedrag="300")))
    run_import(
        csv_file(
            csv_row(signaal_id="NOV2", signaaldatum="10-11-2026", signaalpartner_type="Energie")
        )
    )
    november = Case.objects.get(matching_period=datetime.date(2026, 11, 1))
    assert november.state == "call_queue"
    assert list(november.transitions.values_list("to_state", flat=True)) == [
        "closed",
        "new",
        "call_queue",
    ]


def test_cases_of_other_municipalities_are_never_matched(run_import, other_municipality):
    resident = ResidentFactory(municipality=other_municipality, bsn="111222333")
    CaseFactory(
        municipality=other_municipality,
        resident=resident,
        matching_period=datetime.date(2026, 11, 1),
    )
    report = run_import(csv_file(csv_row()))
    assert report["cases_created"] == 1
    assert Signal.objects.get().resident != resident
