"""The agent books a social worker's slot during the call: saved atomically with the outcome,
and a slot someone else took in the meantime is a clear message with nothing saved."""

import pytest
from django.urls import reverse

from bereik.cases.workflow import CaseState
from bereik.handover import services
from bereik.handover.models import Appointment, Handover
from bereik.outreach.models import ContactAttempt
from tests.factories import HandoverFactory
from tests.outreach.test_workspace import form_data, take_next

pytestmark = pytest.mark.django_db


def _help(client, entry, outcomes, slot):
    return client.post(
        reverse("outreach:save", args=[entry.pk]),
        form_data(
            client,
            entry,
            outcome=outcomes["bereikt"].pk,
            help_requested="yes",
            preferred_contact_time="dinsdagmiddag",
            summary="Huurachterstand.",
            appointment_slot=slot.pk,
        ),
    )


def test_the_workspace_offers_free_slots_and_books_one_with_the_outcome(
    entry, agent, verified_client, outcomes, make_slot, social_worker
):
    slot = make_slot()
    client = verified_client(agent)
    take_next(client)
    page = client.get(reverse("outreach:workspace", args=[entry.pk])).text
    assert 'data-testid="appointment-slot"' in page
    assert f'value="{slot.pk}"' in page
    assert "Hanna Hulp" in page
    response = _help(client, entry, outcomes, slot)
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.slot == slot and appointment.case == entry.case
    assert appointment.booked_by == agent
    assert appointment.handover == Handover.objects.get(case=entry.case)
    entry.case.refresh_from_db()
    assert entry.case.state == CaseState.REACHED_HELP


def test_a_slot_taken_meanwhile_is_explained_and_nothing_is_saved(
    entry, agent, verified_client, outcomes, make_slot, municipality, social_work
):
    slot = make_slot()
    client = verified_client(agent)
    take_next(client)
    data = form_data(
        client,
        entry,
        outcome=outcomes["bereikt"].pk,
        help_requested="yes",
        summary="Huurachterstand.",
        appointment_slot=slot.pk,
    )
    # A colleague books the same time for someone else first.
    other = HandoverFactory(case__municipality=municipality, social_work=social_work)
    services.book_slot(actor=None, handover=other, slot=slot)
    response = client.post(reverse("outreach:save", args=[entry.pk]), data)
    assert response.status_code == 400
    assert "net door iemand anders geboekt" in response.text
    assert 'data-testid="slot-error"' in response.text
    offered = response.text.split('data-testid="appointment-slot"')[1].split("</select>")[0]
    assert f'value="{slot.pk}"' not in offered  # no longer offered
    assert not ContactAttempt.objects.filter(case=entry.case).exists()
    assert not Handover.objects.filter(case=entry.case).exists()
    assert Appointment.objects.get().handover == other


def test_booking_without_a_help_request_is_refused(
    entry, agent, verified_client, outcomes, make_slot
):
    slot = make_slot()
    client = verified_client(agent)
    take_next(client)
    response = client.post(
        reverse("outreach:save", args=[entry.pk]),
        form_data(
            client,
            entry,
            outcome=outcomes["bereikt"].pk,
            help_requested="no",
            no_help_reason="no_interest",
            appointment_slot=slot.pk,
        ),
    )
    assert response.status_code == 400
    assert not Appointment.objects.exists()
