"""The reach app's public door: run a scenario under one or more policies, and plan a campaign.

Several policies are compared on common random numbers: for a given seed every policy meets the
same residents (hidden profiles, observable features) and the same per-attempt uniform draws, so
a difference in reach comes from the policy, not from luck.
"""

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import structlog
from django.conf import settings

from bereik.outreach.models import DayPartChoice
from bereik.outreach.scheduling import DayPart

from .engine import run_seeds
from .planner import Calibration, ObservedRates, calibrate, forecast
from .report import summarise
from .scenario import Scenario, load_scenario

logger = structlog.get_logger(__name__)


def compare(scenario: Scenario, policies: Sequence[str], *, seed: int, runs: int) -> list[dict]:
    """One summary per policy over ``runs`` seeds starting at ``seed``."""
    seeds = range(seed, seed + runs)
    results = run_seeds(scenario, policies, seeds)
    summaries = [
        summarise(results[name], scenario=scenario.name, policy=name, seed=seed)
        for name in policies
    ]
    for summary in summaries:
        logger.info(
            "reach_simulated",
            scenario=scenario.name,
            policy=summary["policy"],
            seed=seed,
            runs=runs,
            reach=summary["reach"],
            dials_per_reached=summary["dials_per_reached"],
        )
    return summaries


# --- the planner ---------------------------------------------------------------------------------

# The scenario used when a municipality has too few attempts of its own (``scenarios/`` at the
# repository root, beside the project directory's ``var/``).
BASE_SCENARIO = "calibrated"
# Keep a request well under a second: at most this many residents are simulated (staffing is
# scaled with them, hours and dials scaled back), pooled over this many seeded runs.
SIMULATED_RESIDENTS = 500
PLANNER_RUNS = 4
PLANNER_HORIZON_DAYS = 42
PLANNER_POLICIES = ("baseline", "adaptive")


def scenarios_dir() -> Path:
    return Path(settings.PROJECT_DIR) / "scenarios"


@lru_cache(maxsize=4)
def _load_base(path: Path) -> Scenario:
    return load_scenario(path)


def base_scenario() -> Scenario:
    return _load_base(scenarios_dir() / f"{BASE_SCENARIO}.json")


@dataclass(frozen=True)
class PlanDay:
    number: int  # 1 = the start date
    date: dt.date
    reach: float
    agent_hours: float
    dials: float

    @property
    def percent(self) -> float:
        return self.reach * 100


@dataclass(frozen=True)
class Plan:
    signals: int
    start_date: dt.date
    day: int
    target: float
    policy: str
    agents: dict[DayPart, float]
    basis: str  # "own" (the municipality's attempts) or "scenario" (BASE_SCENARIO)
    observed: ObservedRates
    calibration: Calibration | None
    runs: int
    simulated_residents: int
    days: tuple[PlanDay, ...]

    @property
    def on_day(self) -> PlanDay:
        return self.days[self.day - 1]

    @property
    def target_day(self) -> PlanDay | None:
        return next((d for d in self.days if d.reach >= self.target), None)

    @property
    def at_horizon(self) -> PlanDay:
        return self.days[-1]

    @property
    def target_percent(self) -> float:
        return self.target * 100

    def day_part_rows(self) -> list[dict]:
        """Staffing and, when calibrated, the observed rates and corrections per day-part."""
        observed = self.observed.by_day_part()
        return [
            {
                "label": DayPartChoice(part.value).label,
                "agents": self.agents[part],
                "attempts": observed[part].attempts,
                "contacts": observed[part].contacts,
                "ratio": self.calibration.day_part_ratio[part] if self.calibration else None,
                "correction": (
                    self.calibration.day_part_correction[part] if self.calibration else None
                ),
            }
            for part in DayPart
        ]

    def attempt_rows(self) -> list[dict]:
        return [
            {
                "number": number,
                "attempts": cell.attempts,
                "contacts": cell.contacts,
                "percent": 100 * cell.contacts / cell.attempts,
            }
            for number, cell in self.observed.by_attempt().items()
        ]


def plan_reach(
    *,
    observed: ObservedRates,
    signals: int,
    agents: dict[DayPart, float],
    start_date: dt.date,
    day: int,
    target: float,
    policy: str = "baseline",
) -> Plan:
    """Forecast reach by day for ``signals`` residents and this staffing per day-part.

    The base scenario is calibrated to ``observed`` when it holds enough attempts. At most
    ``SIMULATED_RESIDENTS`` are simulated; the staffing shrinks in proportion, so the reach (a
    share) is the same and agent-hours and dials are scaled back to ``signals``.
    Raises ``engine.SimulationError`` when no calling window is open in the horizon.
    """
    scenario = base_scenario()
    calibration = None
    if observed.is_enough:
        scenario, calibration = calibrate(scenario, observed)
    simulated = min(signals, SIMULATED_RESIDENTS)
    factor = signals / simulated
    scenario = dataclasses.replace(
        scenario,
        start_date=start_date,
        horizon_days=PLANNER_HORIZON_DAYS,
    )
    result = forecast(
        scenario,
        residents=simulated,
        agents={part: agents[part] / factor for part in DayPart},
        policy=policy,
        runs=PLANNER_RUNS,
    )
    days = tuple(
        PlanDay(
            number=offset + 1,
            date=start_date + dt.timedelta(days=offset),
            reach=result.reach_by_day[offset],
            agent_hours=result.agent_hours_by_day[offset] * factor,
            dials=result.dials_by_day[offset] * factor,
        )
        for offset in range(result.days)
    )
    plan = Plan(
        signals=signals,
        start_date=start_date,
        day=day,
        target=target,
        policy=policy,
        agents=dict(agents),
        basis="own" if calibration else "scenario",
        observed=observed,
        calibration=calibration,
        runs=PLANNER_RUNS,
        simulated_residents=simulated,
        days=days,
    )
    logger.info(
        "reach_planned",
        signals=signals,
        policy=policy,
        basis=plan.basis,
        attempts_observed=observed.attempts,
        reach_on_day=round(plan.on_day.reach, 4),
        target=target,
        target_day=plan.target_day.number if plan.target_day else None,
    )
    return plan
