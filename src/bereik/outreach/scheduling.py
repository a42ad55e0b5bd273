"""When a resident may be called, and whom to call next. Pure rules: no database, no Django.

This module is the scheduler's one interface. The call queue (``selectors.candidates_for`` and
``services.claim_next``) and the reach simulator both drive the same code:

- ``CallingCalendar`` answers "may we call at this moment?" and "when may we call next?" from the
  campaign's weekday windows and the public holidays.
- ``plan_next_attempt`` turns an attempt's outcome into the moment the number may be dialled again.
- ``Policy`` ranks the eligible candidates; ``BaselinePolicy`` is the ranking of issue 4. A policy
  sees only what production can observe (``Candidate``), never the outcome it is trying to predict.
- ``LearningPolicy`` adds the hooks a learning scheduler needs: ``wants_call`` (dial now or wait
  for a better day-part, given the ``SlotContext``), ``sms_before`` and ``observe`` (learn from an
  ``Observation``). ``bereik.reach.policies`` implements them; the production queue uses them
  through ``bereik.outreach.learning`` and the simulator through ``bereik.reach.engine``.
"""

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

import holidays

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NOON = dt.time(12, 0)
EVENING = dt.time(18, 0)
SATURDAY = 5
SUNDAY = 6


class DayPart(StrEnum):
    """Scheduling day-parts. DDAS knows only the first three; see ``ddas_day_part``."""

    MORNING = "ochtend"  # before 12:00
    AFTERNOON = "middag"  # 12:00-18:00
    EVENING = "avond"  # 18:00 or later
    SATURDAY = "zaterdag"  # any time on a Saturday


DAY_PART_BITS: dict[DayPart, int] = {
    DayPart.MORNING: 1,
    DayPart.AFTERNOON: 2,
    DayPart.EVENING: 4,
    DayPart.SATURDAY: 8,
}


def day_part(moment: dt.datetime, tz: dt.tzinfo = AMSTERDAM) -> DayPart:
    local = moment.astimezone(tz)
    if local.weekday() == SATURDAY:
        return DayPart.SATURDAY
    if local.time() < NOON:
        return DayPart.MORNING
    if local.time() < EVENING:
        return DayPart.AFTERNOON
    return DayPart.EVENING


def ddas_day_part(moment: dt.datetime, tz: dt.tzinfo = AMSTERDAM) -> str:
    """DDAS EnumDagdeel: Ochtend < 12:00, Middag 12-18, Avond >= 18 (Saturdays included)."""
    local = moment.astimezone(tz).time()
    if local < NOON:
        return "Ochtend"
    if local < EVENING:
        return "Middag"
    return "Avond"


def day_parts_from_bits(bits: int) -> frozenset[DayPart]:
    return frozenset(part for part, bit in DAY_PART_BITS.items() if bits & bit)


def day_parts_to_bits(parts: Iterable[DayPart]) -> int:
    return sum({DAY_PART_BITS[part] for part in parts})


@dataclass(frozen=True)
class Window:
    """Calling hours on one weekday (0 = Monday)."""

    weekday: int
    starts: dt.time
    ends: dt.time

    def __post_init__(self):
        if not 0 <= self.weekday <= SUNDAY:
            raise ValueError(f"weekday must be 0-6, got {self.weekday}")
        if self.ends <= self.starts:
            raise ValueError(f"window on weekday {self.weekday} ends before it starts")


DEFAULT_WINDOWS: tuple[Window, ...] = (
    *(Window(day, dt.time(8, 30), dt.time(21, 0)) for day in range(5)),
    Window(SATURDAY, dt.time(9, 0), dt.time(17, 0)),
)


def dutch_public_holidays(years: Iterable[int]) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("NL", years=list(years)).keys())


@dataclass(frozen=True)
class CallingCalendar:
    """When calling is allowed: weekday windows minus closed dates (public holidays)."""

    windows: tuple[Window, ...] = DEFAULT_WINDOWS
    closed_dates: frozenset[dt.date] = field(default_factory=frozenset)
    tz: dt.tzinfo = AMSTERDAM
    horizon_days: int = 400

    @classmethod
    def with_dutch_holidays(cls, windows: Sequence[Window], around: dt.date) -> "CallingCalendar":
        years = range(around.year - 1, around.year + 3)
        return cls(windows=tuple(windows), closed_dates=dutch_public_holidays(years))

    def window_on(self, day: dt.date) -> Window | None:
        if day in self.closed_dates:
            return None
        for window in self.windows:
            if window.weekday == day.weekday():
                return window
        return None

    def _bounds(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        window = self.window_on(day)
        if window is None:
            return None
        return (
            dt.datetime.combine(day, window.starts, tzinfo=self.tz),
            dt.datetime.combine(day, window.ends, tzinfo=self.tz),
        )

    def is_open(self, moment: dt.datetime) -> bool:
        bounds = self._bounds(moment.astimezone(self.tz).date())
        return bounds is not None and bounds[0] <= moment < bounds[1]

    def next_open(self, moment: dt.datetime) -> dt.datetime | None:
        """``moment`` if calling is allowed then, else the start of the next window."""
        day = moment.astimezone(self.tz).date()
        for offset in range(self.horizon_days):
            bounds = self._bounds(day + dt.timedelta(days=offset))
            if bounds is None:
                continue
            starts, ends = bounds
            if moment < ends:
                return max(moment, starts)
        return None

    def next_day_open(self, moment: dt.datetime) -> dt.datetime | None:
        """The start of the first window on a later calendar day."""
        tomorrow = moment.astimezone(self.tz).date() + dt.timedelta(days=1)
        return self.next_open(dt.datetime.combine(tomorrow, dt.time(0, 0), tzinfo=self.tz))

    def next_day_part_open(self, moment: dt.datetime) -> dt.datetime | None:
        """The first open moment in a later day-part than ``moment``'s."""
        local = moment.astimezone(self.tz)
        if local.weekday() != SATURDAY and local.time() < NOON:
            boundary = local.replace(hour=12, minute=0, second=0, microsecond=0)
        elif local.weekday() != SATURDAY and local.time() < EVENING:
            boundary = local.replace(hour=18, minute=0, second=0, microsecond=0)
        else:
            return self.next_day_open(moment)
        candidate = self.next_open(boundary)
        if candidate is not None and candidate.astimezone(self.tz).date() == local.date():
            return candidate
        return self.next_day_open(moment)


@dataclass(frozen=True)
class RetryRule:
    """What an outcome says about the next attempt on the same number."""

    delay_minutes: int
    other_day_part: bool = False


def plan_next_attempt(
    *,
    calendar: CallingCalendar,
    now: dt.datetime,
    rule: RetryRule,
    attempts_today: int,
    max_attempts_per_day: int,
    day_parts_tried: frozenset[DayPart] = frozenset(),
    search_days: int = 14,
) -> dt.datetime | None:
    """The earliest moment the number may be dialled again; None when the calendar has no room.

    ``attempts_today`` counts the attempts on this number today including the one just made;
    ``day_parts_tried`` includes the day-part of that attempt. When the outcome asks for another
    day-part, the first day-part not yet tried for this number is chosen if one comes up within
    ``search_days`` (repeating a slot that failed gives diminishing returns, DOMAIN §8).
    """
    earliest = now + dt.timedelta(minutes=rule.delay_minutes)
    if rule.other_day_part:
        later_part = calendar.next_day_part_open(now)
        if later_part is None:
            return None
        earliest = max(earliest, later_part)
    if attempts_today >= max_attempts_per_day:
        tomorrow = calendar.next_day_open(now)
        if tomorrow is None:
            return None
        earliest = max(earliest, tomorrow)
    first = calendar.next_open(earliest)
    untried = set(DayPart) - set(day_parts_tried)
    if first is None or not rule.other_day_part or not untried:
        return first
    limit = first + dt.timedelta(days=search_days)
    moment: dt.datetime | None = first
    while moment is not None and moment < limit:
        if day_part(moment, calendar.tz) in untried:
            return moment
        moment = calendar.next_day_part_open(moment)
    return first


@dataclass(frozen=True)
class Candidate:
    """One callable queue entry as a policy sees it: production-observable features only."""

    key: int
    entered_at: dt.datetime
    is_crisis: bool = False
    due_on: dt.date | None = None  # the case's response deadline
    callback_due_at: dt.datetime | None = None
    callback_agent_id: int | None = None
    day_parts_tried: frozenset[DayPart] = frozenset()
    attempts: int = 0
    # Features a learning policy uses (the queue has them from the case, resident and number).
    birth_date: dt.date | None = None
    partner_type: str = ""
    number_type: str = ""  # "mobile", "landline" or "unknown", from the number itself
    attempts_today: int = 0
    attempts_left: int = 0
    last_attempt_at: dt.datetime | None = None
    last_day_part: DayPart | None = None
    sms_sent: int = 0


@dataclass(frozen=True)
class SlotContext:
    """The moment a policy decides in, and the calling calendar ahead (production knows both)."""

    now: dt.datetime
    day_part: DayPart
    upcoming: tuple[tuple[int, DayPart], ...]  # (days from today, day-part) of later open slots


@dataclass(frozen=True)
class Observation:
    """What an agent registers after a dial: the outcome code, never the answer probability."""

    candidate: Candidate
    at: dt.datetime
    day_part: DayPart
    outcome: str  # an outcome code (geen_gehoor, voicemail, bereikt, ...)
    sms_before: bool


@functools.lru_cache(maxsize=65536)
def age_band(birth_date: dt.date | None, on: dt.date) -> str:
    if birth_date is None:
        return "?"
    age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    if age < 35:
        return "18-34"
    if age < 50:
        return "35-49"
    if age < 67:
        return "50-66"
    return "67+"


def upcoming_slots(
    calendar: CallingCalendar, now: dt.datetime, days: int = 7
) -> tuple[tuple[int, DayPart], ...]:
    """The day-parts in which calling is open after ``now``'s day-part, up to ``days`` ahead."""
    today = now.astimezone(calendar.tz).date()
    found: list[tuple[int, DayPart]] = []
    moment = calendar.next_day_part_open(now)
    while moment is not None:
        offset = (moment.astimezone(calendar.tz).date() - today).days
        if offset > days:
            break
        found.append((offset, day_part(moment, calendar.tz)))
        moment = calendar.next_day_part_open(moment)
    return tuple(found)


class Policy(Protocol):
    """Orders eligible candidates, best first. Must be pure and deterministic."""

    def rank(
        self, candidates: Sequence[Candidate], *, agent_id: int | None, now: dt.datetime
    ) -> list[Candidate]: ...


_FAR_FUTURE = dt.datetime.max.replace(tzinfo=dt.UTC)


def urgency_key(candidate: Candidate, *, agent_id: int | None, now: dt.datetime) -> tuple:
    """What comes before any scheduling rule: due callbacks (the agent's own first), then
    crisis, then the deadline soonest. Every policy's sort key starts with it."""
    callback_due = candidate.callback_due_at is not None and candidate.callback_due_at <= now
    own_callback = callback_due and candidate.callback_agent_id == agent_id
    return (
        not callback_due,
        not own_callback,
        candidate.callback_due_at if callback_due else _FAR_FUTURE,
        not candidate.is_crisis,
        candidate.due_on or dt.date.max,
    )


class BaselinePolicy:
    """Due callbacks (the agent's own first) > crisis > deadline soonest > an untried day-part >
    oldest in the queue. queXS and Blaise CATI rank appointments first in the same way."""

    def sort_key(self, candidate: Candidate, *, agent_id: int | None, now: dt.datetime):
        return (
            *urgency_key(candidate, agent_id=agent_id, now=now),
            day_part(now) in candidate.day_parts_tried,
            candidate.entered_at,
            candidate.key,
        )

    def rank(
        self, candidates: Sequence[Candidate], *, agent_id: int | None, now: dt.datetime
    ) -> list[Candidate]:
        return sorted(candidates, key=lambda c: self.sort_key(c, agent_id=agent_id, now=now))


class LearningPolicy(Policy, Protocol):
    """A policy that decides when to call, whether to text first, and learns from outcomes."""

    name: str

    def wants_call(self, candidate: Candidate, *, slot: SlotContext) -> bool: ...

    def sms_before(self, candidate: Candidate, *, slot: SlotContext) -> bool: ...

    def observe(self, observation: Observation) -> None: ...


DEFAULT_POLICY: Policy = BaselinePolicy()
