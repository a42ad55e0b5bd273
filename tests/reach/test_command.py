import json

import pytest
from django.core.management import CommandError, call_command

from .conftest import SCENARIOS

KEYS = {
    "reach_by_attempt",
    "reach",
    "dials",
    "dials_per_reached",
    "agent_hours_per_reached",
    "sms_sent",
    "reach_by_segment",
    "days_to_first_contact_median",
}


@pytest.fixture
def small_scenario(tmp_path, calibrated_data):
    path = tmp_path / "small.json"
    path.write_text(json.dumps({**calibrated_data, "residents": 150}), encoding="utf-8")
    return path


def test_json_prints_one_object(small_scenario, capsys):
    call_command("simulate", scenario=str(small_scenario), policy="adaptive", seed=3, json=True)
    payload = json.loads(capsys.readouterr().out)
    assert payload.keys() >= KEYS
    assert len(payload["reach_by_attempt"]) == 7
    assert payload["reach_by_attempt"][-1] == payload["reach"]
    assert payload["policy"] == "adaptive"


def test_compare_prints_a_table_and_writes_a_chart(small_scenario, tmp_path, capsys):
    chart = tmp_path / "reach.svg"
    call_command(
        "simulate",
        scenario=str(small_scenario),
        compare="baseline,adaptive,oracle",
        runs=2,
        chart=str(chart),
    )
    out = capsys.readouterr().out
    for name in ("baseline", "adaptive", "oracle", "dials/reached", "reach by segment"):
        assert name in out
    svg = chart.read_text(encoding="utf-8")
    assert svg.startswith("<svg") and svg.count("<polyline") == 3


def test_compare_json_keys_by_policy(small_scenario, capsys):
    call_command("simulate", scenario=str(small_scenario), compare="baseline,oracle", json=True)
    payload = json.loads(capsys.readouterr().out)
    assert set(payload["policies"]) == {"baseline", "oracle"}


def test_bad_scenario_names_the_field(tmp_path, calibrated_data):
    calibrated_data["capacity"]["seconds_per_conversation"] = -5
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(calibrated_data), encoding="utf-8")
    with pytest.raises(CommandError, match=r"capacity\.seconds_per_conversation: must be > 0"):
        call_command("simulate", scenario=str(path))


def test_no_open_window_is_reported(tmp_path, calibrated_data):
    path = tmp_path / "closed.json"
    path.write_text(
        json.dumps({**calibrated_data, "start_date": "2025-12-25", "horizon_days": 2}),
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="no calling window is open"):
        call_command("simulate", scenario=str(path))


def test_unknown_policy_in_compare(small_scenario):
    with pytest.raises(CommandError, match="unknown policy random"):
        call_command("simulate", scenario=str(small_scenario), compare="baseline,random")


def test_shipped_scenario_runs(capsys):
    call_command("simulate", scenario=str(SCENARIOS / "tight_capacity.json"), json=True)
    assert json.loads(capsys.readouterr().out)["scenario"] == "tight_capacity"
