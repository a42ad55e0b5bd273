"""The simulated residents: what production can observe about them, and the hidden truth it cannot.

``Observable`` is what a signal file and the phone number give production (birth date, partner
type, crisis flag, number type). ``Profile`` is the hidden answer behaviour; only the simulator's
answer model and the oracle read it. Both are drawn from one seeded generator, together with the
per-attempt uniform draws, so every policy meets the same residents and the same luck (common
random numbers).
"""

import datetime as dt
import random
from dataclasses import dataclass
from enum import StrEnum

from bereik.outreach.scheduling import DayPart

from .scenario import Scenario

AGE_RANGES = {"18-34": (18, 34), "35-49": (35, 49), "50-66": (50, 66), "67+": (67, 92)}


class NumberStatus(StrEnum):
    VALID = "valid"
    WRONG_PERSON = "wrong_person"  # discovered only when someone answers
    NOT_IN_SERVICE = "not_in_service"  # discovered on the first dial


@dataclass(frozen=True)
class Observable:
    key: int
    segment: str  # the scenario's segment name: used for reporting only, never given to a policy
    birth_date: dt.date
    partner_type: str
    number_type: str
    is_crisis: bool
    arrives_on: dt.date


@dataclass(frozen=True)
class Profile:
    """Hidden answer behaviour of one resident."""

    propensity: float
    routine: str
    screener: bool
    number_status: NumberStatus


@dataclass(frozen=True)
class Population:
    observables: tuple[Observable, ...]
    profiles: tuple[Profile, ...]
    draws: tuple[tuple[float, ...], ...]  # per resident: answer draw per attempt, then voicemail


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    names = list(weights)
    return rng.choices(names, weights=[weights[n] for n in names])[0]


def _birth_date(rng: random.Random, age_band: str, on: dt.date) -> dt.date:
    low, high = AGE_RANGES[age_band]
    age_days = rng.randint(low * 365 + 1, (high + 1) * 365 - 1)
    return on - dt.timedelta(days=age_days)


def generate_population(scenario: Scenario, seed: int) -> Population:
    """The same seed gives the same residents and draws, whichever policy is simulated."""
    rng = random.Random(f"reach-population-{seed}")
    segments = {s.name: s for s in scenario.segments}
    observables, profiles, draws = [], [], []
    for key in range(scenario.residents):
        segment = segments[_pick(rng, {s.name: s.share for s in scenario.segments})]
        valid = rng.random() < scenario.valid_share
        if valid:
            status = NumberStatus.VALID
        elif rng.random() < scenario.wrong_person_share:
            status = NumberStatus.WRONG_PERSON
        else:
            status = NumberStatus.NOT_IN_SERVICE
        base = rng.betavariate(scenario.propensity_alpha, scenario.propensity_beta)
        profiles.append(
            Profile(
                propensity=min(1.0, base * segment.propensity_multiplier),
                routine=_pick(rng, segment.routine_mix),
                screener=rng.random() < segment.screener_share,
                number_status=status,
            )
        )
        arrival = rng.randint(0, scenario.arrival_spread_days)
        observables.append(
            Observable(
                key=key,
                segment=segment.name,
                birth_date=_birth_date(rng, segment.age_band, scenario.start_date),
                partner_type=_pick(rng, segment.partner_types),
                number_type=segment.number_type,
                is_crisis=rng.random() < segment.crisis_share,
                arrives_on=scenario.start_date + dt.timedelta(days=arrival),
            )
        )
        draws.append(tuple(rng.random() for _ in range(2 * scenario.max_attempts)))
    return Population(tuple(observables), tuple(profiles), tuple(draws))


def answer_probability(
    scenario: Scenario,
    profile: Profile,
    *,
    day_part: DayPart,
    unanswered: int,
    same_day_part_today: bool,
    sms_now: bool,
    sms_received: int,
) -> float:
    """Chance that somebody picks up this dial. ``sms_received`` counts SMS including this one."""
    probability = profile.propensity * scenario.routines[profile.routine][day_part]
    probability *= (1 - scenario.fatigue_per_unanswered) ** unanswered
    if same_day_part_today:
        probability *= scenario.same_day_part_same_day
    if profile.screener:
        recognised = scenario.sms_recognises_caller and sms_received > 0
        probability *= (
            scenario.screener_recognised_caller if recognised else scenario.screener_unknown_caller
        )
    if sms_now:
        uplift = (scenario.sms_answer_multiplier - 1) * scenario.sms_repeat_decay ** (
            sms_received - 1
        )
        probability *= 1 + uplift
    return min(probability, scenario.max_answer_probability)
