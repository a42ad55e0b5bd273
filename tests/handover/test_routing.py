"""A help request becomes a handover for the right organisation, in the same transaction."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from bereik.accounts.roles import Role
from bereik.cases.workflow import CaseState, transition
from bereik.handover import selectors, services
from bereik.handover.models import Handover
from bereik.outreach import services as outreach
from bereik.outreach.models import ContactAttempt
from bereik.outreach.services import OutcomeInput
from tests.factories import (
    AppointmentSlotFactory,
    CaseFactory,
    ProviderFactory,
    ServiceAgreementFactory,
)
from tests.outreach.conftest import TUESDAY_MORNING as NOW

pytestmark = pytest.mark.django_db


def _help_request(agent, entry, outcomes, **fields):
    claimed = outreach.claim_entry(agent=agent, entry=entry, now=NOW)
    return outreach.record_outcome(
        agent=agent,
        entry=claimed,
        token=claimed.lock_token,
        data=OutcomeInput(
            outcomes["bereikt"],
            phone_number=claimed.current_number,
            help_requested=True,
            preferred_contact_time="dinsdagmiddag na 14:00",
            summary="Huurachterstand, wil een regeling.",
            **fields,
        ),
        now=NOW,
    )


def test_help_request_creates_a_handover_for_the_social_work_organisation(
    make_entry, agent, outcomes, social_work
):
    entry = make_entry()
    attempt = _help_request(agent, entry, outcomes)
    handover = Handover.objects.get(case=entry.case)
    assert handover.social_work == social_work
    assert handover.status == Handover.Status.OPEN
    assert handover.preferred_contact_time == "dinsdagmiddag na 14:00"
    assert handover.summary == "Huurachterstand, wil een regeling."
    assert handover.requested_in == attempt
    assert handover.municipality_id == entry.municipality_id
    entry.case.refresh_from_db()
    assert entry.case.state == CaseState.REACHED_HELP


def test_no_help_means_no_handover(make_entry, agent, outcomes, social_work):
    entry = make_entry()
    claimed = outreach.claim_entry(agent=agent, entry=entry, now=NOW)
    outreach.record_outcome(
        agent=agent,
        entry=claimed,
        token=claimed.lock_token,
        data=OutcomeInput(
            outcomes["bereikt"],
            phone_number=claimed.current_number,
            help_requested=False,
            no_help_reason="no_interest",
        ),
        now=NOW,
    )
    assert not Handover.objects.exists()


def test_without_provider_the_municipalitys_own_social_workers_receive_it(
    municipality, make_member
):
    make_member(Role.SOCIAL_WORKER, municipality)
    assert selectors.social_work_for(municipality) == municipality


def test_a_contact_centre_is_not_a_social_work_organisation(municipality, contact_centre):
    assert selectors.social_work_for(municipality) is None


def test_an_ended_agreement_does_not_route(municipality):
    ended = ProviderFactory(social_work=True)
    ServiceAgreementFactory(
        provider=ended,
        municipality=municipality,
        starts_on=dt.date(2020, 1, 1),
        ends_on=dt.date(2021, 1, 1),
    )
    assert selectors.social_work_for(municipality) is None


def test_without_any_social_worker_the_handover_exists_unrouted_and_the_coordinator_sees_it(
    make_entry, agent, outcomes, coordinator
):
    entry = make_entry()
    _help_request(agent, entry, outcomes)
    handover = Handover.objects.get(case=entry.case)
    assert handover.social_work is None
    assert list(selectors.unhandled_for(coordinator)) == [handover]


def test_a_second_help_request_keeps_the_one_active_handover(municipality, social_work, agent):
    case = CaseFactory(municipality=municipality, state=CaseState.REACHED_HELP)
    first = services.create_handover(case=case, actor=agent, summary="Eerste gesprek.")
    again = services.create_handover(
        case=case, actor=agent, summary="Belde zelf terug.", preferred_contact_time="avond"
    )
    assert again.pk == first.pk
    assert Handover.objects.filter(case=case).count() == 1
    again.refresh_from_db()
    assert "Eerste gesprek." in again.summary and "Belde zelf terug." in again.summary
    assert again.preferred_contact_time == "avond"


def test_cases_routed_to_the_social_workers_queue_appear_as_handovers(
    municipality, social_work, django_capture_on_commit_callbacks
):
    case = CaseFactory(municipality=municipality, state=CaseState.NEW, is_crisis=True)
    with django_capture_on_commit_callbacks(execute=True):
        transition(case, CaseState.SOCIAL_WORK_QUEUE, reason="crisis signal")
    handover = Handover.objects.get(case=case)
    assert handover.social_work == social_work
    assert handover.requested_in is None


def test_backfill_hands_over_queued_cases_once(municipality, social_work):
    CaseFactory(municipality=municipality, state=CaseState.SOCIAL_WORK_QUEUE)
    CaseFactory(municipality=municipality, state=CaseState.CALL_QUEUE)
    assert services.hand_over_queued_cases(municipality=municipality) == 1
    assert services.hand_over_queued_cases(municipality=municipality) == 0


def test_a_failed_booking_rolls_back_the_whole_conversation(
    make_entry, agent, outcomes, social_work, make_slot
):
    other = ProviderFactory(social_work=True)
    foreign_slot = AppointmentSlotFactory(organisation=other, social_worker=agent)
    entry = make_entry()
    with pytest.raises(ValidationError) as refused:
        _help_request(agent, entry, outcomes, appointment_slot=foreign_slot)
    assert "appointment_slot" in refused.value.message_dict
    assert not ContactAttempt.objects.filter(case=entry.case).exists()
    assert not Handover.objects.exists()
    entry.case.refresh_from_db()
    assert entry.case.state == CaseState.CALL_QUEUE
