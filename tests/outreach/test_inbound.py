"""Inbound calls: find the caller's open cases by number, register the call marked inbound."""

import pytest
from django.urls import reverse
from freezegun import freeze_time

from bereik.audit.models import AuditAction, AuditEntry
from bereik.cases.workflow import CaseState
from bereik.outreach.models import ContactAttempt, QueueEntry
from tests.factories import CaseFactory, PhoneNumberFactory

from .conftest import TUESDAY_MORNING as NOW

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with freeze_time(NOW):
        yield


@pytest.fixture
def caller_case(make_entry):
    return make_entry().case  # number +31612345678


@pytest.mark.parametrize("typed", ["06-12345678", "+31 6 1234 5678", "0031612345678"])
def test_caller_is_found_however_the_number_is_typed(caller_case, agent, verified_client, typed):
    response = verified_client(agent).get(reverse("outreach:inbound"), {"nummer": typed})
    assert response.status_code == 200
    assert response.context["cases"] == [caller_case]
    audited = AuditEntry.objects.filter(action=AuditAction.VIEW, object_id=str(caller_case.pk))
    assert audited.exists()


def test_lookup_only_finds_cases_of_municipalities_the_agent_works_for(
    caller_case, other_municipality, agent, verified_client
):
    foreign = CaseFactory(municipality=other_municipality, state=CaseState.CALL_QUEUE)
    PhoneNumberFactory(resident=foreign.resident)  # same number, other municipality
    response = verified_client(agent).get(
        reverse("outreach:inbound_lookup"), {"nummer": "0612345678"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == "+31612345678"
    assert [c["id"] for c in body["cases"]] == [caller_case.pk]
    assert "bsn" not in body["cases"][0]


def test_lookup_with_an_unparsable_number_explains(agent, verified_client):
    response = verified_client(agent).get(reverse("outreach:inbound_lookup"), {"nummer": "12ab"})
    assert response.status_code == 400
    assert "12ab" in response.json()["error"]
    page = verified_client(agent).get(reverse("outreach:inbound"), {"nummer": "12ab"})
    assert "12ab" in page.text


def test_inbound_call_is_registered_like_outbound_but_marked_inbound(
    caller_case, agent, verified_client, outcomes
):
    client = verified_client(agent)
    response = client.post(reverse("outreach:inbound_start", args=[caller_case.pk]))
    entry = QueueEntry.objects.get(case=caller_case)
    assert response.url == reverse("outreach:workspace", args=[entry.pk])
    page = client.get(response.url)
    assert 'data-testid="inbound-marker"' in page.text
    form = page.context["form"]
    client.post(
        reverse("outreach:save", args=[entry.pk]),
        {
            "token": str(form.initial["token"]),
            "outcome": outcomes["bereikt"].pk,
            "help_requested": "yes",
            "preferred_contact_time": "vrijdag",
        },
    )
    attempt = ContactAttempt.objects.get(case=caller_case)
    assert attempt.direction == ContactAttempt.Direction.INBOUND
    caller_case.refresh_from_db()
    assert caller_case.state == CaseState.REACHED_HELP


def test_resident_calling_back_after_the_attempts_ran_out_reopens_the_case(
    caller_case, agent, verified_client, outcomes
):
    entry = caller_case.queue_entry
    entry.status = QueueEntry.Status.CLOSED
    entry.closed_reason = QueueEntry.ClosedReason.EXHAUSTED
    entry.save()
    caller_case.state = CaseState.EXHAUSTED
    caller_case.save()
    client = verified_client(agent)
    client.post(reverse("outreach:inbound_start", args=[caller_case.pk]))
    entry.refresh_from_db()
    client.post(
        reverse("outreach:save", args=[entry.pk]),
        {
            "token": str(entry.lock_token),
            "outcome": outcomes["bereikt"].pk,
            "help_requested": "no",
            "no_help_reason": "helped_elsewhere",
        },
    )
    caller_case.refresh_from_db()
    assert caller_case.state == CaseState.REACHED_NO_HELP
    assert list(caller_case.transitions.values_list("to_state", flat=True)) == [
        CaseState.CALL_QUEUE,
        CaseState.REACHED_NO_HELP,
    ]


def test_inbound_for_a_case_never_queued_uses_the_active_campaign(
    campaign, agent, verified_client, municipality
):
    case = CaseFactory(municipality=municipality, state=CaseState.ENRICHMENT)
    PhoneNumberFactory(resident=case.resident)
    client = verified_client(agent)
    response = client.post(reverse("outreach:inbound_start", args=[case.pk]))
    entry = QueueEntry.objects.get(case=case)
    assert entry.campaign == campaign
    assert entry.locked_by == agent and entry.locked_inbound
    assert response.url == reverse("outreach:workspace", args=[entry.pk])


def test_taking_a_foreign_case_is_not_found(other_municipality, agent, verified_client):
    foreign = CaseFactory(municipality=other_municipality, state=CaseState.CALL_QUEUE)
    response = verified_client(agent).post(reverse("outreach:inbound_start", args=[foreign.pk]))
    assert response.status_code == 404
