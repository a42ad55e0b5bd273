import pytest

from bereik.reach.engine import Simulation, simulate
from bereik.reach.population import NumberStatus, generate_population
from bereik.reach.scenario import parse_scenario
from bereik.reach.services import run_seeds


@pytest.fixture
def small(calibrated_data):
    return parse_scenario({**calibrated_data, "residents": 200})


def test_same_seed_same_result(small):
    first, second = simulate(small, "adaptive", 7), simulate(small, "adaptive", 7)
    assert first == second


def test_policies_share_population_and_draws(small):
    a = Simulation(small, "baseline", 5)
    b = Simulation(small, "oracle", 5)
    assert a.population == b.population
    assert generate_population(small, 5) == a.population
    assert generate_population(small, 6) != a.population


def test_attempt_caps_hold(small):
    simulation = Simulation(small, "baseline", 2)
    simulation.run()
    assert max(state.attempts for state in simulation.states) <= 7
    attempts_per_day: dict = {}
    original = simulation._record

    def record(key, state, slot, at, outcome, sms, result):
        day_key = (key, at.date())
        attempts_per_day[day_key] = attempts_per_day.get(day_key, 0) + 1
        original(key, state, slot, at, outcome, sms, result)

    again = Simulation(small, "adaptive", 2)
    again._record = record
    again.run()
    assert attempts_per_day
    assert max(attempts_per_day.values()) <= 2


def test_numbers_not_in_service_are_dialled_once_and_never_reached(small):
    simulation = Simulation(small, "baseline", 4)
    simulation.run()
    for profile, state in zip(simulation.population.profiles, simulation.states, strict=True):
        if profile.number_status is NumberStatus.NOT_IN_SERVICE:
            assert state.attempts == 1


def test_baseline_sends_no_sms_and_rotates_day_parts(small):
    result = simulate(small, "baseline", 3)
    assert result.sms_sent == 0
    assert result.dials_by_day_part["avond"] > result.dials_by_day_part["ochtend"]


def test_adaptive_beats_baseline_on_common_draws(calibrated_data):
    scenario = parse_scenario({**calibrated_data, "residents": 400})
    results = run_seeds(scenario, ["baseline", "adaptive"], range(1, 4))
    baseline = sum(r.reached for r in results["baseline"])
    adaptive = sum(r.reached for r in results["adaptive"])
    assert adaptive > baseline
    assert sum(r.dials for r in results["adaptive"]) < sum(r.dials for r in results["baseline"])
