"""The simulation clock: walks the campaign's calling windows slot by slot and dials.

A slot is a piece of one day's calling window inside one day-part (weekday windows are cut at
12:00 and 18:00 and pieces longer than ``calling.max_slot_hours`` are split evenly, so a 09:00-17:00
Saturday gives two Saturday slots). In every slot the eligible residents are offered to the
policy, which says who it wants to dial now, ranks them, and decides on an SMS; agents dial down
the ranking until the slot's agent-seconds are spent. Retry timing uses the production
``plan_next_attempt``; windows and public holidays the production ``CallingCalendar``.
"""

import datetime as dt
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from bereik.outreach.scheduling import (
    AMSTERDAM,
    EVENING,
    NOON,
    SATURDAY,
    CallingCalendar,
    Candidate,
    DayPart,
    LearningPolicy,
    Observation,
    RetryRule,
    SlotContext,
    day_part,
    dutch_public_holidays,
    plan_next_attempt,
)

from .policies import POLICY_NAMES, make_policy
from .population import NumberStatus, Population, answer_probability, generate_population
from .scenario import Scenario


class SimulationError(Exception):
    """The scenario cannot be simulated as asked (reported to the user, not looped over)."""


@dataclass(frozen=True)
class Slot:
    starts: dt.datetime
    ends: dt.datetime
    day_part: DayPart

    @property
    def seconds(self) -> float:
        return (self.ends - self.starts).total_seconds()


def calendar_for(scenario: Scenario) -> CallingCalendar:
    closed = frozenset()
    if scenario.public_holidays:
        first = scenario.start_date.year
        last = (scenario.start_date + dt.timedelta(days=scenario.horizon_days)).year
        closed = dutch_public_holidays(range(first, last + 1))
    return CallingCalendar(windows=scenario.windows, closed_dates=closed)


def calling_slots(scenario: Scenario, calendar: CallingCalendar) -> list[Slot]:
    """Every open slot in the horizon, in time order. Raises when there is none."""
    slots: list[Slot] = []
    max_seconds = scenario.max_slot_hours * 3600
    for offset in range(scenario.horizon_days):
        day = scenario.start_date + dt.timedelta(days=offset)
        window = calendar.window_on(day)
        if window is None:
            continue
        boundaries = () if day.weekday() == SATURDAY else (NOON, EVENING)
        cuts = [window.starts, *(t for t in boundaries if window.starts < t < window.ends)]
        cuts.append(window.ends)
        for starts_at, ends_at in itertools.pairwise(cuts):
            starts = dt.datetime.combine(day, starts_at, tzinfo=AMSTERDAM)
            ends = dt.datetime.combine(day, ends_at, tzinfo=AMSTERDAM)
            pieces = max(1, math.ceil((ends - starts).total_seconds() / max_seconds))
            step = (ends - starts) / pieces
            for index in range(pieces):
                piece_start = starts + step * index
                slots.append(Slot(piece_start, piece_start + step, day_part(piece_start)))
    if not slots:
        last = scenario.start_date + dt.timedelta(days=scenario.horizon_days - 1)
        raise SimulationError(
            f"no calling window is open between {scenario.start_date} and {last} "
            f"(horizon_days={scenario.horizon_days}): check calling.windows, public holidays "
            "and the horizon"
        )
    return slots


@dataclass
class _State:
    attempts: int = 0
    unanswered: int = 0
    sms_sent: int = 0
    day: dt.date | None = None
    attempts_today: int = 0
    last_attempt_at: dt.datetime | None = None
    last_day_part: DayPart | None = None
    day_parts_tried: frozenset[DayPart] = frozenset()
    next_allowed: dt.datetime | None = None
    done: bool = False


@dataclass
class RunResult:
    """The raw counts of one simulated campaign."""

    residents: int
    max_attempts: int
    reached_at_attempt: list[int]  # index k: residents reached at their (k+1)-th attempt
    dials: int = 0
    sms_sent: int = 0
    agent_seconds: float = 0.0
    segment_size: dict[str, int] = field(default_factory=dict)
    segment_reached: dict[str, int] = field(default_factory=dict)
    days_to_first_contact: list[int] = field(default_factory=list)
    dials_by_day_part: dict[str, int] = field(default_factory=dict)
    agent_seconds_by_day: dict[int, float] = field(default_factory=dict)  # day 0 = start date
    dials_by_day: dict[int, int] = field(default_factory=dict)
    reached_by_day: dict[int, int] = field(default_factory=dict)

    @property
    def reached(self) -> int:
        return sum(self.reached_at_attempt)


class _Truth:
    """The oracle's window on the hidden profiles (chance of right-party contact)."""

    def __init__(self, simulation: "Simulation"):
        self._simulation = simulation

    def reach_chance(self, key: int, *, day_part: DayPart, at: dt.datetime, sms: bool) -> float:
        simulation = self._simulation
        profile = simulation.population.profiles[key]
        if profile.number_status is not NumberStatus.VALID:
            return 0.0
        state = simulation.states[key]
        return simulation.chance(key, state, day_part=day_part, at=at, sms=sms)


class Simulation:
    def __init__(self, scenario: Scenario, policy_name: str, seed: int, population=None):
        self.scenario = scenario
        self.calendar = calendar_for(scenario)
        self.slots = calling_slots(scenario, self.calendar)
        self.population: Population = population or generate_population(scenario, seed)
        self.states = [_State() for _ in self.population.observables]
        self.policy: LearningPolicy = make_policy(
            policy_name, seed=seed, truth=lambda: _Truth(self)
        )
        self.rule = RetryRule(scenario.min_minutes_between_attempts)

    def chance(self, key: int, state: _State, *, day_part: DayPart, at: dt.datetime, sms: bool):
        same = (
            state.last_attempt_at is not None
            and state.last_attempt_at.date() == at.date()
            and state.last_day_part == day_part
        )
        return answer_probability(
            self.scenario,
            self.population.profiles[key],
            day_part=day_part,
            unanswered=state.unanswered,
            same_day_part_today=same,
            sms_now=sms,
            sms_received=state.sms_sent + (1 if sms else 0),
        )

    def _candidate(self, key: int, state: _State, day: dt.date) -> Candidate:
        observable = self.population.observables[key]
        arrived = dt.datetime.combine(observable.arrives_on, dt.time(0, 0), tzinfo=AMSTERDAM)
        return Candidate(
            key=key,
            entered_at=arrived,
            is_crisis=observable.is_crisis,
            day_parts_tried=state.day_parts_tried,
            attempts=state.attempts,
            birth_date=observable.birth_date,
            partner_type=observable.partner_type,
            number_type=observable.number_type,
            attempts_today=state.attempts_today if state.day == day else 0,
            attempts_left=self.scenario.max_attempts - state.attempts,
            last_attempt_at=state.last_attempt_at,
            last_day_part=state.last_day_part,
            sms_sent=state.sms_sent,
        )

    def run(self) -> RunResult:
        scenario = self.scenario
        observables = self.population.observables
        result = RunResult(
            residents=len(observables),
            max_attempts=scenario.max_attempts,
            reached_at_attempt=[0] * scenario.max_attempts,
        )
        for observable in observables:
            result.segment_size[observable.segment] = (
                result.segment_size.get(observable.segment, 0) + 1
            )
            result.segment_reached.setdefault(observable.segment, 0)
        active = list(range(len(observables)))
        days = [(slot.starts.date() - scenario.start_date).days for slot in self.slots]
        for index, slot in enumerate(self.slots):
            if not active:
                break
            today = days[index]
            context = SlotContext(
                now=slot.starts,
                day_part=slot.day_part,
                upcoming=tuple(
                    (days[later] - today, self.slots[later].day_part)
                    for later in range(index + 1, len(self.slots))
                ),
            )
            eligible = []
            for key in active:
                state = self.states[key]
                if observables[key].arrives_on > slot.starts.date():
                    continue
                if state.next_allowed is not None and state.next_allowed >= slot.ends:
                    continue
                candidate = self._candidate(key, state, slot.starts.date())
                if candidate.attempts_today >= scenario.max_attempts_per_day:
                    continue
                if self.policy.wants_call(candidate, slot=context):
                    eligible.append(candidate)
            ranked = self.policy.rank(eligible, agent_id=None, now=slot.starts)
            self._dial(slot, context, ranked, result)
            active = [key for key in active if not self.states[key].done]
        return result

    def _dial(self, slot: Slot, context: SlotContext, ranked, result: RunResult) -> None:
        scenario = self.scenario
        capacity = scenario.capacity
        agents = capacity.agents[slot.day_part]
        budget = agents * slot.seconds * capacity.utilisation
        used = 0.0
        for candidate in ranked:
            if used >= budget:
                break
            key = candidate.key
            state = self.states[key]
            at = slot.starts + dt.timedelta(seconds=used / agents)
            if state.next_allowed is not None and at < state.next_allowed:
                at = state.next_allowed
            sms = self.policy.sms_before(candidate, slot=context)
            profile = self.population.profiles[key]
            draws = self.population.draws[key]
            attempt = state.attempts
            if profile.number_status is NumberStatus.NOT_IN_SERVICE:
                outcome, seconds = "informatietoon", capacity.seconds_per_not_in_service
            else:
                chance = self.chance(key, state, day_part=slot.day_part, at=at, sms=sms)
                if draws[attempt] < chance:
                    if profile.number_status is NumberStatus.WRONG_PERSON:
                        outcome, seconds = "verkeerd_persoon", capacity.seconds_per_wrong_person
                    else:
                        outcome, seconds = "bereikt", capacity.seconds_per_conversation
                elif (
                    draws[scenario.max_attempts + attempt]
                    < scenario.voicemail_share[candidate.number_type]
                ):
                    outcome, seconds = "voicemail", capacity.seconds_per_voicemail
                else:
                    outcome, seconds = "geen_gehoor", capacity.seconds_per_no_answer
            used += seconds
            result.dials += 1
            result.sms_sent += sms
            result.agent_seconds += seconds
            day = (at.date() - scenario.start_date).days
            result.agent_seconds_by_day[day] = result.agent_seconds_by_day.get(day, 0.0) + seconds
            result.dials_by_day[day] = result.dials_by_day.get(day, 0) + 1
            part = str(slot.day_part)
            result.dials_by_day_part[part] = result.dials_by_day_part.get(part, 0) + 1
            self.policy.observe(
                Observation(
                    candidate=candidate,
                    at=at,
                    day_part=slot.day_part,
                    outcome=outcome,
                    sms_before=sms,
                )
            )
            self._record(key, state, slot, at, outcome, sms, result)

    def _record(self, key, state: _State, slot: Slot, at, outcome, sms, result) -> None:
        scenario = self.scenario
        observable = self.population.observables[key]
        day = at.date()
        if state.day != day:
            state.day, state.attempts_today = day, 0
        state.attempts += 1
        state.attempts_today += 1
        state.sms_sent += sms
        state.last_attempt_at = at
        state.last_day_part = slot.day_part
        state.day_parts_tried = state.day_parts_tried | {slot.day_part}
        if outcome == "bereikt":
            result.reached_at_attempt[state.attempts - 1] += 1
            result.segment_reached[observable.segment] += 1
            result.days_to_first_contact.append((day - observable.arrives_on).days)
            offset = (day - scenario.start_date).days
            result.reached_by_day[offset] = result.reached_by_day.get(offset, 0) + 1
            state.done = True
            return
        if outcome in ("verkeerd_persoon", "informatietoon") or (
            state.attempts >= scenario.max_attempts
        ):
            state.done = True
            return
        state.unanswered += 1
        state.next_allowed = plan_next_attempt(
            calendar=self.calendar,
            now=at,
            rule=self.rule,
            attempts_today=state.attempts_today,
            max_attempts_per_day=scenario.max_attempts_per_day,
        )
        if state.next_allowed is None:
            state.done = True


def simulate(scenario: Scenario, policy_name: str, seed: int) -> RunResult:
    return Simulation(scenario, policy_name, seed).run()


def run_seeds(scenario: Scenario, policies: Sequence[str], seeds: Sequence[int]):
    """``{policy: [RunResult per seed]}``; each seed's population is generated once and shared."""
    for name in policies:
        if name not in POLICY_NAMES:
            raise ValueError(f"unknown policy {name!r}; expected one of {', '.join(POLICY_NAMES)}")
    results: dict[str, list[RunResult]] = {name: [] for name in policies}
    for seed in seeds:
        population = generate_population(scenario, seed)
        for name in policies:
            results[name].append(Simulation(scenario, name, seed, population=population).run())
    return results
