"""New cases are stored once routed, with their final fields (crisis, due date, pick-up date,
recidive link): the outcome must not depend on how the run is cut into chunks, and must be what
the rules say case by case."""

import datetime
import random

import pytest

from bereik.cases.matching import SignalMatcher, months_before
from bereik.cases.models import Case, Signal
from bereik.cases.workflow import CaseState, CaseTransition
from bereik.intake import services
from bereik.intake.normalise import bsn_passes_eleven_test
from bereik.intake.routing import add_working_days
from tests.factories import MunicipalityFactory
from tests.intake.conftest import TODAY, csv_file, csv_row

pytestmark = pytest.mark.django_db


def _bsns(count):
    numbers = (str(n) for n in range(100_000_000, 999_999_999, 7919))
    return [n for n in numbers if bsn_passes_eleven_test(n)][:count]


def _file() -> bytes:
    """Residents with signals in several months, in shuffled order, so that a resident's cases
    (and the earlier case a recidive links to) fall into different chunks."""
    rnd = random.Random(4)
    rows = []
    for index, bsn in enumerate(_bsns(40)):
        months = sorted(rnd.sample(range(5, 12), rnd.randint(1, 4)))
        partner = rnd.choice(["Zorg", "Huur", "Energie"])
        for month in months:
            day = datetime.date(2026, month, rnd.randint(1, 20 if month == 11 else 28))
            amount = rnd.choice(["40", "250,00", "250,00", "2500"])
            rows.append(
                csv_row(
                    signaal_id=f"R{index}-{month}",
                    signaalpartner_type=partner,
                    bedrag=amount,
                    signaaldatum=day.strftime("%d-%m-%Y"),
                    crisissignaal=rnd.choice(["ja", "nee", "nee", "nee"]),
                    bsn=bsn,
                    achternaam=f"Naam{index}",
                    telefoonnummer=rnd.choice(["06-12345678", "", "12"]),
                )
            )
    rnd.shuffle(rows)
    return csv_file(*rows)


def _import(path, municipality):
    return services.import_file(path, municipality=municipality, today=TODAY)


def _outcome(municipality):
    cases = Case.objects.filter(municipality=municipality).select_related("resident", "recidive_of")
    return sorted(
        (
            case.resident.bsn,
            case.matching_period,
            case.state,
            case.end_result,
            case.is_crisis,
            case.due_on,
            case.picked_up_on,
            case.recidive_of.matching_period if case.recidive_of else None,
            tuple(
                sorted(
                    case.transitions.values_list("from_state", "to_state", "reason", "end_result")
                )
            ),
            tuple(sorted(case.signals.values_list("external_id", "status"))),
        )
        for case in cases
    )


def test_the_outcome_does_not_depend_on_the_chunks(tmp_path, monkeypatch):
    path = tmp_path / "signals.csv"
    path.write_bytes(_file())
    whole = MunicipalityFactory(municipality_code="0991")
    _import(path, whole)
    monkeypatch.setattr(services, "CHUNK_SIZE", 7)
    monkeypatch.setattr(services, "IN_MEMORY_ROWS", 14)
    monkeypatch.setattr(SignalMatcher.assess, "__defaults__", (5,))
    chunked = MunicipalityFactory(municipality_code="0992")
    _import(path, chunked)
    outcome = _outcome(whole)
    assert any(row[7] for row in outcome)  # recidive links were made
    assert outcome == _outcome(chunked)


def test_new_cases_carry_what_routing_decided(tmp_path, monkeypatch, municipality):
    path = tmp_path / "signals.csv"
    path.write_bytes(_file())
    monkeypatch.setattr(services, "CHUNK_SIZE", 9)
    monkeypatch.setattr(SignalMatcher.assess, "__defaults__", (4,))
    _import(path, municipality)
    cases = list(Case.objects.filter(municipality=municipality))
    periods = {}
    for case in cases:
        periods.setdefault(case.resident_id, []).append((case.matching_period, case.pk))
    picked_up = {CaseState.CALL_QUEUE, CaseState.ENRICHMENT, CaseState.SOCIAL_WORK_QUEUE}
    for case in cases:
        window_start = months_before(case.matching_period, 6)
        earlier = [
            entry
            for entry in periods[case.resident_id]
            if window_start <= entry[0] < case.matching_period
        ]
        assert case.recidive_of_id == (max(earlier)[1] if earlier else None)
        signals = Signal.objects.filter(case=case)
        crisis = signals.filter(is_crisis=True).exclude(status="Niet opgepakt: herhaalde melding")
        assert case.is_crisis == crisis.exists()
        assert case.due_on == (add_working_days(TODAY, 3) if case.is_crisis else None)
        assert case.picked_up_on == (TODAY if case.state in picked_up else None)
        transitions = list(CaseTransition.objects.filter(case=case))
        assert [(t.from_state, t.to_state) for t in transitions] == [("new", case.state)]
