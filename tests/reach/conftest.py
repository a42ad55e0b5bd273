import copy
import json
from pathlib import Path

import pytest

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def scenario_data(name: str = "calibrated") -> dict:
    return json.loads((SCENARIOS / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def calibrated_data() -> dict:
    return copy.deepcopy(scenario_data())
