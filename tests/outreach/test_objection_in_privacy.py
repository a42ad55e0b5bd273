"""An objection recorded in the privacy app (a letter, by a coordinator) stops calls and messages,
and one taken during a call lands in the same register."""

import datetime as dt

import pytest

from bereik.cases.workflow import CaseState
from bereik.outreach import services
from bereik.outreach.models import OutboundMessage, QueueEntry
from bereik.privacy import services as privacy_services
from bereik.privacy.selectors import has_objection
from tests.factories import CaseFactory, MessageTemplateFactory, ObjectionFactory

from .conftest import TUESDAY_MORNING as NOW

pytestmark = pytest.mark.django_db


def test_a_queued_resident_who_objects_by_letter_is_not_claimed(make_entry, agent):
    objecting = make_entry(entered_at=NOW - dt.timedelta(days=30))  # first in line
    other = make_entry()
    ObjectionFactory(resident=objecting.case.resident, channel="letter")

    claimed = services.claim_next(agent=agent, now=NOW)

    assert claimed.pk == other.pk
    objecting.refresh_from_db()
    assert objecting.status == QueueEntry.Status.CLOSED
    assert objecting.closed_reason == QueueEntry.ClosedReason.OBJECTION
    assert objecting.locked_by is None
    objecting.case.refresh_from_db()
    assert objecting.case.state == CaseState.CLOSED


def test_nobody_is_claimed_when_the_only_resident_objects(make_entry, agent):
    entry = make_entry()
    ObjectionFactory(resident=entry.case.resident)

    assert services.claim_next(agent=agent, now=NOW) is None


def test_a_withdrawn_objection_no_longer_blocks(make_entry, agent):
    entry = make_entry()
    objection = ObjectionFactory(resident=entry.case.resident)
    objection.withdrawn_at = NOW
    objection.save()

    assert services.claim_next(agent=agent, now=NOW).pk == entry.pk


def test_no_message_is_sent_to_a_resident_who_objects(make_entry, agent, municipality):
    entry = make_entry()
    ObjectionFactory(resident=entry.case.resident)
    template = MessageTemplateFactory(municipality=municipality)

    with pytest.raises(services.OutreachError):
        services.send_message(actor=agent, case=entry.case, template=template)
    assert not OutboundMessage.objects.exists()


def test_no_prenotification_sms_to_a_resident_who_objects(make_entry, agent, campaign):
    campaign.prenotification_template = MessageTemplateFactory(municipality=campaign.municipality)
    campaign.save()
    objecting = make_entry()
    other = make_entry()
    ObjectionFactory(resident=objecting.case.resident)

    sent = services.send_prenotifications(
        actor=agent, campaign=campaign, entry_ids=[objecting.pk, other.pk]
    )

    assert sent == 1
    assert list(OutboundMessage.objects.values_list("case_id", flat=True)) == [other.case_id]


def test_enqueue_skips_residents_who_object_in_the_privacy_app(campaign, agent):
    case = CaseFactory(municipality=campaign.municipality, state="call_queue")
    ObjectionFactory(resident=case.resident)

    result = services.enqueue_cases(actor=agent, campaign=campaign, now=NOW)

    assert (result.added, result.objected) == (0, 1)
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED


def test_an_objection_already_on_record_is_not_recorded_twice(make_entry, agent, outcomes):
    entry = make_entry()
    claimed = services.claim_next(agent=agent, now=NOW)
    # Recorded by a coordinator while the agent was on the phone.
    privacy_services.record_objection(
        resident=entry.case.resident,
        received_on=dt.date(2026, 1, 5),
        channel="letter",
        actor=None,
    )

    services.record_outcome(
        agent=agent,
        entry=claimed,
        token=claimed.lock_token,
        data=services.OutcomeInput(
            outcomes["bereikt"],
            help_requested=False,
            no_help_reason="no_interest",
            objection=True,
        ),
        now=NOW,
    )

    assert has_objection(entry.case.resident)
    assert entry.case.resident.objections.count() == 1
