"""The calibrated scenario reproduces the pilot with today's practice (DOMAIN.md §1, §8)."""

from bereik.reach.report import summarise
from bereik.reach.scenario import parse_scenario
from bereik.reach.services import run_seeds

PILOT = [0.41, 0.53, 0.60, 0.63, 0.66, 0.68, 0.70]


def test_baseline_reproduces_pilot_reach_after_each_attempt(calibrated_data):
    scenario = parse_scenario(calibrated_data)  # 1,000 residents per run
    results = run_seeds(scenario, ["baseline"], range(1, 11))["baseline"]
    curve = summarise(results, scenario="calibrated", policy="baseline", seed=1)["reach_by_attempt"]
    for attempt, (simulated, pilot) in enumerate(zip(curve, PILOT, strict=True), start=1):
        assert abs(simulated - pilot) <= 0.02, f"attempt {attempt}: {simulated:.3f} vs {pilot}"
