"""A policy sees what production would know, never the simulator's hidden profile."""

import dataclasses

import pytest

from bereik.outreach.scheduling import Candidate
from bereik.reach.engine import Simulation
from bereik.reach.policies import AdaptivePolicy, BaselineReachPolicy, make_policy
from bereik.reach.population import Profile
from bereik.reach.scenario import parse_scenario

OBSERVABLE_FIELDS = {
    # production's Candidate
    "key",
    "entered_at",
    "is_crisis",
    "due_on",
    "callback_due_at",
    "callback_agent_id",
    "day_parts_tried",
    "attempts",
    # observable features of the resident, number and attempt history
    "birth_date",
    "partner_type",
    "number_type",
    "attempts_today",
    "attempts_left",
    "last_attempt_at",
    "last_day_part",
    "sms_sent",
}
HIDDEN = {f.name for f in dataclasses.fields(Profile)} | {"segment", "profile", "draws"}


def test_candidate_carries_observable_fields_only():
    assert {f.name for f in dataclasses.fields(Candidate)} == OBSERVABLE_FIELDS
    assert not HIDDEN & OBSERVABLE_FIELDS


class _Snooper(BaselineReachPolicy):
    """A policy that tries to read the hidden answer behaviour from what it is given."""

    def wants_call(self, candidate, *, slot):
        return candidate.propensity > 0.5


def test_a_policy_reading_the_hidden_profile_fails(calibrated_data, monkeypatch):
    scenario = parse_scenario({**calibrated_data, "residents": 5})
    simulation = Simulation(scenario, "baseline", seed=1)
    simulation.policy = _Snooper()
    with pytest.raises(AttributeError, match="propensity"):
        simulation.run()


def test_candidates_and_observations_carry_no_hidden_values(calibrated_data):
    scenario = parse_scenario({**calibrated_data, "residents": 30})
    simulation = Simulation(scenario, "adaptive", seed=3)
    seen = []

    class Recorder(AdaptivePolicy):
        def wants_call(self, candidate, *, slot):
            seen.append(candidate)
            return super().wants_call(candidate, slot=slot)

        def observe(self, observation):
            seen.append(observation.candidate)
            assert observation.outcome in {
                "geen_gehoor",
                "voicemail",
                "bereikt",
                "verkeerd_persoon",
                "informatietoon",
            }
            super().observe(observation)

    simulation.policy = Recorder(seed=3)
    simulation.run()
    assert seen
    profiles = set(simulation.population.profiles)
    for candidate in seen:
        assert type(candidate) is Candidate
        for value in dataclasses.asdict(candidate).values():
            assert not isinstance(value, Profile)
            assert value not in profiles
        for name in HIDDEN:
            assert not hasattr(candidate, name)


def test_only_the_oracle_is_given_the_truth():
    def forbidden():
        raise AssertionError("the truth was asked for")

    assert make_policy("baseline", seed=1, truth=forbidden).name == "baseline"
    assert make_policy("adaptive", seed=1, truth=forbidden).name == "adaptive"
    with pytest.raises(AssertionError, match="truth"):
        make_policy("oracle", seed=1, truth=forbidden)
