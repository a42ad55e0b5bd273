"""The planner's question: with N signals and this staffing, what reach by day X, and how many
agent-hours does a target reach cost? Answered by simulating the campaign (docs/simulator.md).

Pure Python. ``calibrate`` adjusts a scenario to a municipality's observed answer rates
(``ObservedRates``, filled by ``selectors.observed_rates``); the planner page calls
``services.plan_reach``, which combines the two.
"""

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bereik.outreach.scheduling import DayPart

from .engine import RunResult, run_seeds
from .scenario import Scenario


@dataclass(frozen=True)
class Forecast:
    days: int
    reach_by_day: tuple[float, ...]  # cumulative share reached at the end of day 0, 1, ...
    agent_hours_by_day: tuple[float, ...]  # cumulative agent-hours per run
    dials_by_day: tuple[float, ...] = ()  # cumulative dials per run

    def reach_on(self, day: int) -> float:
        return self.reach_by_day[min(day, self.days - 1)]

    def day_reaching(self, target: float) -> int | None:
        """The first day (0 = start date) at whose end the target reach is met; None if never."""
        for day, share in enumerate(self.reach_by_day):
            if share >= target:
                return day
        return None

    def agent_hours_for(self, target: float) -> float | None:
        """Agent-hours spent by the first day the target reach is met; None if it never is."""
        day = self.day_reaching(target)
        return None if day is None else self.agent_hours_by_day[day]


def summarise_by_day(results: Sequence[RunResult], days: int) -> Forecast:
    residents = sum(r.residents for r in results)
    reach, hours, dials = [], [], []
    reached = seconds = dialled = 0.0
    for day in range(days):
        reached += sum(r.reached_by_day.get(day, 0) for r in results)
        seconds += sum(r.agent_seconds_by_day.get(day, 0.0) for r in results)
        dialled += sum(r.dials_by_day.get(day, 0) for r in results)
        reach.append(reached / residents)
        hours.append(seconds / 3600 / len(results))
        dials.append(dialled / len(results))
    return Forecast(days, tuple(reach), tuple(hours), tuple(dials))


def forecast(
    scenario: Scenario,
    *,
    residents: int | None = None,
    agents: dict | None = None,
    policy: str = "baseline",
    runs: int = 5,
    seed: int = 1,
) -> Forecast:
    """Reach by day and agent-hours, for this many residents and this staffing per day-part."""
    changes = {}
    if residents is not None:
        changes["residents"] = residents
    if agents is not None:
        changes["capacity"] = dataclasses.replace(scenario.capacity, agents=dict(agents))
    scenario = dataclasses.replace(scenario, **changes)
    results = run_seeds(scenario, [policy], range(seed, seed + runs))[policy]
    return summarise_by_day(results, scenario.horizon_days)


# --- calibration to a municipality's own attempt history ----------------------------------------

# How many completed phone attempts (with an outcome code) a municipality needs before the planner
# uses its own answer rates instead of the shipped ``calibrated`` scenario.
MIN_ATTEMPTS_FOR_CALIBRATION = 200
# The pilot the ``calibrated`` scenario reproduces: cumulative reach after attempts 1..7.
PILOT_REACH_BY_ATTEMPT = (0.41, 0.53, 0.60, 0.63, 0.66, 0.68, 0.70)
# Pseudo-counts that shrink sparse cells towards the pooled figure (docs/simulator.md, Planner).
PRIOR_ATTEMPTS = 20
PRIOR_CONTACTS = 5
# Bounds on each correction, so a few odd weeks cannot produce an absurd scenario.
LEVEL_BOUNDS = (0.25, 2.5)
DAY_PART_BOUNDS = (0.5, 2.0)
# Unanswered dials before a typical later attempt (attempts 2-7 follow 1-6 misses: about 3).
TYPICAL_UNANSWERED = 3


def _pilot_rates() -> tuple[float, float]:
    """Answer rate of the first attempt and pooled over attempts 2..7 in the pilot."""
    first = PILOT_REACH_BY_ATTEMPT[0]
    gained = PILOT_REACH_BY_ATTEMPT[-1] - first
    still_open = sum(1 - share for share in PILOT_REACH_BY_ATTEMPT[:-1])
    return first, gained / still_open


@dataclass(frozen=True)
class Cell:
    attempts: int = 0
    contacts: int = 0

    def rate(self, prior_rate: float, prior: int = PRIOR_ATTEMPTS) -> float:
        return (self.contacts + prior * prior_rate) / (self.attempts + prior)


@dataclass(frozen=True)
class ObservedRates:
    """Completed phone attempts of one municipality by attempt number (1..) and day-part; a
    contact is right-party contact (the outcome ``bereikt``)."""

    cells: Mapping[tuple[int, DayPart], Cell] = field(default_factory=dict)

    @property
    def attempts(self) -> int:
        return sum(cell.attempts for cell in self.cells.values())

    @property
    def contacts(self) -> int:
        return sum(cell.contacts for cell in self.cells.values())

    def by_attempt(self) -> dict[int, Cell]:
        result: dict[int, Cell] = {}
        for (number, _part), cell in self.cells.items():
            seen = result.get(number, Cell())
            result[number] = Cell(seen.attempts + cell.attempts, seen.contacts + cell.contacts)
        return dict(sorted(result.items()))

    def by_day_part(self) -> dict[DayPart, Cell]:
        result = {part: Cell() for part in DayPart}
        for (_number, part), cell in self.cells.items():
            seen = result[part]
            result[part] = Cell(seen.attempts + cell.attempts, seen.contacts + cell.contacts)
        return result

    @property
    def is_enough(self) -> bool:
        return self.attempts >= MIN_ATTEMPTS_FOR_CALIBRATION


@dataclass(frozen=True)
class Calibration:
    """The corrections ``calibrate`` applied, for the page and the log."""

    first_attempt_rate: float
    later_attempt_rate: float
    level: float
    fatigue_per_unanswered: float
    day_part_ratio: dict[DayPart, float]  # observed / expected contacts, attempt mix removed
    day_part_correction: dict[DayPart, float]


def _clamp(value: float, bounds: tuple[float, float]) -> float:
    return min(max(value, bounds[0]), bounds[1])


def _scenario_day_part_weights(scenario: Scenario) -> dict[DayPart, float]:
    """The population's mean routine multiplier per day-part."""
    return {
        part: sum(
            segment.share
            * sum(mix * scenario.routines[name][part] for name, mix in segment.routine_mix.items())
            for segment in scenario.segments
        )
        for part in DayPart
    }


def calibrate(scenario: Scenario, observed: ObservedRates) -> tuple[Scenario, Calibration]:
    """Adjust the scenario's hidden behaviour so the baseline reproduces the observed rates.

    1. level: every segment's propensity multiplier x (first-attempt rate / the pilot's 41%);
    2. persistence: the fatigue per unanswered dial is set so that the later attempts' rate
       relative to the first matches the observed one (relative to the pilot's);
    3. day-parts: every routine's multiplier for day-part d x (observed contacts in d over those
       expected from its attempt numbers) / (the scenario's routine weight of d over its mean).
    See docs/simulator.md, section "Planner".
    """
    pilot_first, pilot_later = _pilot_rates()
    by_attempt = observed.by_attempt()
    first_cell = by_attempt.get(1, Cell())
    first = first_cell.rate(pilot_first)
    later_cell = Cell(
        sum(cell.attempts for number, cell in by_attempt.items() if number > 1),
        sum(cell.contacts for number, cell in by_attempt.items() if number > 1),
    )
    later = later_cell.rate(pilot_later)
    level = _clamp(first / pilot_first, LEVEL_BOUNDS)

    persistence = (later / first) / (pilot_later / pilot_first)
    kept = (1 - scenario.fatigue_per_unanswered) ** TYPICAL_UNANSWERED * persistence
    fatigue = _clamp(1 - min(kept, 1.0) ** (1 / TYPICAL_UNANSWERED), (0.0, 0.9))

    # Indirect standardisation: contacts expected in a day-part from its attempt numbers.
    rate_of = {
        number: cell.rate(pilot_first if number == 1 else pilot_later)
        for number, cell in by_attempt.items()
    }
    expected = dict.fromkeys(DayPart, 0.0)
    contacts = dict.fromkeys(DayPart, 0)
    attempts = dict.fromkeys(DayPart, 0)
    for (number, part), cell in observed.cells.items():
        expected[part] += cell.attempts * rate_of[number]
        contacts[part] += cell.contacts
        attempts[part] += cell.attempts
    weights = _scenario_day_part_weights(scenario)
    total = sum(attempts.values())
    mean_weight = (
        sum(attempts[part] * weights[part] for part in DayPart) / total
        if total
        else sum(weights.values()) / len(weights)
    )
    # The scenario's own relative answer rate per day-part: the value a day-part without data
    # keeps (shrinkage towards it leaves the scenario's routines as they are).
    relative = {part: weights[part] / mean_weight for part in DayPart}
    ratio = {
        part: (contacts[part] + PRIOR_CONTACTS * relative[part]) / (expected[part] + PRIOR_CONTACTS)
        for part in DayPart
    }
    correction = {
        part: _clamp(ratio[part] / relative[part], DAY_PART_BOUNDS) if relative[part] else 1.0
        for part in DayPart
    }

    routines = {
        name: {part: min(value * correction[part], 10.0) for part, value in multipliers.items()}
        for name, multipliers in scenario.routines.items()
    }
    segments = tuple(
        dataclasses.replace(
            segment, propensity_multiplier=min(segment.propensity_multiplier * level, 5.0)
        )
        for segment in scenario.segments
    )
    adjusted = dataclasses.replace(
        scenario,
        routines=routines,
        segments=segments,
        fatigue_per_unanswered=fatigue,
    )
    return adjusted, Calibration(
        first_attempt_rate=first,
        later_attempt_rate=later,
        level=level,
        fatigue_per_unanswered=fatigue,
        day_part_ratio=ratio,
        day_part_correction=correction,
    )
