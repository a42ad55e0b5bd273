"""Feedback to signal partners: per signal only the partner's ID and opgepakt / niet opgepakt
(DDAS: never why), the wrong-number list per label, and every download audited."""

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from bereik.accounts.roles import Role
from bereik.audit.models import AuditAction, AuditEntry
from bereik.cases.models import PhoneNumber
from bereik.cases.results import EndResult
from bereik.cases.workflow import CaseState
from bereik.lifecycle import selectors
from tests.factories import CaseFactory, PhoneNumberFactory, SignalFactory

from .conftest import OCTOBER, attempt

S = CaseState
URL = "/afsluiting/terugkoppeling/"


@pytest.fixture
def signals(municipality, outcomes):
    """Three signals of Woonstichting Thuis in October: two picked up, one not (a repeat)."""
    picked = CaseFactory(
        municipality=municipality,
        state=S.CLOSED,
        end_result=EndResult.NO_HELP_WANTED,
        picked_up_on=dt.date(2026, 10, 3),
    )
    also_picked = CaseFactory(
        municipality=municipality, state=S.HANDED_OVER, picked_up_on=dt.date(2026, 10, 3)
    )
    repeat = CaseFactory(
        municipality=municipality, state=S.CLOSED, end_result=EndResult.NOT_PICKED_UP_REPEAT
    )
    for case, signal_id in ((picked, "WT-001"), (also_picked, "WT-002"), (repeat, "WT-003")):
        SignalFactory(
            case=case,
            external_id=signal_id,
            partner_name="Woonstichting Thuis",
            partner_type="Huur",
            amount=Decimal("812.40"),
            signal_date=dt.date(2026, 10, 2),
        )
    SignalFactory(
        case=picked,
        external_id="EN-9",
        partner_name="Energie Noord",
        signal_date=dt.date(2026, 10, 2),
    )
    SignalFactory(  # another month
        case=picked,
        external_id="WT-900",
        partner_name="Woonstichting Thuis",
        signal_date=dt.date(2026, 9, 2),
        fingerprint="sep",
    )
    return picked, also_picked, repeat


def test_feedback_has_only_the_signal_id_and_picked_up_or_not(municipality, signals):
    feedback = selectors.partner_feedback(municipality, "Woonstichting Thuis", OCTOBER)
    assert feedback.rows == [
        ("WT-001", "opgepakt"),
        ("WT-002", "opgepakt"),
        ("WT-003", "niet opgepakt"),
    ]


@pytest.fixture
def coordinator_client(coordinator, verified_client):
    return verified_client(coordinator)


def test_csv_download_leaks_nothing_else_and_is_audited(
    municipality, signals, coordinator, coordinator_client
):
    picked = signals[0]
    response = coordinator_client.get(
        f"{URL}bestand/",
        {"gemeente": municipality.pk, "partner": "Woonstichting Thuis", "maand": "2026-10"},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "terugkoppeling-woonstichting-thuis-2026-10.csv" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows == [
        ["signaal_id", "status"],
        ["WT-001", "opgepakt"],
        ["WT-002", "opgepakt"],
        ["WT-003", "niet opgepakt"],
    ]
    for secret in (
        picked.resident.surname,
        picked.reference,
        "812",
        "Niet opgepakt: herhaalde melding",
        "hoeft geen hulp",
        "EN-9",
        "WT-900",
        picked.resident.bsn,
        picked.resident.postcode,
    ):
        assert secret not in text
    entry = AuditEntry.objects.get(
        action=AuditAction.EXPORT, object_type="lifecycle.partnerfeedback"
    )
    assert entry.actor == coordinator
    assert entry.detail == {
        "file": "partner_feedback",
        "month": "2026-10",
        "format": "csv",
        "rows": 3,
    }


def test_xlsx_download_has_the_same_two_columns(municipality, signals, coordinator_client):
    response = coordinator_client.get(
        f"{URL}bestand/",
        {
            "gemeente": municipality.pk,
            "partner": "Woonstichting Thuis",
            "maand": "2026-10",
            "formaat": "xlsx",
        },
    )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values == [
        ["signaal_id", "status"],
        ["WT-001", "opgepakt"],
        ["WT-002", "opgepakt"],
        ["WT-003", "niet opgepakt"],
    ]
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT).count() == 1


def test_wrong_numbers_per_label(municipality, signals, outcomes):
    _picked, also_picked, repeat = signals
    wrong = PhoneNumberFactory(resident=also_picked.resident, e164="+31611111111")
    good = PhoneNumberFactory(resident=repeat.resident, e164="+31622222222")
    retired = PhoneNumberFactory(resident=repeat.resident, e164="+31633333333")
    PhoneNumberFactory(  # found by enrichment: not the partner's
        resident=repeat.resident, e164="+31644444444", source=PhoneNumber.Source.ENRICHMENT
    )
    attempt(also_picked, outcomes["verkeerd_persoon"], number=wrong)
    attempt(repeat, outcomes["geen_gehoor"], number=good)
    attempt(repeat, outcomes["informatietoon"], number=retired)

    rows = {row.label: row for row in selectors.wrong_numbers(municipality, OCTOBER)}

    thuis = rows["Woonstichting Thuis"]
    assert (thuis.delivered, thuis.wrong, thuis.percentage) == (3, 2, Decimal("66.7"))
    noord = rows["Energie Noord"]
    assert (noord.delivered, noord.wrong) == (0, 0)


def test_wrong_number_download_is_audited(municipality, signals, coordinator_client):
    response = coordinator_client.get(
        f"{URL}onjuiste-nummers/", {"gemeente": municipality.pk, "maand": "2026-10"}
    )
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "label;geleverd;onjuist;percentage_onjuist"
    assert AuditEntry.objects.filter(
        action=AuditAction.EXPORT, object_type="lifecycle.wrongnumbers"
    ).exists()


def test_the_feedback_page_shows_counts(municipality, signals, coordinator_client):
    response = coordinator_client.get(
        URL, {"gemeente": municipality.pk, "partner": "Woonstichting Thuis", "maand": "2026-10"}
    )
    assert response.status_code == 200
    assert response.context["summary"] == {"picked_up": 2, "not_picked_up": 1, "without_id": 0}


def test_access(
    municipality, other_municipality, signals, make_member, contact_centre, verified_client
):
    agent = make_member(Role.AGENT, contact_centre)
    client = verified_client(agent)
    assert client.get(URL).status_code == 403
    assert (
        client.get(
            f"{URL}bestand/", {"partner": "Woonstichting Thuis", "maand": "2026-10"}
        ).status_code
        == 403
    )
    other = make_member(Role.COORDINATOR, other_municipality)
    client = verified_client(other)
    response = client.get(
        f"{URL}bestand/",
        {"gemeente": municipality.pk, "partner": "Woonstichting Thuis", "maand": "2026-10"},
    )
    assert response.status_code == 404
    # Their own municipality does not know this partner.
    response = client.get(f"{URL}bestand/", {"partner": "Woonstichting Thuis", "maand": "2026-10"})
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_a_malformed_month_is_a_clear_error(municipality, coordinator_client):
    response = coordinator_client.get(URL, {"maand": "2026-13"})
    assert response.status_code == 400
    assert "YYYY-MM" in response.content.decode()
