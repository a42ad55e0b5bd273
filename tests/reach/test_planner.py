from bereik.outreach.scheduling import DayPart
from bereik.reach.planner import forecast
from bereik.reach.scenario import parse_scenario


def test_forecast_reach_by_day_and_hours_for_a_target(calibrated_data):
    scenario = parse_scenario(calibrated_data)
    result = forecast(scenario, residents=300, runs=2)
    assert len(result.reach_by_day) == scenario.horizon_days
    assert list(result.reach_by_day) == sorted(result.reach_by_day)
    assert 0.6 < result.reach_on(34) < 0.8
    hours = result.agent_hours_for(0.6)
    assert hours is not None and 0 < hours < result.agent_hours_by_day[-1]
    assert result.agent_hours_for(0.99) is None


def test_more_staff_reaches_sooner(calibrated_data):
    scenario = parse_scenario(calibrated_data)
    few = forecast(scenario, residents=300, runs=2, agents=dict.fromkeys(DayPart, 0.25))
    many = forecast(scenario, residents=300, runs=2, agents=dict.fromkeys(DayPart, 2))
    assert many.reach_on(6) > few.reach_on(6)
