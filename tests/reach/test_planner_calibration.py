from bereik.outreach.scheduling import DayPart
from bereik.reach.planner import (
    MIN_ATTEMPTS_FOR_CALIBRATION,
    Cell,
    ObservedRates,
    calibrate,
    forecast,
)
from bereik.reach.scenario import parse_scenario


def observed(first: float, later: float, evening_boost: float = 1.0, per_cell: int = 60):
    """Attempts 1..4 spread evenly over the day-parts with these answer rates."""
    cells = {}
    for number in range(1, 5):
        base = first if number == 1 else later
        for part in DayPart:
            rate = base * (evening_boost if part is DayPart.EVENING else 1.0)
            cells[(number, part)] = Cell(per_cell, round(per_cell * min(rate, 1.0)))
    return ObservedRates(cells)


def test_enough_attempts_is_the_named_threshold():
    assert not ObservedRates({(1, DayPart.MORNING): Cell(199, 80)}).is_enough
    assert ObservedRates({(1, DayPart.MORNING): Cell(MIN_ATTEMPTS_FOR_CALIBRATION, 80)}).is_enough


def test_pilot_like_rates_leave_the_scenario_nearly_unchanged(calibrated_data):
    scenario = parse_scenario(calibrated_data)
    _adjusted, calibration = calibrate(scenario, observed(0.41, 0.1165))
    assert 0.95 < calibration.level < 1.05
    assert abs(calibration.fatigue_per_unanswered - scenario.fatigue_per_unanswered) < 0.03


def test_a_better_answering_municipality_gets_a_higher_forecast(calibrated_data):
    scenario = parse_scenario(calibrated_data)
    low, low_cal = calibrate(scenario, observed(0.25, 0.08))
    high, high_cal = calibrate(scenario, observed(0.55, 0.15))
    assert low_cal.level < 1 < high_cal.level
    assert forecast(high, residents=200, runs=1).reach_on(34) > forecast(
        low, residents=200, runs=1
    ).reach_on(34)


def test_a_strong_evening_raises_the_evening_routines(calibrated_data):
    scenario = parse_scenario(calibrated_data)
    adjusted, calibration = calibrate(scenario, observed(0.41, 0.12, evening_boost=1.8))
    assert calibration.day_part_correction[DayPart.EVENING] > 1.2
    assert calibration.day_part_correction[DayPart.MORNING] < 1
    for name, multipliers in adjusted.routines.items():
        original = scenario.routines[name]
        assert (
            multipliers[DayPart.EVENING] > original[DayPart.EVENING]
            or original[DayPart.EVENING] == 0
        )
