"""POST /api/v1/signals: the intake's validation, matching and routing, per-item results,
idempotency by signal ID, and the bad-input cases."""

import json

import pytest

from bereik.api.models import Scope
from bereik.api.serializers import MAX_BATCH
from bereik.cases.models import Case, Signal
from bereik.intake.models import ImportRun

from .conftest import signal

pytestmark = pytest.mark.django_db

URL = "/api/v1/signals"


@pytest.fixture
def writer(municipality, make_token, api):
    _token, secret = make_token(municipality, Scope.SIGNALS_WRITE)
    return api(secret)


def test_a_batch_is_matched_into_cases_with_a_result_per_signal(municipality, writer):
    body = {
        "source": "ris",
        "signals": [
            signal("A-1"),
            signal("A-2", partnerType="Energie", partnerName="Energie Noord", amount=150),
            signal("B-1", bsn="", surname="Pietersen", birthDate="1990-01-01", postcode="1234 ab"),
        ],
    }
    response = writer.post(URL, body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["received"], data["created"], data["duplicates"], data["rejected"]) == (3, 3, 0, 0)
    first, second, third = data["results"]
    assert first["caseReference"] == second["caseReference"]  # one resident, one case
    assert third["caseReference"] != first["caseReference"]
    case = Case.objects.get(reference=first["caseReference"])
    assert case.municipality == municipality
    assert case.signals.count() == 2
    assert case.state != "new"  # routed like a file import
    run = ImportRun.objects.get(pk=data["importRun"])
    assert (run.source, run.status, run.imported) == ("ris", "done", 3)


def test_the_same_signal_id_twice_is_a_duplicate_not_a_new_signal(writer):
    writer.post(URL, {"source": "ris", "signals": [signal("A-1")]}, format="json")
    again = writer.post(URL, {"source": "ris", "signals": [signal("A-1")]}, format="json")
    result = again.json()["results"][0]
    assert result["status"] == "duplicate"
    assert result["caseReference"]
    assert Signal.objects.filter(external_id="A-1").count() == 1


def test_a_duplicate_within_one_batch_is_stored_once(writer):
    response = writer.post(URL, {"signals": [signal("A-1"), signal("A-1")]}, format="json")
    assert [r["status"] for r in response.json()["results"]] == ["created", "duplicate"]
    assert Signal.objects.count() == 1


def test_invalid_values_are_rejected_per_item_with_index_and_field(writer):
    body = {
        "signals": [
            signal("A-1"),
            signal("A-2", amount="veel", bsn="123456789"),
            signal("A-3", signalDate="2999-01-01"),
        ]
    }
    data = writer.post(URL, body, format="json").json()
    assert [r["status"] for r in data["results"]] == ["created", "rejected", "rejected"]
    fields = {e["field"] for e in data["results"][1]["errors"]}
    assert {"amount", "bsn"} <= fields
    assert all(e["index"] == 1 for e in data["results"][1]["errors"])
    assert data["results"][2]["errors"][0]["field"] == "signalDate"
    assert Signal.objects.count() == 1


def test_all_or_nothing_stores_nothing_when_one_signal_fails(writer):
    body = {"allOrNothing": True, "signals": [signal("A-1"), signal("A-2", amount="x")]}
    data = writer.post(URL, body, format="json").json()
    assert data["status"] == "failed"
    assert [r["status"] for r in data["results"]] == ["rejected", "rejected"]
    assert Signal.objects.count() == 0


def test_an_invalid_phone_number_is_a_warning(writer):
    data = writer.post(URL, {"signals": [signal("A-1", phoneNumbers=["12"])]}, format="json").json()
    result = data["results"][0]
    assert result["status"] == "created"
    assert result["warnings"][0]["field"] == "phoneNumbers"


def test_malformed_json_is_400_problem(writer):
    response = writer.post(URL, '{"signals": [', content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "parse_error"


def test_wrong_content_type_is_415_problem(writer):
    response = writer.post(URL, "signaal_id;bedrag\n1;10", content_type="text/csv")
    assert response.status_code == 415
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ({"signals": [signal("A-1")], "colour": "red"}, "colour"),
        ({"signals": [signal("A-1", shoeSize=42)]}, "signals[0].shoeSize"),
        ({"signals": [signal("A-1", amount={"value": 1})]}, "signals[0].amount"),
        ({"signals": [signal("")]}, "signals[0].signalId"),
        ({"signals": []}, "signals"),
        ({"signals": "A-1"}, "signals"),
    ],
)
def test_unknown_fields_and_wrong_shapes_are_400_with_invalid_params(writer, body, name):
    response = writer.post(URL, body, format="json")
    assert response.status_code == 400
    assert name in [p["name"] for p in response.json()["invalidParams"]]
    assert Signal.objects.count() == 0


def test_ten_thousand_signals_in_one_post_are_refused(writer):
    body = json.dumps({"signals": [signal(f"S-{i}") for i in range(10_000)]})
    response = writer.post(URL, body, content_type="application/json")
    assert response.status_code in (400, 413)
    assert response["Content-Type"] == "application/problem+json"
    assert Signal.objects.count() == 0


def test_more_than_the_maximum_is_refused_even_when_small(writer):
    body = {"signals": [{"signalId": str(i)} for i in range(MAX_BATCH + 1)]}
    response = writer.post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "signals"


def test_a_token_for_several_municipalities_must_name_one(
    municipality, other_municipality, contact_centre, make_token, api
):
    from tests.factories import ServiceAgreementFactory

    ServiceAgreementFactory(provider=contact_centre, municipality=other_municipality)
    _token, secret = make_token(contact_centre, Scope.SIGNALS_WRITE)
    client = api(secret)
    missing = client.post(URL, {"signals": [signal("A-1")]}, format="json")
    assert missing.json()["invalidParams"][0]["name"] == "municipalityCode"
    ok = client.post(URL, {"municipalityCode": "0002", "signals": [signal("A-1")]}, format="json")
    assert Case.objects.get(reference=ok.json()["results"][0]["caseReference"]).municipality == (
        other_municipality
    )


def test_another_organisations_municipality_cannot_be_written(
    municipality, other_municipality, writer
):
    response = writer.post(
        URL, {"municipalityCode": "0002", "signals": [signal("A-1")]}, format="json"
    )
    assert response.status_code == 400
    assert Signal.objects.count() == 0
