"""GET /api/v1/cases (filters, pagination, no personal data) and /api/v1/callers."""

import datetime as dt

import pytest
from django.utils import timezone

from bereik.api.models import Scope
from bereik.cases.models import Case
from tests.factories import CaseFactory, PhoneNumberFactory, SignalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(municipality, make_token, api):
    _token, secret = make_token(municipality, Scope.CASES_READ, Scope.CALLERS_READ)
    return api(secret)


def test_a_case_has_states_dates_and_signal_ids_but_no_personal_data(municipality, reader):
    case = CaseFactory(municipality=municipality, reference="VS-000001", state="call_queue")
    SignalFactory(case=case, external_id="RIS-9", source="ris")
    data = reader.get("/api/v1/cases/VS-000001").json()
    assert data["reference"] == "VS-000001"
    assert data["municipalityCode"] == "0001"
    assert data["state"] == "call_queue"
    assert data["matchingPeriod"] == "2026-10"
    assert data["endResult"] is None
    assert data["signals"] == [
        {
            "signalId": "RIS-9",
            "source": "ris",
            "partnerType": "Zorg",
            "signalDate": "2026-10-01",
            "status": "",
        }
    ]
    text = str(data)
    for personal in (case.resident.bsn, case.resident.surname, case.resident.postcode):
        assert personal not in text


def test_filters_state_period_and_updated_since(municipality, reader):
    CaseFactory(municipality=municipality, reference="VS-A", state="call_queue")
    CaseFactory(
        municipality=municipality,
        reference="VS-B",
        state="closed",
        matching_period=dt.date(2026, 11, 1),
    )
    old = CaseFactory(municipality=municipality, reference="VS-C", state="closed")
    Case.objects.filter(pk=old.pk).update(updated_at=timezone.now() - dt.timedelta(days=40))

    def refs(query):
        response = reader.get("/api/v1/cases" + query)
        assert response.status_code == 200, response.content
        return sorted(case["reference"] for case in response.json()["results"])

    assert refs("") == ["VS-A", "VS-B", "VS-C"]
    assert refs("?state=closed") == ["VS-B", "VS-C"]
    assert refs("?state=closed&state=call_queue") == ["VS-A", "VS-B", "VS-C"]
    assert refs("?matchingPeriod=2026-11") == ["VS-B"]
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()
    assert refs("?" + __import__("urllib.parse").parse.urlencode({"updatedSince": since})) == [
        "VS-A",
        "VS-B",
    ]


@pytest.mark.parametrize(
    "query", ["?state=flying", "?matchingPeriod=2026-13", "?updatedSince=yesterday", "?x=1"]
)
def test_bad_filters_are_400_problems(reader, query):
    response = reader.get("/api/v1/cases" + query)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_pagination_with_page_size_and_links(municipality, reader):
    for number in range(5):
        CaseFactory(municipality=municipality, reference=f"VS-{number}")
    first = reader.get("/api/v1/cases?pageSize=2").json()
    assert (first["count"], first["page"], first["pageSize"], len(first["results"])) == (5, 1, 2, 2)
    assert first["links"]["previous"] is None
    second = reader.get(first["links"]["next"]).json()
    assert second["page"] == 2
    last = reader.get(first["links"]["last"]).json()
    assert len(last["results"]) == 1
    assert reader.get("/api/v1/cases?page=9").status_code == 404


def test_another_municipalitys_case_is_404(other_municipality, reader):
    CaseFactory(municipality=other_municipality, reference="VS-BETA")
    response = reader.get("/api/v1/cases/VS-BETA")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert reader.get("/api/v1/cases").json()["count"] == 0


def test_caller_lookup_finds_open_cases_of_that_number(municipality, other_municipality, reader):
    open_case = CaseFactory(municipality=municipality, reference="VS-OPEN", state="call_queue")
    PhoneNumberFactory(resident=open_case.resident, e164="+31612345678")
    closed = CaseFactory(municipality=municipality, reference="VS-DONE", state="closed")
    PhoneNumberFactory(resident=closed.resident, e164="+31612345678")
    elsewhere = CaseFactory(municipality=other_municipality, reference="VS-BETA", state="new")
    PhoneNumberFactory(resident=elsewhere.resident, e164="+31612345678")
    data = reader.get("/api/v1/callers?phoneNumber=06-12345678").json()
    assert data["phoneNumber"] == "+31612345678"
    assert [case["reference"] for case in data["cases"]] == ["VS-OPEN"]
    assert data["cases"][0]["workspaceUrl"].endswith(f"/bellen/inkomend/{open_case.pk}/")


@pytest.mark.parametrize("query", ["", "?phoneNumber=hallo", "?phoneNumber=12"])
def test_caller_lookup_needs_a_valid_number(reader, query):
    response = reader.get("/api/v1/callers" + query)
    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "phoneNumber"
