"""The agent workspace: what it shows (and hides), saving brings the next resident, and the
faults: double submit, two tabs, an expired reservation, missing notes, bad numbers."""

import datetime as dt

import pytest
from django.urls import reverse
from freezegun import freeze_time

from bereik.accounts.roles import Role
from bereik.audit.models import AuditAction, AuditEntry
from bereik.cases.models import PhoneNumber
from bereik.cases.workflow import CaseState
from bereik.outreach.models import ContactAttempt, QueueEntry
from tests.factories import CampaignFactory, QueueEntryFactory, SignalFactory

from .conftest import TUESDAY_MORNING as NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen():
    with freeze_time(NOW) as frozen_time:
        yield frozen_time


@pytest.fixture
def entry(make_entry, frozen):
    entry = make_entry()
    entry.case.resident.bsn = "999990019"
    entry.case.resident.save()
    SignalFactory(case=entry.case, partner_name="Woonstichting Test")
    return entry


def take_next(client):
    response = client.post(reverse("outreach:next"))
    assert response.status_code == 302
    return response


def form_data(client, entry, **fields):
    """The outcome form as the browser would post it, from the rendered page."""
    page = client.get(reverse("outreach:workspace", args=[entry.pk]))
    form = page.context["form"]
    data = {
        "token": str(form.initial["token"]),
        "script_version": form.initial["script_version"] or "",
        "phone_number": entry.current_number_id,
    }
    data.update(fields)
    return data


def test_workspace_shows_what_the_call_needs_and_never_the_bsn(
    entry, agent, verified_client, outcomes
):
    client = verified_client(agent)
    response = take_next(client)
    assert response.url == reverse("outreach:workspace", args=[entry.pk])
    page = client.get(response.url)
    html = page.text
    resident = entry.case.resident
    assert resident.surname in html
    assert "Dorpsstraat" in html
    assert "tel:+31612345678" in html
    assert "Woonstichting Test" in html
    assert "999990019" not in html
    assert f"u spreekt met {agent.get_full_name()} namens {entry.municipality.name}" in html
    for testid in ("outcome-select", "save-outcome", "script", "dial-1"):
        assert f'data-testid="{testid}"' in html
    assert AuditEntry.objects.filter(
        action=AuditAction.VIEW, object_type="cases.case", object_id=str(entry.case.pk)
    ).exists()


def test_saving_registers_the_attempt_and_brings_the_next_resident(
    entry, make_entry, agent, verified_client, outcomes
):
    second = make_entry(entered_at=entry.entered_at + dt.timedelta(hours=1))
    client = verified_client(agent)
    take_next(client)
    response = client.post(
        reverse("outreach:save", args=[entry.pk]),
        form_data(client, entry, outcome=outcomes["geen_gehoor"].pk),
    )
    assert response.status_code == 302
    assert response.url == reverse("outreach:workspace", args=[second.pk])
    attempt = ContactAttempt.objects.get(case=entry.case)
    assert attempt.outcome == outcomes["geen_gehoor"]
    assert attempt.script_version == entry.campaign.script.versions.get()
    assert attempt.agent == agent


def test_reached_with_help_request_and_preferred_time(entry, agent, verified_client, outcomes):
    client = verified_client(agent)
    take_next(client)
    client.post(
        reverse("outreach:save", args=[entry.pk]),
        form_data(
            client,
            entry,
            outcome=outcomes["bereikt"].pk,
            help_requested="yes",
            preferred_contact_time="donderdagochtend",
            summary="Achterstand zorgverzekering",
        ),
    )
    entry.case.refresh_from_db()
    assert entry.case.state == CaseState.REACHED_HELP
    attempt = ContactAttempt.objects.get(case=entry.case)
    assert attempt.help_requested is True
    assert attempt.preferred_contact_time == "donderdagochtend"


def test_double_submit_saves_once_and_carries_on(entry, agent, verified_client, outcomes):
    client = verified_client(agent)
    take_next(client)
    data = form_data(client, entry, outcome=outcomes["voicemail"].pk)
    first = client.post(reverse("outreach:save", args=[entry.pk]), data)
    second = client.post(reverse("outreach:save", args=[entry.pk]), data)
    assert first.status_code == second.status_code == 302
    assert ContactAttempt.objects.filter(case=entry.case).count() == 1


def test_second_tab_with_a_different_entry_is_refused_and_keeps_its_text(
    entry, agent, verified_client, outcomes
):
    client = verified_client(agent)
    take_next(client)
    tab_one = form_data(client, entry, outcome=outcomes["voicemail"].pk)
    tab_two = dict(tab_one, outcome=outcomes["niet_aanwezig"].pk, summary="Partner nam op")
    client.post(reverse("outreach:save", args=[entry.pk]), tab_one)
    response = client.post(reverse("outreach:save", args=[entry.pk]), tab_two)
    assert response.status_code == 409
    assert "already saved" in response.text or "al opgeslagen" in response.text
    assert "Partner nam op" in response.text  # nothing lost
    assert ContactAttempt.objects.filter(case=entry.case).count() == 1


def test_expired_reservation_refuses_the_save_keeps_the_entry_and_offers_to_take_back(
    entry, agent, verified_client, outcomes, frozen
):
    client = verified_client(agent)
    take_next(client)
    data = form_data(client, entry, outcome=outcomes["niet_aanwezig"].pk, summary="Dochter")
    frozen.tick(dt.timedelta(minutes=entry.campaign.lock_minutes + 1))
    response = client.post(reverse("outreach:save", args=[entry.pk]), data)
    assert response.status_code == 409
    assert 'data-testid="reclaim-and-save"' in response.text
    assert "Dochter" in response.text
    assert not ContactAttempt.objects.exists()
    response = client.post(reverse("outreach:save", args=[entry.pk]), dict(data, reclaim="1"))
    assert response.status_code == 302
    assert ContactAttempt.objects.get().summary == "Dochter"


def test_reservation_taken_by_a_colleague_refuses_the_save(
    entry, agent, make_member, contact_centre, verified_client, outcomes, frozen, client
):
    verified_client(agent)
    take_next(client)
    data = form_data(client, entry, outcome=outcomes["voicemail"].pk)
    frozen.tick(dt.timedelta(minutes=entry.campaign.lock_minutes + 1))
    from bereik.outreach import services

    colleague = make_member(Role.AGENT, contact_centre)
    assert services.claim_next(agent=colleague).pk == entry.pk
    response = client.post(reverse("outreach:save", args=[entry.pk]), data)
    assert response.status_code == 409
    assert 'data-testid="reclaim-and-save"' not in response.text
    response = client.post(reverse("outreach:save", args=[entry.pk]), dict(data, reclaim="1"))
    assert response.status_code == 409
    assert not ContactAttempt.objects.exists()


def test_outcome_needing_a_note_without_one_is_explained(entry, agent, verified_client, outcomes):
    client = verified_client(agent)
    take_next(client)
    response = client.post(
        reverse("outreach:save", args=[entry.pk]),
        form_data(client, entry, outcome=outcomes["foutieve_import"].pk),
    )
    assert response.status_code == 400
    assert "Foutieve import" in response.context["form"].errors["summary"][0]
    assert not ContactAttempt.objects.exists()


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (NOW - dt.timedelta(hours=1), "future"),
        (NOW.replace(hour=22), "between 08:30 and 21:00"),
        (NOW + dt.timedelta(days=5), "No calls are made"),  # Sunday
        (dt.datetime(2026, 12, 25, 10, tzinfo=NOW.tzinfo), "No calls are made"),
    ],
)
def test_callback_in_the_past_or_outside_windows_is_refused(
    entry, agent, verified_client, outcomes, when, expected
):
    client = verified_client(agent)
    client.cookies["django_language"] = "en"
    take_next(client)
    response = client.post(
        reverse("outreach:save", args=[entry.pk]),
        form_data(
            client,
            entry,
            outcome=outcomes["niet_beschikbaar"].pk,
            callback_at=when.astimezone(NOW.tzinfo).strftime("%Y-%m-%dT%H:%M"),
        ),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert expected in response.context["form"].errors["callback_at"][0]


def test_callback_is_required_for_not_available(entry, agent, verified_client, outcomes):
    client = verified_client(agent)
    take_next(client)
    response = client.post(
        reverse("outreach:save", args=[entry.pk]),
        form_data(client, entry, outcome=outcomes["niet_beschikbaar"].pk),
    )
    assert response.status_code == 400
    assert "callback_at" in response.context["form"].errors


def test_unparsable_number_is_refused_with_a_message(entry, agent, verified_client):
    client = verified_client(agent)
    take_next(client)
    response = client.post(
        reverse("outreach:add_number", args=[entry.pk]), {"number": "06-1234"}, follow=True
    )
    assert "06-1234" in response.text
    assert entry.case.resident.phone_numbers.count() == 1
    client.post(reverse("outreach:add_number", args=[entry.pk]), {"number": "+31 79 123 4567"})
    added = entry.case.resident.phone_numbers.get(source=PhoneNumber.Source.MANUAL)
    assert added.e164 == "+31791234567"
    assert added.kind == PhoneNumber.Kind.LANDLINE


def test_workspace_of_another_municipality_is_not_found(
    frozen, other_municipality, agent, verified_client, outcomes
):
    foreign = QueueEntryFactory(campaign=CampaignFactory(municipality=other_municipality))
    client = verified_client(agent)
    for name in ("outreach:workspace",):
        assert client.get(reverse(name, args=[foreign.pk])).status_code == 404
    for name in ("outreach:save", "outreach:add_number", "outreach:send_message"):
        assert client.post(reverse(name, args=[foreign.pk]), {}).status_code == 404
    assert not AuditEntry.objects.filter(action=AuditAction.VIEW).exists()


def test_roles_without_the_call_queue_are_refused(
    entry, make_member, municipality, verified_client
):
    client = verified_client(make_member(Role.COORDINATOR, municipality))
    assert client.get(reverse("outreach:queue")).status_code == 403
    assert client.post(reverse("outreach:next")).status_code == 403


def test_workspace_without_reservation_sends_the_agent_back(entry, agent, verified_client):
    client = verified_client(agent)
    response = client.get(reverse("outreach:workspace", args=[entry.pk]))
    assert response.status_code == 302
    assert QueueEntry.objects.get(pk=entry.pk).locked_by is None


def test_next_with_nobody_callable_says_so(frozen, agent, verified_client, campaign):
    client = verified_client(agent)
    response = client.post(reverse("outreach:next"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("outreach:queue")
    assert 'data-testid="next-resident"' in response.text


def test_numbers_and_messages_need_the_reservation(entry, agent, verified_client):
    client = verified_client(agent)
    response = client.post(reverse("outreach:add_number", args=[entry.pk]), {"number": "0612"})
    assert response.status_code == 302
    assert response.url == reverse("outreach:queue")
    assert entry.case.resident.phone_numbers.count() == 1
