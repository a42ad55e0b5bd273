import datetime as dt

import pytest

from bereik.accounts.roles import Role
from bereik.outreach.defaults import seed_outcome_codes
from bereik.outreach.models import OutcomeCode
from bereik.outreach.scheduling import AMSTERDAM
from tests.factories import CampaignFactory, QueueEntryFactory

# A Tuesday morning inside the default calling windows, not a public holiday.
TUESDAY_MORNING = dt.datetime(2026, 11, 24, 10, 0, tzinfo=AMSTERDAM)


@pytest.fixture
def outcomes(db):
    """The seeded outcome codes by code (re-seeded: transactional tests flush the table)."""
    seed_outcome_codes(OutcomeCode)
    return {o.code: o for o in OutcomeCode.objects.all()}


@pytest.fixture
def campaign(municipality, outcomes):
    return CampaignFactory(municipality=municipality)


@pytest.fixture
def agent(make_member, contact_centre):
    return make_member(Role.AGENT, contact_centre)


@pytest.fixture
def supervisor(make_member, contact_centre):
    return make_member(Role.SUPERVISOR, contact_centre)


@pytest.fixture
def make_entry(campaign):
    def make(**fields):
        fields.setdefault("campaign", campaign)
        return QueueEntryFactory(**fields)

    return make
