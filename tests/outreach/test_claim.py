"""Claiming the next resident: eligibility, ranking, reservations and tenant isolation."""

import datetime as dt

import pytest

from bereik.accounts.roles import Role
from bereik.cases.workflow import CaseState
from bereik.outreach import services
from bereik.outreach.models import QueueEntry
from tests.factories import CampaignFactory, ProviderFactory, ServiceAgreementFactory

from .conftest import TUESDAY_MORNING as NOW

pytestmark = pytest.mark.django_db


def test_claim_reserves_the_case_for_the_agent_with_an_expiry(make_entry, agent):
    entry = make_entry()
    claimed = services.claim_next(agent=agent, now=NOW)
    assert claimed.pk == entry.pk
    assert claimed.locked_by == agent
    assert claimed.locked_until == NOW + dt.timedelta(minutes=entry.campaign.lock_minutes)
    assert claimed.lock_token is not None


def test_agent_with_a_reservation_gets_the_same_resident_back(make_entry, agent):
    make_entry(), make_entry()
    first = services.claim_next(agent=agent, now=NOW)
    again = services.claim_next(agent=agent, now=NOW + dt.timedelta(minutes=1))
    assert again.pk == first.pk
    assert again.lock_token == first.lock_token


def test_two_agents_get_different_residents(make_entry, agent, make_member, contact_centre):
    make_entry(), make_entry()
    colleague = make_member(Role.AGENT, contact_centre)
    first = services.claim_next(agent=agent, now=NOW)
    second = services.claim_next(agent=colleague, now=NOW)
    assert first.pk != second.pk
    assert services.claim_next(agent=make_member(Role.AGENT, contact_centre), now=NOW) is None


def test_an_expired_reservation_can_be_claimed_by_another_agent(
    make_entry, agent, make_member, contact_centre
):
    entry = make_entry()
    services.claim_next(agent=agent, now=NOW)
    later = NOW + dt.timedelta(minutes=entry.campaign.lock_minutes + 1)
    colleague = make_member(Role.AGENT, contact_centre)
    assert services.claim_next(agent=colleague, now=later).pk == entry.pk


def test_nothing_is_claimed_outside_calling_windows(make_entry, agent):
    make_entry()
    sunday = NOW + dt.timedelta(days=5)
    assert services.claim_next(agent=agent, now=sunday) is None
    late_evening = NOW.replace(hour=21, minute=30)
    assert services.claim_next(agent=agent, now=late_evening) is None


def test_a_waiting_entry_becomes_callable_when_its_time_comes(make_entry, agent):
    entry = make_entry(
        status=QueueEntry.Status.WAITING, next_attempt_at=NOW + dt.timedelta(minutes=30)
    )
    assert services.claim_next(agent=agent, now=NOW) is None
    assert services.claim_next(agent=agent, now=NOW + dt.timedelta(minutes=31)).pk == entry.pk


def test_crisis_case_comes_before_older_ordinary_cases(make_entry, agent):
    make_entry()
    crisis = make_entry(is_crisis=True, band=QueueEntry.Band.CRISIS)
    assert services.claim_next(agent=agent, now=NOW).pk == crisis.pk


def test_untried_day_part_beats_a_repeated_one(make_entry, agent):
    tried_this_morning = make_entry(day_parts_tried=1)  # morning bit
    fresh = make_entry(entered_at=NOW - dt.timedelta(days=1))  # younger, but untried
    assert tried_this_morning.entered_at < fresh.entered_at
    assert services.claim_next(agent=agent, now=NOW).pk == fresh.pk


def test_case_that_left_the_call_queue_is_withdrawn_not_offered(make_entry, agent):
    gone = make_entry()
    gone.case.state = CaseState.CLOSED
    gone.case.save()
    assert services.claim_next(agent=agent, now=NOW) is None
    gone.refresh_from_db()
    assert gone.status == QueueEntry.Status.CLOSED
    assert gone.closed_reason == QueueEntry.ClosedReason.WITHDRAWN


def test_agent_never_gets_a_case_of_a_municipality_it_does_not_work_for(
    make_entry, other_municipality, make_member, outcomes
):
    other_campaign = CampaignFactory(municipality=other_municipality)
    make_entry(campaign=other_campaign)
    elsewhere = ProviderFactory(name="Ander contactcentrum")
    ServiceAgreementFactory(provider=elsewhere, municipality=other_municipality)
    stranger = make_member(Role.AGENT, ProviderFactory(name="Zonder afspraak"))
    assert services.claim_next(agent=stranger, now=NOW) is None
    own_agent = make_member(Role.AGENT, elsewhere)
    assert services.claim_next(agent=own_agent, now=NOW).campaign == other_campaign


def test_inactive_or_ended_campaign_offers_nothing(make_entry, agent, campaign):
    make_entry()
    campaign.ends_on = dt.date(2026, 11, 1)
    campaign.save()
    assert services.claim_next(agent=agent, now=NOW) is None


def test_agents_of_one_process_share_its_campaigns_and_lose_access_at_once(
    make_entry, agent, make_member, contact_centre, django_assert_num_queries
):
    from bereik.accounts.models import Membership
    from bereik.outreach import selectors

    make_entry(), make_entry()
    colleague = make_member(Role.AGENT, contact_centre)
    assert [c.pk for c in selectors.callable_campaigns(agent, NOW)]
    colleague = type(colleague).objects.get(pk=colleague.pk)  # a new request: nothing cached
    with django_assert_num_queries(2):  # the colleague's memberships and agreements only
        campaigns = selectors.callable_campaigns(colleague, NOW)
    assert [c.pk for c in campaigns] == [c.pk for c in selectors.callable_campaigns(agent, NOW)]

    Membership.objects.filter(user=colleague).update(is_active=False)
    colleague = type(colleague).objects.get(pk=colleague.pk)
    assert services.claim_next(agent=colleague, now=NOW) is None  # not 2 s later: now
