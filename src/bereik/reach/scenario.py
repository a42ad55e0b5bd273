"""A simulation scenario: a JSON file describing a population and a campaign (docs/simulator.md).

``load_scenario`` validates every field and raises ``ScenarioError`` naming the first field that
is missing or out of range, e.g. ``capacity.agents.evening: must be >= 0, got -1``.
"""

import datetime as dt
import json
import math
from dataclasses import dataclass
from pathlib import Path

from bereik.outreach.scheduling import DEFAULT_WINDOWS, DayPart, Window

DAY_PARTS: tuple[DayPart, ...] = tuple(DayPart)
AGE_BANDS: tuple[str, ...] = ("18-34", "35-49", "50-66", "67+")
NUMBER_TYPES: tuple[str, ...] = ("mobile", "landline")
PARTNER_TYPES: tuple[str, ...] = (
    "Energie",
    "Huur",
    "Hypotheek",
    "Zorg",
    "CAK Zorgverzekeringen",
    "Water",
    "DUO",
    "Belastingdienst",
    "CAK Eigen bijdrage",
    "Dienst Toeslagen",
    "Overige",
)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class ScenarioError(ValueError):
    """A scenario file that cannot be simulated; the message names the field."""


@dataclass(frozen=True)
class Segment:
    """A group of residents defined by observable features, with its own hidden behaviour."""

    name: str
    share: float
    age_band: str
    number_type: str
    partner_types: dict[str, float]
    crisis_share: float
    routine_mix: dict[str, float]
    screener_share: float
    propensity_multiplier: float


@dataclass(frozen=True)
class Capacity:
    agents: dict[DayPart, float]
    utilisation: float
    seconds_per_no_answer: float
    seconds_per_voicemail: float
    seconds_per_conversation: float
    seconds_per_wrong_person: float
    seconds_per_not_in_service: float


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    residents: int
    start_date: dt.date
    horizon_days: int
    arrival_spread_days: int
    valid_share: float
    wrong_person_share: float
    propensity_alpha: float
    propensity_beta: float
    max_answer_probability: float
    routines: dict[str, dict[DayPart, float]]
    segments: tuple[Segment, ...]
    screener_unknown_caller: float
    screener_recognised_caller: float
    sms_answer_multiplier: float
    sms_repeat_decay: float
    sms_recognises_caller: bool
    fatigue_per_unanswered: float
    same_day_part_same_day: float
    voicemail_share: dict[str, float]
    windows: tuple[Window, ...]
    public_holidays: bool
    max_attempts: int
    max_attempts_per_day: int
    min_minutes_between_attempts: int
    max_slot_hours: float
    capacity: Capacity


_REQUIRED = object()


class _Reader:
    """Reads one JSON object, remembering the dotted path for error messages."""

    def __init__(self, data, path: str):
        if not isinstance(data, dict):
            raise ScenarioError(f"{path or 'scenario'}: must be an object")
        self.data = data
        self.path = path

    def _name(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def _get(self, key: str, default):
        if key not in self.data:
            if default is _REQUIRED:
                raise ScenarioError(f"{self._name(key)}: is required")
            return default
        return self.data[key]

    def number(self, key, *, lo=None, hi=None, above=None, default=None, required=False) -> float:
        value = self._get(key, _REQUIRED if required else default)
        name = self._name(key)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise ScenarioError(f"{name}: must be a number, got {value!r}")
        if lo is not None and value < lo:
            raise ScenarioError(f"{name}: must be >= {lo}, got {value}")
        if above is not None and value <= above:
            raise ScenarioError(f"{name}: must be > {above}, got {value}")
        if hi is not None and value > hi:
            raise ScenarioError(f"{name}: must be <= {hi}, got {value}")
        return float(value)

    def integer(self, key, *, lo=None, hi=None, default=None, required=False) -> int:
        value = self._get(key, _REQUIRED if required else default)
        name = self._name(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ScenarioError(f"{name}: must be a whole number, got {value!r}")
        if lo is not None and value < lo:
            raise ScenarioError(f"{name}: must be >= {lo}, got {value}")
        if hi is not None and value > hi:
            raise ScenarioError(f"{name}: must be <= {hi}, got {value}")
        return value

    def text(self, key, *, default=None, required=False, choices=None) -> str:
        value = self._get(key, _REQUIRED if required else default)
        name = self._name(key)
        if not isinstance(value, str):
            raise ScenarioError(f"{name}: must be text, got {value!r}")
        if choices is not None and value not in choices:
            raise ScenarioError(f"{name}: must be one of {', '.join(choices)}, got {value!r}")
        return value

    def boolean(self, key, *, default) -> bool:
        value = self._get(key, default)
        if not isinstance(value, bool):
            raise ScenarioError(f"{self._name(key)}: must be true or false, got {value!r}")
        return value

    def child(self, key, *, required=False) -> "_Reader":
        value = self._get(key, _REQUIRED if required else {})
        return _Reader(value, self._name(key))

    def shares(self, key, *, choices=None, required=True) -> dict[str, float]:
        """An object of non-negative weights summing to 1 (within 0.001)."""
        reader = self.child(key, required=required)
        if required and not reader.data:
            raise ScenarioError(f"{reader.path}: must name at least one entry")
        result = {}
        for name in reader.data:
            if choices is not None and name not in choices:
                raise ScenarioError(
                    f"{reader.path}.{name}: unknown; expected one of {', '.join(choices)}"
                )
            result[name] = reader.number(name, lo=0, hi=1, required=True)
        if result and abs(sum(result.values()) - 1) > 0.001:
            raise ScenarioError(
                f"{reader.path}: shares must add up to 1, got {sum(result.values()):.3f}"
            )
        return result


def _day_part_multipliers(reader: _Reader) -> dict[DayPart, float]:
    return {
        part: reader.number(part.name.lower(), lo=0, hi=10, required=True) for part in DAY_PARTS
    }


def _windows(reader: _Reader) -> tuple[Window, ...]:
    if not reader.data:
        return DEFAULT_WINDOWS
    windows = []
    for day_name in reader.data:
        if day_name not in WEEKDAYS:
            raise ScenarioError(
                f"{reader.path}.{day_name}: unknown weekday; expected one of {', '.join(WEEKDAYS)}"
            )
        value = reader.data[day_name]
        name = f"{reader.path}.{day_name}"
        if not (
            isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)
        ):
            raise ScenarioError(f'{name}: must be ["HH:MM", "HH:MM"], got {value!r}')
        try:
            starts, ends = (dt.time.fromisoformat(v) for v in value)
        except ValueError as error:
            raise ScenarioError(f"{name}: {error}") from error
        if ends <= starts:
            raise ScenarioError(f"{name}: the window ends before it starts")
        windows.append(Window(WEEKDAYS.index(day_name), starts, ends))
    return tuple(sorted(windows, key=lambda w: w.weekday))


def _segment(reader: _Reader, routines) -> Segment:
    routine_mix = reader.shares("routine_mix", choices=tuple(routines))
    partner_types = reader.shares("partner_types", choices=PARTNER_TYPES, required=False) or {
        "Overige": 1.0
    }
    return Segment(
        name=reader.text("name", required=True),
        share=reader.number("share", lo=0, hi=1, required=True),
        age_band=reader.text("age_band", required=True, choices=AGE_BANDS),
        number_type=reader.text("number_type", required=True, choices=NUMBER_TYPES),
        partner_types=partner_types,
        crisis_share=reader.number("crisis_share", lo=0, hi=1, default=0.0),
        routine_mix=routine_mix,
        screener_share=reader.number("screener_share", lo=0, hi=1, default=0.0),
        propensity_multiplier=reader.number("propensity_multiplier", lo=0, hi=5, default=1.0),
    )


def parse_scenario(data, *, name: str = "scenario") -> Scenario:
    root = _Reader(data, "")
    numbers = root.child("numbers", required=True)
    propensity = root.child("propensity", required=True)
    routines_reader = root.child("routines", required=True)
    if not routines_reader.data:
        raise ScenarioError("routines: must name at least one routine")
    routines = {
        key: _day_part_multipliers(routines_reader.child(key, required=True))
        for key in routines_reader.data
    }
    segments_data = root._get("segments", _REQUIRED)
    if not isinstance(segments_data, list) or not segments_data:
        raise ScenarioError("segments: must be a non-empty list")
    segments = tuple(
        _segment(_Reader(item, f"segments[{index}]"), routines)
        for index, item in enumerate(segments_data)
    )
    names = [s.name for s in segments]
    if len(set(names)) != len(names):
        raise ScenarioError("segments: names must be unique")
    total = sum(s.share for s in segments)
    if abs(total - 1) > 0.001:
        raise ScenarioError(f"segments: shares must add up to 1, got {total:.3f}")
    screeners = root.child("screeners")
    sms = root.child("sms")
    fatigue = root.child("fatigue")
    voicemail = root.child("voicemail")
    calling = root.child("calling")
    capacity = root.child("capacity", required=True)
    agents = capacity.child("agents", required=True)
    start_text = root.text("start_date", required=True)
    try:
        start_date = dt.date.fromisoformat(start_text)
    except ValueError as error:
        raise ScenarioError(f"start_date: must be a date YYYY-MM-DD, got {start_text!r}") from error
    max_attempts = calling.integer("max_attempts", lo=1, hi=20, default=7)
    return Scenario(
        name=root.text("name", default=name),
        description=root.text("description", default=""),
        residents=root.integer("residents", lo=1, hi=1_000_000, required=True),
        start_date=start_date,
        horizon_days=root.integer("horizon_days", lo=1, hi=366, required=True),
        arrival_spread_days=root.integer("arrival_spread_days", lo=0, hi=366, default=0),
        valid_share=numbers.number("valid_share", lo=0, hi=1, required=True),
        wrong_person_share=numbers.number("wrong_person_share", lo=0, hi=1, default=0.5),
        propensity_alpha=propensity.number("alpha", above=0, hi=100, required=True),
        propensity_beta=propensity.number("beta", above=0, hi=100, required=True),
        max_answer_probability=propensity.number(
            "max_answer_probability", above=0, hi=1, default=0.95
        ),
        routines=routines,
        segments=segments,
        screener_unknown_caller=screeners.number(
            "unknown_caller_multiplier", lo=0, hi=1, default=0.2
        ),
        screener_recognised_caller=screeners.number(
            "recognised_caller_multiplier", lo=0, hi=2, default=1.0
        ),
        sms_answer_multiplier=sms.number("answer_multiplier", lo=0, hi=5, default=1.0),
        sms_repeat_decay=sms.number("repeat_decay", lo=0, hi=1, default=0.5),
        sms_recognises_caller=sms.boolean("recognises_caller", default=True),
        fatigue_per_unanswered=fatigue.number("per_unanswered", lo=0, hi=0.9, default=0.0),
        same_day_part_same_day=fatigue.number("same_day_part_same_day", lo=0, hi=1, default=1.0),
        voicemail_share={t: voicemail.number(t, lo=0, hi=1, default=0.0) for t in NUMBER_TYPES},
        windows=_windows(calling.child("windows")),
        public_holidays=calling.boolean("public_holidays", default=True),
        max_attempts=max_attempts,
        max_attempts_per_day=calling.integer(
            "max_attempts_per_day", lo=1, hi=max_attempts, default=2
        ),
        min_minutes_between_attempts=calling.integer(
            "min_minutes_between_attempts", lo=0, hi=24 * 60, default=120
        ),
        max_slot_hours=calling.number("max_slot_hours", above=0.25, hi=24, default=4.0),
        capacity=Capacity(
            agents={
                part: agents.number(part.name.lower(), lo=0, hi=10_000, required=True)
                for part in DAY_PARTS
            },
            utilisation=capacity.number("utilisation", above=0, hi=1, default=0.85),
            seconds_per_no_answer=capacity.number(
                "seconds_per_no_answer", above=0, hi=3600, default=40
            ),
            seconds_per_voicemail=capacity.number(
                "seconds_per_voicemail", above=0, hi=3600, default=55
            ),
            seconds_per_conversation=capacity.number(
                "seconds_per_conversation", above=0, hi=7200, default=540
            ),
            seconds_per_wrong_person=capacity.number(
                "seconds_per_wrong_person", above=0, hi=3600, default=90
            ),
            seconds_per_not_in_service=capacity.number(
                "seconds_per_not_in_service", above=0, hi=3600, default=20
            ),
        ),
    )


def load_scenario(path: str | Path) -> Scenario:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ScenarioError(f"scenario file not found: {path.name}") from error
    except json.JSONDecodeError as error:
        raise ScenarioError(f"{path.name}: not valid JSON ({error})") from error
    return parse_scenario(data, name=path.stem)
