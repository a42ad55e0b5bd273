"""The supervisor's live view: counters, day-parts, agents, callbacks, filters, htmx refresh."""

import pytest
from django.urls import reverse
from freezegun import freeze_time

from bereik.accounts.roles import Role
from bereik.outreach import services
from bereik.outreach.models import QueueEntry
from bereik.outreach.services import OutcomeInput
from tests.factories import CampaignFactory, QueueEntryFactory

from .conftest import TUESDAY_MORNING as NOW

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with freeze_time(NOW):
        yield


@pytest.fixture
def busy_campaign(make_entry, agent, outcomes, make_member, contact_centre):
    for _ in range(4):
        make_entry()
    reached = services.claim_next(agent=agent, now=NOW)
    services.record_outcome(
        agent=agent,
        entry=reached,
        token=reached.lock_token,
        now=NOW,
        data=OutcomeInput(outcomes["bereikt"], help_requested=True),
    )
    services.claim_next(agent=make_member(Role.AGENT, contact_centre), now=NOW)
    exhausted = make_entry(
        status=QueueEntry.Status.CLOSED, closed_reason=QueueEntry.ClosedReason.EXHAUSTED
    )
    return exhausted.campaign


def test_progress_counts_open_in_progress_reached_exhausted(
    busy_campaign, supervisor, verified_client
):
    response = verified_client(supervisor).get(reverse("outreach:progress"))
    figures = response.context["figures"]
    assert (figures.open, figures.in_progress, figures.reached, figures.exhausted) == (2, 1, 1, 1)
    assert figures.attempts_by_day_part["ochtend"] == 1
    assert figures.agents_active == 2
    for testid in ("open", "in-progress", "reached", "exhausted"):
        testid = f"progress-{testid}"
        assert f'data-testid="{testid}"' in response.text
    assert 'hx-trigger="every 10s"' in response.text


def test_htmx_refresh_returns_only_the_figures(busy_campaign, supervisor, verified_client):
    response = verified_client(supervisor).get(reverse("outreach:progress"), HTTP_HX_REQUEST="true")
    assert response.text.lstrip().startswith('<div id="progress"')
    assert "<html" not in response.text


def test_filters_and_other_municipalities_stay_out(
    busy_campaign, other_municipality, supervisor, verified_client, outcomes
):
    QueueEntryFactory(campaign=CampaignFactory(municipality=other_municipality))
    client = verified_client(supervisor)
    everything = client.get(reverse("outreach:progress")).context["figures"]
    filtered = client.get(reverse("outreach:progress"), {"campaign": busy_campaign.pk}).context[
        "figures"
    ]
    assert everything.open == filtered.open == 2


def test_agents_do_not_see_the_supervisor_view(agent, verified_client):
    assert verified_client(agent).get(reverse("outreach:progress")).status_code == 403
