"""POST /api/v1/contact-attempts: a telephony system reports a finished call."""

import pytest

from bereik.api.models import Scope, TelephonyCall
from bereik.outreach.defaults import seed_outcome_codes
from bereik.outreach.models import ContactAttempt, OutcomeCode, QueueEntry
from tests.factories import PhoneNumberFactory, QueueEntryFactory
from tests.locking import queue_row_held_by_another_session

pytestmark = pytest.mark.django_db

URL = "/api/v1/contact-attempts"


@pytest.fixture
def entry(municipality):
    return QueueEntryFactory(campaign__municipality=municipality, case__reference="VS-CALL")


@pytest.fixture
def telephony(contact_centre, make_token, api):
    _token, secret = make_token(contact_centre, Scope.ATTEMPTS_WRITE)
    return api(secret)


def call(**fields):
    body = {
        "callId": "pbx-1",
        "phoneNumber": "+31 6 12345678",
        "startedAt": "2026-11-02T10:15:00+01:00",
        "durationSeconds": 25,
        "resultCode": "geen_gehoor",
    }
    body.update(fields)
    return body


def test_a_no_answer_is_registered_on_the_matching_case_and_rescheduled(entry, telephony):
    response = telephony.post(URL, call(), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["caseReference"], data["resultCode"], data["reached"]) == (
        "VS-CALL",
        "geen_gehoor",
        False,
    )
    attempt = ContactAttempt.objects.get(pk=data["id"])
    assert attempt.kind == "Telefoon"
    assert attempt.agent is None
    assert attempt.phone_number == entry.current_number
    assert attempt.telephony_call.duration_seconds == 25
    entry.refresh_from_db()
    assert entry.attempts == 1
    assert entry.status == QueueEntry.Status.WAITING


def test_the_same_call_id_twice_registers_once(entry, telephony):
    first = telephony.post(URL, call(), format="json")
    second = telephony.post(URL, call(resultCode="voicemail"), format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"]
    assert ContactAttempt.objects.count() == 1


def test_reached_with_help_request_moves_the_case(entry, telephony):
    response = telephony.post(
        URL,
        call(resultCode="bereikt", helpRequested=True, preferredContactTime="dinsdagochtend"),
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["caseState"] == "reached_help"


def test_reached_without_help_answer_is_400_naming_the_field(entry, telephony):
    response = telephony.post(URL, call(resultCode="bereikt"), format="json")
    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "helpRequested"
    assert ContactAttempt.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "name"),
    [
        ({"resultCode": "telepathie"}, "resultCode"),
        ({"phoneNumber": "bel mij"}, "phoneNumber"),
        ({"durationSeconds": -1}, "durationSeconds"),
        ({"startedAt": "gisteren"}, "startedAt"),
        ({"agent": "Piet"}, "agent"),
    ],
)
def test_bad_values_are_400(entry, telephony, fields, name):
    response = telephony.post(URL, call(**fields), format="json")
    assert response.status_code == 400
    assert name in [p["name"] for p in response.json()["invalidParams"]]


def test_an_unknown_number_is_422(entry, telephony):
    response = telephony.post(URL, call(phoneNumber="0687654321"), format="json")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"


def test_a_number_of_another_municipality_is_not_matched(other_municipality, telephony):
    QueueEntryFactory(campaign__municipality=other_municipality)
    response = telephony.post(URL, call(), format="json")
    assert response.status_code == 422
    assert ContactAttempt.objects.count() == 0


def test_a_number_shared_by_two_cases_needs_the_case_reference(municipality, entry, telephony):
    other = QueueEntryFactory(
        campaign=entry.campaign, case__reference="VS-TWO", current_number=None
    )
    PhoneNumberFactory(resident=other.case.resident, e164="+31612345678")
    ambiguous = telephony.post(URL, call(), format="json")
    assert ambiguous.status_code == 409
    assert "VS-TWO" in ambiguous.json()["detail"]
    chosen = telephony.post(URL, call(caseReference="VS-TWO"), format="json")
    assert chosen.status_code == 201
    assert chosen.json()["caseReference"] == "VS-TWO"


def test_a_resident_held_by_an_agent_is_409(entry, telephony, make_member, contact_centre):
    import datetime as dt

    from django.utils import timezone

    agent = make_member("agent", contact_centre)
    QueueEntry.objects.filter(pk=entry.pk).update(
        locked_by=agent, locked_until=timezone.now() + dt.timedelta(minutes=5)
    )
    response = telephony.post(URL, call(), format="json")
    assert response.status_code == 409
    assert not TelephonyCall.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_call_that_meets_a_locked_database_is_a_503_problem_and_can_be_repeated(entry, telephony):
    seed_outcome_codes(OutcomeCode)  # a transactional test starts without the seeded codes
    with queue_row_held_by_another_session(entry):
        busy = telephony.post(URL, call(), format="json")
    assert busy.status_code == 503
    assert busy["Content-Type"] == "application/problem+json"
    assert busy["Retry-After"] == "5"
    assert busy.json()["code"] == "busy"
    assert not ContactAttempt.objects.exists() and not TelephonyCall.objects.exists()

    again = telephony.post(URL, call(), format="json")
    assert again.status_code == 201, again.content
