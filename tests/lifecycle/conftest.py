import datetime as dt

import pytest

from bereik.accounts.roles import Role
from bereik.outreach.defaults import seed_outcome_codes
from bereik.outreach.models import ContactAttempt, OutcomeCode
from bereik.outreach.scheduling import AMSTERDAM
from tests.factories import (
    CampaignFactory,
    CaseFactory,
    PhoneNumberFactory,
    QueueEntryFactory,
    SignalFactory,
)

OCTOBER = dt.date(2026, 10, 1)
NOVEMBER = dt.date(2026, 11, 1)
SEPTEMBER = dt.date(2026, 9, 1)
# After October's last working day, within the undo window of October's closure.
IN_NOVEMBER = dt.datetime(2026, 11, 10, 10, 0, tzinfo=AMSTERDAM)


@pytest.fixture
def outcomes(db):
    seed_outcome_codes(OutcomeCode)
    return {o.code: o for o in OutcomeCode.objects.all()}


@pytest.fixture
def coordinator(make_member, municipality):
    return make_member(Role.COORDINATOR, municipality)


@pytest.fixture
def supervisor(make_member, contact_centre):
    return make_member(Role.SUPERVISOR, contact_centre)


@pytest.fixture
def other_coordinator(make_member, other_municipality):
    return make_member(Role.COORDINATOR, other_municipality)


@pytest.fixture
def agent(make_member, contact_centre):
    return make_member(Role.AGENT, contact_centre)


def attempt(case, outcome, *, at=None, reached=None, help_requested=None, reason="", number=None):
    return ContactAttempt.objects.create(
        municipality=case.municipality,
        case=case,
        kind=ContactAttempt.Kind.PHONE,
        occurred_at=at or dt.datetime(2026, 10, 14, 19, 0, tzinfo=AMSTERDAM),
        day_part="avond",
        reached=outcome.ddas_reached if reached is None else reached,
        outcome=outcome,
        help_requested=help_requested,
        no_help_reason=reason,
        phone_number=number,
    )


@pytest.fixture
def make_case(municipality):
    """``make_case(state, period=OCTOBER, queued=False, **fields)``: a case with one signal;
    ``queued=True`` puts it in a campaign's call queue (only for ``call_queue``)."""

    def make(state, period=OCTOBER, queued=False, amount="250.00", **fields):
        fields.setdefault("municipality", municipality)
        if queued:
            entry = QueueEntryFactory(
                campaign=CampaignFactory(municipality=fields["municipality"]),
                case__state=state,
                case__matching_period=period,
            )
            case = entry.case
        else:
            case = CaseFactory(state=state, matching_period=period, **fields)
        SignalFactory(case=case, signal_date=period, amount=amount)
        return case

    return make


@pytest.fixture
def number_for():
    def make(case, **fields):
        return PhoneNumberFactory(resident=case.resident, **fields)

    return make
