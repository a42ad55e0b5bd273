"""Callbacks: held until due, then first in the queue; reserved for one agent if asked; missed
callbacks flagged and handed to the team."""

import datetime as dt

import pytest

from bereik.accounts.roles import Role
from bereik.outreach import selectors, services
from bereik.outreach.models import Callback, ContactAttempt, QueueEntry
from bereik.outreach.services import OutcomeInput

from .conftest import TUESDAY_MORNING as NOW

pytestmark = pytest.mark.django_db

AT_TWO = NOW.replace(hour=14)


@pytest.fixture
def colleague(make_member, contact_centre):
    return make_member(Role.AGENT, contact_centre)


def agree_callback(agent, outcomes, at=AT_TWO, only_me=False):
    entry = services.claim_next(agent=agent, now=NOW)
    services.record_outcome(
        agent=agent,
        entry=entry,
        token=entry.lock_token,
        data=OutcomeInput(
            outcomes["niet_beschikbaar"],
            phone_number=entry.current_number,
            callback_at=at,
            callback_only_me=only_me,
        ),
        now=NOW,
    )
    entry.refresh_from_db()
    return entry


def test_callback_is_held_until_due_then_jumps_the_queue(make_entry, agent, outcomes):
    make_entry()
    entry = agree_callback(agent, outcomes)
    assert entry.status == QueueEntry.Status.WAITING
    assert entry.band == QueueEntry.Band.CALLBACK
    crisis = make_entry(is_crisis=True, band=QueueEntry.Band.CRISIS)
    assert services.claim_next(agent=agent, now=AT_TWO - dt.timedelta(minutes=1)).pk == crisis.pk
    services.release(agent=agent, entry=crisis)
    assert services.claim_next(agent=agent, now=AT_TWO).pk == entry.pk


def test_callback_reserved_for_one_agent_is_not_offered_to_others_in_time(
    make_entry, agent, colleague, outcomes
):
    make_entry()
    entry = agree_callback(agent, outcomes, only_me=True)
    assert services.claim_next(agent=colleague, now=AT_TWO) is None
    assert services.claim_next(agent=agent, now=AT_TWO).pk == entry.pk


def test_reserved_callback_already_ready_falls_to_the_team_once_missed(
    make_entry, agent, colleague, outcomes
):
    """The callback became ready at its time (someone else asked for work then), was not taken
    by its agent, and is released to the team once the grace period has passed."""
    make_entry()
    entry = agree_callback(agent, outcomes, only_me=True)
    assert services.claim_next(agent=colleague, now=AT_TWO) is None
    entry.refresh_from_db()
    assert (entry.status, entry.callback_agent_id) == (QueueEntry.Status.READY, agent.pk)

    late = AT_TWO + selectors.CALLBACK_GRACE + dt.timedelta(minutes=1)
    assert services.claim_next(agent=colleague, now=late).pk == entry.pk


def test_missed_reserved_callback_falls_to_the_team_and_is_flagged(
    make_entry, agent, colleague, outcomes, supervisor
):
    make_entry()
    entry = agree_callback(agent, outcomes, only_me=True)
    late = AT_TWO + selectors.CALLBACK_GRACE + dt.timedelta(minutes=1)
    figures = selectors.progress(supervisor, late)
    assert figures.missed_callbacks == 1
    claimed = services.claim_next(agent=colleague, now=late)
    assert claimed.pk == entry.pk
    services.record_outcome(
        agent=colleague,
        entry=claimed,
        token=claimed.lock_token,
        data=OutcomeInput(outcomes["voicemail"], phone_number=claimed.current_number),
        now=late,
    )
    callback = Callback.objects.get(entry=entry)
    assert callback.fulfilled_at == late
    assert callback.was_missed is True


def test_callback_outside_windows_is_refused_by_the_service(make_entry, agent, outcomes):
    make_entry()
    entry = services.claim_next(agent=agent, now=NOW)
    with pytest.raises(services.ValidationError) as error:
        services.record_outcome(
            agent=agent,
            entry=entry,
            token=entry.lock_token,
            data=OutcomeInput(outcomes["niet_beschikbaar"], callback_at=NOW.replace(hour=7)),
            now=NOW,
        )
    assert "callback_at" in error.value.message_dict
    assert not Callback.objects.exists()


@pytest.mark.parametrize(
    "direction", [ContactAttempt.Direction.INBOUND, ContactAttempt.Direction.OUTBOUND]
)
def test_an_agreed_callback_stands_after_an_earlier_call_without_result(
    make_entry, agent, colleague, outcomes, supervisor, direction
):
    """The resident calls in before the agreed time (or an agent takes the callback early by
    hand) and the call brings nothing new: the callback still stands, held until its time, and
    is answered by the call then; it is neither lost from the queue nor left as a phantom
    "due" callback for the supervisor."""
    make_entry()
    entry = agree_callback(agent, outcomes, only_me=True)
    early = NOW + dt.timedelta(hours=1)
    taken = services.claim_entry(agent=colleague, entry=entry, now=early)
    services.record_outcome(
        agent=colleague,
        entry=taken,
        token=taken.lock_token,
        data=OutcomeInput(
            outcomes["geen_gehoor"], phone_number=taken.current_number, direction=direction
        ),
        now=early,
    )
    entry.refresh_from_db()
    assert (entry.status, entry.band) == (QueueEntry.Status.WAITING, QueueEntry.Band.CALLBACK)
    assert (entry.next_attempt_at, entry.callback_due_at) == (AT_TWO, AT_TWO)
    assert entry.callback_agent_id == agent.pk
    callback = Callback.objects.get(entry=entry)
    assert (callback.fulfilled_at, callback.cancelled_at) == (None, None)

    assert services.claim_next(agent=colleague, now=AT_TWO) is None  # still only for its agent
    claimed = services.claim_next(agent=agent, now=AT_TWO)
    assert claimed.pk == entry.pk
    services.record_outcome(
        agent=agent,
        entry=claimed,
        token=claimed.lock_token,
        data=OutcomeInput(outcomes["voicemail"], phone_number=claimed.current_number),
        now=AT_TWO,
    )
    callback.refresh_from_db()
    assert callback.fulfilled_at == AT_TWO
    figures = selectors.progress(supervisor, AT_TWO + selectors.CALLBACK_GRACE * 2)
    assert (figures.due_callbacks, figures.missed_callbacks) == ([], 0)
    entry.refresh_from_db()
    assert (entry.band, entry.callback_due_at) == (QueueEntry.Band.NORMAL, None)


def test_a_new_callback_agreed_before_the_old_one_replaces_it(make_entry, agent, outcomes):
    make_entry()
    entry = agree_callback(agent, outcomes)
    early = NOW + dt.timedelta(hours=1)
    taken = services.claim_entry(agent=agent, entry=entry, now=early)
    later = AT_TWO + dt.timedelta(hours=2)
    services.record_outcome(
        agent=agent,
        entry=taken,
        token=taken.lock_token,
        data=OutcomeInput(
            outcomes["niet_beschikbaar"],
            phone_number=taken.current_number,
            direction=ContactAttempt.Direction.INBOUND,
            callback_at=later,
        ),
        now=early,
    )
    entry.refresh_from_db()
    assert (entry.next_attempt_at, entry.callback_due_at) == (later, later)
    old, new = Callback.objects.filter(entry=entry).order_by("pk")
    assert (old.due_at, old.cancelled_at, old.fulfilled_at) == (AT_TWO, early, None)
    assert (new.due_at, new.cancelled_at) == (later, None)
    open_callbacks = Callback.objects.filter(fulfilled_at__isnull=True, cancelled_at__isnull=True)
    assert list(open_callbacks) == [new]
