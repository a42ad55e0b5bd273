import datetime as dt

import pytest

from bereik.outreach.scheduling import DayPart
from bereik.reach.engine import SimulationError, calendar_for, calling_slots, simulate
from bereik.reach.scenario import parse_scenario


def _scenario(data, **changes):
    data.update(changes)
    return parse_scenario(data)


def test_slots_follow_windows_day_parts_sundays_and_holidays(calibrated_data):
    # 2025-04-14 is a Monday; Easter Monday (21 April) and King's Day (Saturday 26 April).
    scenario = _scenario(calibrated_data, horizon_days=14)
    slots = calling_slots(scenario, calendar_for(scenario))
    days = {slot.starts.date() for slot in slots}
    assert dt.date(2025, 4, 20) not in days  # Sunday
    assert dt.date(2025, 4, 21) not in days  # Easter Monday
    assert dt.date(2025, 4, 26) not in days  # King's Day
    assert dt.date(2025, 4, 19) in days  # an ordinary Saturday
    monday = [slot for slot in slots if slot.starts.date() == dt.date(2025, 4, 14)]
    assert [slot.day_part for slot in monday] == [
        DayPart.MORNING,
        DayPart.AFTERNOON,
        DayPart.AFTERNOON,
        DayPart.EVENING,
    ]
    assert monday[0].starts.time() == dt.time(8, 30)
    assert monday[-1].ends.time() == dt.time(21, 0)
    saturday = [slot for slot in slots if slot.starts.date() == dt.date(2025, 4, 19)]
    assert [slot.day_part for slot in saturday] == [DayPart.SATURDAY, DayPart.SATURDAY]
    assert saturday[-1].ends.time() == dt.time(17, 0)


def test_campaign_without_open_window_is_reported(calibrated_data):
    scenario = _scenario(calibrated_data, start_date="2025-12-25", horizon_days=2)  # Christmas
    with pytest.raises(SimulationError, match="no calling window is open between 2025-12-25"):
        simulate(scenario, "baseline", seed=1)


def test_sunday_only_windows_are_reported(calibrated_data):
    calibrated_data["calling"]["windows"] = {"sunday": ["10:00", "12:00"]}
    scenario = _scenario(calibrated_data, start_date="2025-04-14", horizon_days=5)
    with pytest.raises(SimulationError, match="horizon_days=5"):
        simulate(scenario, "adaptive", seed=1)


def test_no_agents_means_no_dials_and_ends(calibrated_data):
    calibrated_data["capacity"]["agents"] = dict.fromkeys(
        ("morning", "afternoon", "evening", "saturday"), 0
    )
    scenario = _scenario(calibrated_data, residents=20)
    result = simulate(scenario, "baseline", seed=1)
    assert result.dials == 0
    assert result.reached == 0
