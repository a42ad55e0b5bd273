"""The shared agenda: publishing slots, booking, cancelling, and the .ics invitation."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from bereik.accounts.roles import Role
from bereik.handover import selectors, services
from bereik.handover.calendar import invitation
from bereik.handover.models import Appointment, AppointmentSlot
from tests.factories import (
    AppointmentSlotFactory,
    HandoverFactory,
    ProviderFactory,
    ServiceAgreementFactory,
)

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def test_a_series_repeats_weekday_and_wall_clock_time(social_work, social_worker):
    now = dt.datetime(2026, 10, 1, 9, 0, tzinfo=AMSTERDAM)
    first = dt.datetime(2026, 10, 13, 14, 0, tzinfo=AMSTERDAM)  # a Tuesday, summer time
    slots = services.publish_slots(
        actor=social_worker,
        organisation=social_work,
        first_start=first,
        minutes=45,
        weeks=4,
        location="Wijkcentrum",
        now=now,
    )
    local = [timezone.localtime(s.starts_at, AMSTERDAM) for s in slots]
    assert [d.date() for d in local] == [
        dt.date(2026, 10, 13),
        dt.date(2026, 10, 20),
        dt.date(2026, 10, 27),  # after the change to winter time
        dt.date(2026, 11, 3),
    ]
    assert {(d.hour, d.minute) for d in local} == {(14, 0)}
    assert all(s.ends_at - s.starts_at == dt.timedelta(minutes=45) for s in slots)
    # Publishing the same series again adds nothing.
    again = services.publish_slots(
        actor=social_worker,
        organisation=social_work,
        first_start=first,
        minutes=45,
        weeks=4,
        now=now,
    )
    assert again == []
    assert AppointmentSlot.objects.count() == 4


@pytest.mark.parametrize(
    ("start_offset", "minutes", "weeks"),
    [(-1, 45, 1), (24, 2, 1), (24, 45, 0), (24, 45, 27)],
)
def test_bad_slots_are_refused(social_work, social_worker, start_offset, minutes, weeks):
    with pytest.raises(services.HandoverError):
        services.publish_slots(
            actor=social_worker,
            organisation=social_work,
            first_start=timezone.now() + dt.timedelta(hours=start_offset),
            minutes=minutes,
            weeks=weeks,
        )
    assert not AppointmentSlot.objects.exists()


def test_booking_sends_the_social_worker_an_invitation(
    handover, social_worker, agent, make_slot, django_capture_on_commit_callbacks
):
    slot = make_slot()
    with django_capture_on_commit_callbacks(execute=True):
        appointment = services.book_slot(actor=agent, handover=handover, slot=slot)
    assert appointment.case == handover.case
    assert appointment.booked_by == agent
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [social_worker.email]
    assert handover.case.reference in sent.subject
    name, content, mimetype = sent.attachments[0]
    assert name == "afspraak.ics" and mimetype.startswith("text/calendar")
    assert "BEGIN:VEVENT" in content
    assert handover.case.resident.surname not in sent.body + sent.subject + content


def test_a_taken_slot_cannot_be_booked_again(handover, agent, make_slot, municipality):
    slot = make_slot()
    services.book_slot(actor=agent, handover=handover, slot=slot)
    second = HandoverFactory(case__municipality=municipality, social_work=handover.social_work)
    with pytest.raises(services.SlotTaken, match=r"iemand anders|someone else"):
        services.book_slot(actor=agent, handover=second, slot=slot)
    assert Appointment.objects.count() == 1


def test_the_database_itself_refuses_a_second_active_appointment(handover, make_slot):
    slot = make_slot()
    Appointment.objects.create(
        slot=slot, handover=handover, case=handover.case, municipality=handover.municipality
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(
            slot=slot, handover=handover, case=handover.case, municipality=handover.municipality
        )


def test_a_past_slot_cannot_be_booked(handover, agent, make_slot):
    slot = make_slot(starts_at=timezone.now() - dt.timedelta(hours=1))
    with pytest.raises(services.HandoverError):
        services.book_slot(actor=agent, handover=handover, slot=slot)
    assert not Appointment.objects.exists()


def test_a_slot_of_another_organisation_cannot_be_booked(handover, agent, outsider):
    foreign = AppointmentSlotFactory(
        organisation=ProviderFactory(social_work=True), social_worker=outsider
    )
    with pytest.raises(services.HandoverError):
        services.book_slot(actor=agent, handover=handover, slot=foreign)
    assert not Appointment.objects.exists()


def test_cancelling_frees_the_slot(handover, agent, social_worker, make_slot):
    slot = make_slot()
    appointment = services.book_slot(actor=agent, handover=handover, slot=slot)
    assert slot not in selectors.free_slots(slot.organisation_id, timezone.now())
    services.cancel_appointment(actor=social_worker, appointment=appointment)
    assert slot in selectors.free_slots(slot.organisation_id, timezone.now())
    with pytest.raises(services.HandoverError):
        services.cancel_appointment(actor=social_worker, appointment=appointment)
    again = services.book_slot(actor=agent, handover=handover, slot=slot)
    assert again.pk != appointment.pk


def test_a_booked_slot_cannot_be_withdrawn_but_a_free_one_can(
    handover, agent, social_worker, make_slot
):
    booked = make_slot()
    services.book_slot(actor=agent, handover=handover, slot=booked)
    with pytest.raises(services.HandoverError):
        services.withdraw_slot(actor=social_worker, slot=booked)
    free = make_slot(starts_at=booked.starts_at + dt.timedelta(days=1))
    services.withdraw_slot(actor=social_worker, slot=free)
    assert not AppointmentSlot.objects.filter(pk=free.pk).exists()


def test_agents_see_free_future_slots_of_the_municipalitys_organisation_only(
    agent, municipality, make_slot, outsider
):
    mine = make_slot()
    make_slot(starts_at=timezone.now() - dt.timedelta(days=1))  # passed
    make_slot(starts_at=timezone.now() + dt.timedelta(weeks=10))  # beyond the horizon
    AppointmentSlotFactory(organisation=ProviderFactory(social_work=True), social_worker=outsider)
    assert list(selectors.free_slots_for_municipality(agent, municipality, timezone.now())) == [
        mine
    ]


def test_an_agent_of_another_municipality_sees_no_slots(
    make_member, other_municipality, municipality, make_slot
):
    centre = ProviderFactory()
    ServiceAgreementFactory(provider=centre, municipality=other_municipality)
    stranger = make_member(Role.AGENT, centre)
    make_slot()
    assert not selectors.free_slots_for_municipality(stranger, municipality, timezone.now())


def _unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_the_ics_is_valid_icalendar_in_utc_without_personal_data(handover, agent, make_slot):
    start = dt.datetime(2026, 12, 1, 10, 0, tzinfo=AMSTERDAM)
    slot = make_slot(starts_at=start, ends_at=start + dt.timedelta(minutes=45))
    appointment = services.book_slot(
        actor=agent, handover=handover, slot=slot, now=start - dt.timedelta(days=3)
    )
    text = invitation(appointment, now=dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC))
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")  # CRLF only
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    lines = _unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    fields = dict(line.split(":", 1) for line in lines if ":" in line)
    assert fields["VERSION"] == "2.0"
    assert fields["UID"] == f"appointment-{appointment.pk}@" + fields["UID"].split("@")[1]
    assert fields["DTSTAMP"] == "20261128T120000Z"
    assert fields["DTSTART"] == "20261201T090000Z"  # 10:00 in Amsterdam, winter time
    assert fields["DTEND"] == "20261201T094500Z"
    assert handover.case.reference in fields["SUMMARY"]
    assert handover.case.resident.surname not in text
    assert fields["METHOD"] == "REQUEST" and fields["STATUS"] == "CONFIRMED"
    parsed_start = dt.datetime.strptime(fields["DTSTART"], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    assert parsed_start == slot.starts_at


def test_cancelling_sends_the_social_worker_a_cancellation(
    handover, agent, social_worker, make_slot, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appointment = services.book_slot(actor=agent, handover=handover, slot=make_slot())
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_appointment(actor=social_worker, appointment=appointment)
    assert len(mail.outbox) == 2
    _, content, mimetype = mail.outbox[1].attachments[0]
    assert "method=CANCEL" in mimetype
    lines = _unfold(content)
    assert "METHOD:CANCEL" in lines and "STATUS:CANCELLED" in lines
    assert f"UID:appointment-{appointment.pk}@" in content  # the same event as the invitation
