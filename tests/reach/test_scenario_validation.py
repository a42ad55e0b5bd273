import pytest

from bereik.reach.scenario import ScenarioError, load_scenario, parse_scenario

from .conftest import SCENARIOS


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.json")), ids=lambda p: p.stem)
def test_shipped_scenarios_load(path):
    scenario = load_scenario(path)
    assert scenario.name == path.stem
    assert scenario.max_attempts == 7


def test_at_least_four_scenarios_ship():
    assert len(list(SCENARIOS.glob("*.json"))) >= 4


def _error(data) -> str:
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(data)
    return str(raised.value)


def test_missing_field_is_named(calibrated_data):
    del calibrated_data["residents"]
    assert _error(calibrated_data) == "residents: is required"


def test_missing_nested_field_is_named(calibrated_data):
    del calibrated_data["capacity"]["agents"]["evening"]
    assert _error(calibrated_data) == "capacity.agents.evening: is required"


def test_out_of_range_value_is_named(calibrated_data):
    calibrated_data["numbers"]["valid_share"] = 1.5
    assert _error(calibrated_data) == "numbers.valid_share: must be <= 1, got 1.5"


def test_zero_residents_is_refused(calibrated_data):
    calibrated_data["residents"] = 0
    assert _error(calibrated_data) == "residents: must be >= 1, got 0"


def test_non_positive_beta_parameter_is_refused(calibrated_data):
    calibrated_data["propensity"]["alpha"] = 0
    assert _error(calibrated_data) == "propensity.alpha: must be > 0, got 0"


def test_wrong_type_is_named(calibrated_data):
    calibrated_data["horizon_days"] = "a month"
    assert _error(calibrated_data) == "horizon_days: must be a whole number, got 'a month'"


def test_segment_field_is_named_with_its_index(calibrated_data):
    calibrated_data["segments"][2]["age_band"] = "30-40"
    assert _error(calibrated_data).startswith("segments[2].age_band: must be one of")


def test_routine_mix_must_name_known_routines(calibrated_data):
    calibrated_data["segments"][0]["routine_mix"] = {"night_owl": 1.0}
    assert _error(calibrated_data).startswith("segments[0].routine_mix.night_owl: unknown")


def test_shares_must_add_up(calibrated_data):
    calibrated_data["segments"][0]["share"] = 0.5
    assert _error(calibrated_data).startswith("segments: shares must add up to 1")


def test_window_that_ends_before_it_starts(calibrated_data):
    calibrated_data["calling"]["windows"]["monday"] = ["21:00", "08:30"]
    assert _error(calibrated_data) == "calling.windows.monday: the window ends before it starts"


def test_bad_start_date(calibrated_data):
    calibrated_data["start_date"] = "14-04-2025"
    assert _error(calibrated_data).startswith("start_date: must be a date YYYY-MM-DD")


def test_max_attempts_per_day_cannot_exceed_cap(calibrated_data):
    calibrated_data["calling"]["max_attempts_per_day"] = 9
    assert _error(calibrated_data) == "calling.max_attempts_per_day: must be <= 7, got 9"


def test_unreadable_file(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"broken\.json: not valid JSON"):
        load_scenario(path)
