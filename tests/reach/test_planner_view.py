import datetime as dt

import pytest
from django.urls import reverse

from bereik.accounts.roles import Role
from bereik.outreach.defaults import seed_outcome_codes
from bereik.outreach.models import ContactAttempt, OutcomeCode
from bereik.outreach.scheduling import AMSTERDAM, DayPart
from bereik.reach import services
from bereik.reach.planner import MIN_ATTEMPTS_FOR_CALIBRATION
from tests.factories import CaseFactory

URL = reverse("reach:planner")


@pytest.fixture(autouse=True)
def small_simulation(monkeypatch):
    """Keep the page's simulation small in tests; the numbers still come from the simulator."""
    monkeypatch.setattr(services, "SIMULATED_RESIDENTS", 120)
    monkeypatch.setattr(services, "PLANNER_RUNS", 1)


@pytest.fixture
def supervisor(make_member, contact_centre):
    return make_member(Role.SUPERVISOR, contact_centre)


@pytest.fixture
def coordinator(make_member, municipality):
    return make_member(Role.COORDINATOR, municipality)


def query(municipality, **changes):
    values = {
        "municipality": municipality.pk,
        "signals": 800,
        "start_date": dt.date.today().isoformat(),
        "agents_morning": "2",
        "agents_afternoon": "2",
        "agents_evening": "2",
        "agents_saturday": "1.5",
        "day": 28,
        "target": 70,
        "policy": "baseline",
    }
    values.update(changes)
    return values


def make_history(municipality, attempts: int, *, answer_every: int = 3):
    """Cases with four outbound phone attempts each; every ``answer_every``-th one reaches."""
    seed_outcome_codes(OutcomeCode)
    reached = OutcomeCode.objects.get(code="bereikt")
    missed = OutcomeCode.objects.get(code="geen_gehoor")
    parts = [DayPart.MORNING, DayPart.EVENING, DayPart.AFTERNOON, DayPart.SATURDAY]
    start = dt.datetime(2026, 3, 2, 10, 0, tzinfo=AMSTERDAM)
    rows = []
    for index, case in enumerate(
        CaseFactory.create_batch(-(-attempts // 4), municipality=municipality)
    ):
        for number in range(4):
            if len(rows) == attempts:
                break
            hit = (index + number) % answer_every == 0
            rows.append(
                ContactAttempt(
                    municipality=municipality,
                    case=case,
                    kind=ContactAttempt.Kind.PHONE,
                    occurred_at=start + dt.timedelta(days=number, minutes=index),
                    day_part=parts[number],
                    reached=hit,
                    outcome=reached if hit else missed,
                )
            )
    ContactAttempt.objects.bulk_create(rows)


def test_renders_the_form_for_a_supervisor(verified_client, supervisor, municipality):
    response = verified_client(supervisor).get(URL)
    assert response.status_code == 200
    assert b'data-testid="planner-form"' in response.content
    assert response.context["plan"] is None
    assert municipality.name.encode() in response.content


def test_forecast_shows_chart_table_and_runs(verified_client, supervisor, municipality):
    response = verified_client(supervisor).get(URL, query(municipality))
    assert response.status_code == 200
    plan = response.context["plan"]
    assert plan is not None and plan.runs == 1 and plan.simulated_residents == 120
    assert len(plan.days) == services.PLANNER_HORIZON_DAYS
    assert [d.reach for d in plan.days] == sorted(d.reach for d in plan.days)
    content = response.content.decode()
    assert 'data-testid="planner-chart"' in content
    assert 'data-testid="planner-table"' in content
    assert content.count('<tr class="utrecht-table__row"') >= services.PLANNER_HORIZON_DAYS
    assert 'data-testid="planner-runs"' in content
    if plan.target_day:
        assert plan.target_day.agent_hours > 0
        assert 'data-testid="planner-target-hours"' in content
    else:
        assert 'data-testid="planner-target-missed"' in content


def test_unreachable_target_reports_reach_at_the_horizon(verified_client, supervisor, municipality):
    response = verified_client(supervisor).get(URL, query(municipality, target=99))
    plan = response.context["plan"]
    assert plan.target_day is None
    assert b'data-testid="planner-target-missed"' in response.content


def test_coordinator_may_plan(verified_client, coordinator, municipality):
    response = verified_client(coordinator).get(URL, query(municipality))
    assert response.status_code == 200
    assert response.context["plan"] is not None


def test_agent_gets_403(verified_client, make_member, contact_centre, municipality):
    agent = make_member(Role.AGENT, contact_centre)
    assert verified_client(agent).get(URL).status_code == 403
    assert verified_client(agent).get(URL, query(municipality)).status_code == 403


def test_another_municipality_is_not_found(
    verified_client, supervisor, municipality, other_municipality
):
    make_history(other_municipality, MIN_ATTEMPTS_FOR_CALIBRATION)
    response = verified_client(supervisor).get(URL, query(other_municipality))
    assert response.status_code == 404


def test_without_enough_attempts_the_calibrated_scenario_is_used(
    verified_client, supervisor, municipality
):
    make_history(municipality, MIN_ATTEMPTS_FOR_CALIBRATION - 1)
    response = verified_client(supervisor).get(URL, query(municipality))
    plan = response.context["plan"]
    assert plan.basis == "scenario" and plan.calibration is None
    assert plan.observed.attempts == MIN_ATTEMPTS_FOR_CALIBRATION - 1
    content = response.content.decode()
    assert 'data-testid="planner-basis-scenario"' in content
    assert "calibrated" in content
    assert str(MIN_ATTEMPTS_FOR_CALIBRATION) in content


def test_with_enough_attempts_the_own_history_is_used(verified_client, supervisor, municipality):
    make_history(municipality, MIN_ATTEMPTS_FOR_CALIBRATION, answer_every=2)
    response = verified_client(supervisor).get(URL, query(municipality))
    plan = response.context["plan"]
    assert plan.basis == "own" and plan.calibration is not None
    assert plan.observed.attempts == MIN_ATTEMPTS_FOR_CALIBRATION
    assert plan.observed.by_attempt()[1].attempts == MIN_ATTEMPTS_FOR_CALIBRATION // 4
    content = response.content.decode()
    assert 'data-testid="planner-basis-own"' in content
    assert 'data-testid="planner-attempts"' in content


def test_htmx_request_gets_only_the_result(verified_client, supervisor, municipality):
    response = verified_client(supervisor).get(
        URL, query(municipality), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert b'id="planner-result"' in response.content
    assert b"<html" not in response.content
