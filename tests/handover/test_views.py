"""The pages: who may see and do what (403 without the permission, 404 across tenants and
organisations), and what each action does."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from bereik.accounts.roles import Role
from bereik.audit.models import AuditEntry
from bereik.cases.results import EndResult
from bereik.cases.workflow import CaseState
from bereik.handover import services
from bereik.handover.models import Appointment, AppointmentSlot, Handover
from tests.factories import HandoverFactory, ProviderFactory, ServiceAgreementFactory

pytestmark = pytest.mark.django_db

HANDOVER_POSTS = ["accept", "assign", "contact", "result", "return"]


def test_the_queue_shows_crisis_first_then_oldest(
    verified_client, social_worker, municipality, social_work
):
    old = HandoverFactory(case__municipality=municipality, social_work=social_work)
    crisis = HandoverFactory(
        case__municipality=municipality, social_work=social_work, case__is_crisis=True
    )
    Handover.objects.filter(pk=crisis.pk).update(created_at=timezone.now())
    Handover.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    response = verified_client(social_worker).get(reverse("handover:queue"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(crisis.case.reference) < html.index(old.case.reference)


def test_the_queue_filters(verified_client, social_worker, handover, municipality, social_work):
    other = HandoverFactory(case__municipality=municipality, social_work=social_work)
    services.accept(actor=social_worker, handover=other)
    client = verified_client(social_worker)
    open_page = client.get(reverse("handover:queue")).content.decode()
    assert handover.case.reference in open_page and other.case.reference not in open_page
    mine = client.get(reverse("handover:queue") + "?filter=mine").content.decode()
    assert other.case.reference in mine and handover.case.reference not in mine
    everything = client.get(reverse("handover:queue") + "?filter=all").content.decode()
    assert other.case.reference in everything and handover.case.reference in everything


def test_the_detail_shows_what_help_needs_but_not_the_bsn(verified_client, social_worker, handover):
    response = verified_client(social_worker).get(reverse("handover:detail", args=[handover.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    resident = handover.case.resident
    assert resident.surname in html
    assert resident.street in html
    assert handover.summary in html and handover.preferred_contact_time in html
    assert "250" in html  # the signal's amount
    assert resident.bsn not in html
    assert AuditEntry.objects.filter(
        action="view", object_type="cases.case", object_id=str(handover.case_id)
    ).exists()


@pytest.mark.parametrize("name", ["queue", "agenda"])
def test_pages_refuse_users_without_the_permission(verified_client, agent, name):
    assert verified_client(agent).get(reverse(f"handover:{name}")).status_code == 403


def test_the_coordination_page_refuses_social_workers(verified_client, social_worker):
    response = verified_client(social_worker).get(reverse("handover:coordination"))
    assert response.status_code == 403


def test_another_organisations_social_worker_gets_404_everywhere(
    verified_client, outsider, handover
):
    client = verified_client(outsider)
    assert client.get(reverse("handover:detail", args=[handover.pk])).status_code == 404
    for name in HANDOVER_POSTS:
        response = client.post(reverse(f"handover:{name}", args=[handover.pk]), {})
        assert response.status_code == 404, name
    handover.refresh_from_db()
    assert handover.status == Handover.Status.OPEN


def test_a_second_social_work_provider_of_the_same_municipality_gets_404(
    verified_client, make_member, handover, municipality
):
    second = ProviderFactory(social_work=True)
    ServiceAgreementFactory(provider=second, municipality=municipality)
    stranger = make_member(Role.SOCIAL_WORKER, second)
    response = verified_client(stranger).get(reverse("handover:detail", args=[handover.pk]))
    assert response.status_code == 404


def test_agents_get_403_on_every_handover_action(verified_client, agent, handover):
    client = verified_client(agent)
    assert client.get(reverse("handover:detail", args=[handover.pk])).status_code == 403
    for name in HANDOVER_POSTS:
        assert client.post(reverse(f"handover:{name}", args=[handover.pk]), {}).status_code == 403


def test_accept_contact_and_result_through_the_pages(verified_client, social_worker, handover):
    client = verified_client(social_worker)
    client.post(reverse("handover:accept", args=[handover.pk]))
    when = timezone.localtime() - dt.timedelta(hours=1)
    client.post(
        reverse("handover:contact", args=[handover.pk]),
        {
            "kind": "Telefoon",
            "direction": "outbound",
            "occurred_at": when.strftime("%Y-%m-%dT%H:%M"),
            "reached": "yes",
            "note": "Afspraak gemaakt.",
        },
    )
    response = client.post(
        reverse("handover:result", args=[handover.pk]),
        {"result": EndResult.FINANCIAL_FOLLOW_UP.value},
    )
    assert response.status_code == 302
    handover.refresh_from_db()
    handover.case.refresh_from_db()
    assert handover.status == Handover.Status.COMPLETED
    assert handover.case.state == CaseState.CLOSED
    assert handover.case.end_result == EndResult.FINANCIAL_FOLLOW_UP
    page = client.get(reverse("cases:detail", args=[handover.case_id])).content.decode()
    assert "Vervolghulp en/of verwijzing financieel" in page
    assert 'data-category="handover"' in page and 'data-category="attempt"' in page


def test_a_refused_step_is_a_message_not_an_error(verified_client, social_worker, handover):
    client = verified_client(social_worker)
    response = client.post(
        reverse("handover:result", args=[handover.pk]),
        {"result": EndResult.NO_REACTION_AFTER_CONTACT.value},
        follow=True,
    )
    assert response.status_code == 200
    handover.refresh_from_db()
    assert handover.status == Handover.Status.OPEN


def test_return_through_the_page(verified_client, social_worker, handover, coordinator):
    client = verified_client(social_worker)
    client.post(reverse("handover:return", args=[handover.pk]), {"reason": "Niet voor ons."})
    handover.refresh_from_db()
    assert handover.status == Handover.Status.RETURNED
    client.logout()
    page = verified_client(coordinator).get(reverse("handover:coordination"))
    assert handover.case.reference in page.content.decode()


def test_coordinator_of_another_municipality_gets_404(
    verified_client, make_member, other_municipality, municipality
):
    unrouted = HandoverFactory(case__municipality=municipality, social_work=None)
    stranger = make_member(Role.COORDINATOR, other_municipality)
    client = verified_client(stranger)
    assert handover_not_listed(client, unrouted)
    response = client.post(
        reverse("handover:close", args=[unrouted.pk]),
        {"end_result": EndResult.NOT_PICKED_UP_OTHER.value},
    )
    assert response.status_code == 404


def handover_not_listed(client, handover) -> bool:
    return (
        handover.case.reference not in client.get(reverse("handover:coordination")).content.decode()
    )


def test_publishing_a_series_on_the_agenda_page(verified_client, social_worker):
    start = timezone.localtime() + dt.timedelta(days=2)
    response = verified_client(social_worker).post(
        reverse("handover:agenda"),
        {
            "date": start.strftime("%Y-%m-%d"),
            "time": "10:00",
            "minutes": "45",
            "weeks": "3",
            "channel": "phone",
            "location": "",
        },
    )
    assert response.status_code == 302
    assert AppointmentSlot.objects.filter(social_worker=social_worker).count() == 3


def test_a_past_slot_on_the_agenda_page_is_a_form_error(verified_client, social_worker):
    response = verified_client(social_worker).post(
        reverse("handover:agenda"),
        {"date": "2020-01-07", "time": "10:00", "minutes": "45", "weeks": "1", "channel": "phone"},
    )
    assert response.status_code == 400
    assert not AppointmentSlot.objects.exists()


def test_agenda_shows_booked_appointments_and_serves_the_ics(
    verified_client, social_worker, handover, agent, make_slot, outsider
):
    appointment = services.book_slot(actor=agent, handover=handover, slot=make_slot())
    client = verified_client(social_worker)
    agenda = client.get(reverse("handover:agenda")).content.decode()
    assert handover.case.reference in agenda
    response = client.get(reverse("handover:appointment_ics", args=[appointment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in response.content
    assert AuditEntry.objects.filter(
        action="export", object_type="handover.appointment", object_id=str(appointment.pk)
    ).exists()
    client.logout()
    foreign = verified_client(outsider).get(
        reverse("handover:appointment_ics", args=[appointment.pk])
    )
    assert foreign.status_code == 404


def test_cancel_and_withdraw_are_for_the_own_slots_only(
    verified_client, social_worker, outsider, handover, agent, make_slot
):
    appointment = services.book_slot(actor=agent, handover=handover, slot=make_slot())
    free = make_slot(starts_at=appointment.slot.starts_at + dt.timedelta(days=1))
    client = verified_client(outsider)
    assert (
        client.post(reverse("handover:cancel_appointment", args=[appointment.pk])).status_code
        == 404
    )
    assert client.post(reverse("handover:withdraw_slot", args=[free.pk])).status_code == 404
    client.logout()
    client = verified_client(social_worker)
    client.post(reverse("handover:cancel_appointment", args=[appointment.pk]))
    appointment.refresh_from_db()
    assert appointment.cancelled_at is not None
    assert Appointment.objects.filter(cancelled_at__isnull=True).count() == 0


def test_start_page_cards(verified_client, social_worker, handover):
    page = verified_client(social_worker).get("/").content.decode()
    assert "Open overdrachten" in page


def test_supervisor_is_warned_about_help_requests_nobody_receives(
    verified_client, make_member, contact_centre, municipality
):
    supervisor = make_member(Role.SUPERVISOR, contact_centre)
    client = verified_client(supervisor)
    assert "Hulpvragen zonder organisatie voor sociaal werk" not in client.get("/").text
    HandoverFactory(case__municipality=municipality, social_work=None)
    assert "Hulpvragen zonder organisatie voor sociaal werk" in client.get("/").text
