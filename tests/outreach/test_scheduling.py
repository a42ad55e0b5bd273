"""The pure scheduler: calendar, day-parts, retry planning and the baseline ranking."""

import datetime as dt

import pytest

from bereik.outreach.scheduling import (
    AMSTERDAM,
    BaselinePolicy,
    CallingCalendar,
    Candidate,
    DayPart,
    RetryRule,
    Window,
    day_part,
    ddas_day_part,
    plan_next_attempt,
)


def at(day, hour, minute=0):
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=AMSTERDAM)


CALENDAR = CallingCalendar.with_dutch_holidays(
    [Window(d, dt.time(8, 30), dt.time(21, 0)) for d in range(5)]
    + [Window(5, dt.time(9), dt.time(17))],
    around=dt.date(2026, 11, 24),
)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(24, 8, 30), True),
        (at(24, 20, 59), True),
        (at(24, 21, 0), False),
        (at(24, 8, 29), False),
        (at(28, 10), True),  # Saturday
        (at(28, 17, 30), False),
        (at(29, 12), False),  # Sunday
        (dt.datetime(2026, 12, 25, 10, tzinfo=AMSTERDAM), False),  # Christmas
        (dt.datetime(2027, 4, 27, 10, tzinfo=AMSTERDAM), False),  # King's Day
    ],
)
def test_calendar_knows_windows_sundays_and_holidays(moment, expected):
    assert CALENDAR.is_open(moment) is expected


def test_next_open_skips_night_sunday_and_holiday():
    assert CALENDAR.next_open(at(24, 22)) == at(25, 8, 30)
    assert CALENDAR.next_open(at(28, 18)) == at(30, 8, 30)  # Saturday evening -> Monday
    christmas_eve_night = dt.datetime(2026, 12, 24, 22, tzinfo=AMSTERDAM)
    assert CALENDAR.next_open(christmas_eve_night) == dt.datetime(
        2026, 12, 28, 8, 30, tzinfo=AMSTERDAM
    )  # 25th, 26th holidays, 27th Sunday


def test_window_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="ends before it starts"):
        Window(0, dt.time(18), dt.time(9))


@pytest.mark.parametrize(
    ("moment", "part", "ddas"),
    [
        (at(24, 11, 59), DayPart.MORNING, "Ochtend"),
        (at(24, 12), DayPart.AFTERNOON, "Middag"),
        (at(24, 18), DayPart.EVENING, "Avond"),
        (at(28, 10), DayPart.SATURDAY, "Ochtend"),
    ],
)
def test_day_parts(moment, part, ddas):
    assert day_part(moment) == part
    assert ddas_day_part(moment) == ddas


def test_retry_in_other_day_part_moves_to_the_next_day_part():
    nxt = plan_next_attempt(
        calendar=CALENDAR,
        now=at(24, 10),
        rule=RetryRule(30, other_day_part=True),
        attempts_today=1,
        max_attempts_per_day=2,
    )
    assert nxt == at(24, 12)


def test_daily_cap_moves_the_next_attempt_to_the_next_calling_day():
    nxt = plan_next_attempt(
        calendar=CALENDAR,
        now=at(24, 13),
        rule=RetryRule(20),
        attempts_today=2,
        max_attempts_per_day=2,
    )
    assert nxt == at(25, 8, 30)


def test_busy_retries_soon_within_the_window():
    nxt = plan_next_attempt(
        calendar=CALENDAR,
        now=at(24, 13),
        rule=RetryRule(20),
        attempts_today=1,
        max_attempts_per_day=2,
    )
    assert nxt == at(24, 13, 20)


def candidate(key, **fields):
    fields.setdefault("entered_at", at(1, 9))
    return Candidate(key=key, **fields)


def test_baseline_ranking_order():
    now = at(24, 19)  # evening
    candidates = [
        candidate(1, entered_at=at(1, 8)),  # oldest
        candidate(2, day_parts_tried=frozenset({DayPart.MORNING})),  # evening untried
        candidate(3, day_parts_tried=frozenset({DayPart.EVENING})),  # evening repeated
        candidate(4, due_on=dt.date(2026, 11, 26)),
        candidate(5, is_crisis=True),
        candidate(6, callback_due_at=at(24, 18, 30)),  # team callback
        candidate(7, callback_due_at=at(24, 18, 45), callback_agent_id=42),  # mine
        candidate(8, callback_due_at=at(24, 20)),  # callback not yet due
    ]
    ranked = [c.key for c in BaselinePolicy().rank(candidates, agent_id=42, now=now)]
    assert ranked == [7, 6, 5, 4, 1, 2, 8, 3]


def test_retry_prefers_a_day_part_not_yet_tried():
    nxt = plan_next_attempt(
        calendar=CALENDAR,
        now=at(24, 13),
        rule=RetryRule(120, other_day_part=True),
        attempts_today=2,
        max_attempts_per_day=2,
        day_parts_tried=frozenset({DayPart.MORNING, DayPart.AFTERNOON}),
    )
    assert nxt == at(25, 18)  # tomorrow evening, not tomorrow morning again
