import datetime as dt

from bereik.outreach.scheduling import (
    AMSTERDAM,
    BaselinePolicy,
    Candidate,
    DayPart,
    Observation,
    SlotContext,
    age_band,
)
from bereik.reach.policies import AdaptivePolicy, BaselineReachPolicy

MONDAY_MORNING = dt.datetime(2025, 4, 14, 9, 0, tzinfo=AMSTERDAM)
MONDAY_EVENING = dt.datetime(2025, 4, 14, 18, 0, tzinfo=AMSTERDAM)
# Three weeks of slots ahead: the afternoon and evening today, then every day-part of later days.
WEEKDAY_PARTS = (DayPart.MORNING, DayPart.AFTERNOON, DayPart.EVENING)
LATER = tuple(
    (day, part)
    for day in range(1, 21)
    if day % 7 != 6  # no Sundays
    for part in ((DayPart.SATURDAY,) if day % 7 == 5 else WEEKDAY_PARTS)
)
AHEAD = ((0, DayPart.AFTERNOON), (0, DayPart.EVENING), *LATER)


def _candidate(key: int, **fields) -> Candidate:
    defaults = {
        "entered_at": MONDAY_MORNING - dt.timedelta(days=1),
        "birth_date": dt.date(1998, 5, 1),
        "number_type": "mobile",
        "attempts_left": 7,
    }
    return Candidate(key=key, **{**defaults, **fields})


def _slot(now: dt.datetime, part: DayPart) -> SlotContext:
    return SlotContext(now=now, day_part=part, upcoming=AHEAD)


def test_age_band_from_birth_date():
    on = dt.date(2025, 4, 14)
    assert age_band(dt.date(2007, 4, 14), on) == "18-34"
    assert age_band(dt.date(1975, 4, 15), on) == "35-49"
    assert age_band(dt.date(1958, 4, 14), on) == "67+"
    assert age_band(None, on) == "?"


def test_baseline_ranks_with_the_production_policy():
    candidates = [
        Candidate(key=1, entered_at=MONDAY_MORNING),
        Candidate(key=2, entered_at=MONDAY_MORNING, is_crisis=True),
        Candidate(key=3, entered_at=MONDAY_MORNING - dt.timedelta(hours=1)),
    ]
    ours = BaselineReachPolicy().rank(candidates, agent_id=None, now=MONDAY_MORNING)
    production = BaselinePolicy().rank(candidates, agent_id=None, now=MONDAY_MORNING)
    assert [c.key for c in ours] == [c.key for c in production] == [2, 3, 1]


def test_baseline_rotates_daytime_evening_saturday():
    policy = BaselineReachPolicy()
    morning, evening = (
        _slot(MONDAY_MORNING, DayPart.MORNING),
        _slot(MONDAY_EVENING, DayPart.EVENING),
    )
    assert policy.wants_call(_candidate(1, attempts=0), slot=morning)
    assert not policy.wants_call(_candidate(1, attempts=0), slot=evening)
    assert policy.wants_call(_candidate(1, attempts=1), slot=evening)
    assert not policy.wants_call(_candidate(1, attempts=2), slot=evening)  # waits for Saturday
    assert not policy.sms_before(_candidate(1), slot=morning)


def _observe(policy, key, part, outcome, *, sms=False, at=MONDAY_MORNING):
    candidate = _candidate(key)  # no SMS before this attempt's own
    policy.observe(
        Observation(candidate=candidate, at=at, day_part=part, outcome=outcome, sms_before=sms)
    )


def test_adaptive_learns_which_day_part_works_for_a_segment():
    policy = AdaptivePolicy(seed=1)
    for key in range(200):
        _observe(policy, key, DayPart.MORNING, "bereikt" if key % 10 == 0 else "geen_gehoor")
        _observe(policy, 1000 + key, DayPart.EVENING, "bereikt" if key % 2 else "geen_gehoor")
    fresh = _candidate(5000)
    assert not policy.wants_call(fresh, slot=_slot(MONDAY_MORNING, DayPart.MORNING))
    assert policy.wants_call(fresh, slot=_slot(MONDAY_EVENING, DayPart.EVENING))
    # Another segment with its own evidence keeps its own estimate.
    for key in range(200):
        older = _candidate(2000 + key, birth_date=dt.date(1950, 1, 1), number_type="landline")
        policy.observe(
            Observation(
                candidate=older,
                at=MONDAY_MORNING,
                day_part=DayPart.MORNING,
                outcome="bereikt" if key % 2 else "geen_gehoor",
                sms_before=False,
            )
        )
        for part in (DayPart.AFTERNOON, DayPart.EVENING, DayPart.SATURDAY):
            policy.observe(
                Observation(
                    candidate=_candidate(
                        3000 + key, birth_date=dt.date(1950, 1, 1), number_type="landline"
                    ),
                    at=MONDAY_MORNING,
                    day_part=part,
                    outcome="bereikt" if key % 10 == 0 else "geen_gehoor",
                    sms_before=False,
                )
            )
    older = _candidate(5001, birth_date=dt.date(1950, 1, 1), number_type="landline")
    later = MONDAY_MORNING + dt.timedelta(days=1)
    assert policy.wants_call(older, slot=_slot(later, DayPart.MORNING))
    assert not policy.wants_call(fresh, slot=_slot(later, DayPart.MORNING))


def test_adaptive_learns_a_residents_own_failures():
    policy = AdaptivePolicy(seed=1)
    resident = _candidate(7)
    before = policy.answer_chance(resident, DayPart.EVENING, MONDAY_MORNING)
    for _ in range(3):
        _observe(policy, 7, DayPart.EVENING, "geen_gehoor")
    after_evening = policy.answer_chance(resident, DayPart.EVENING, MONDAY_EVENING)
    after_morning = policy.answer_chance(resident, DayPart.MORNING, MONDAY_EVENING)
    assert after_evening < after_morning < before


def test_adaptive_sends_sms_only_once_it_pays():
    policy = AdaptivePolicy(seed=2)
    for key in range(300):
        _observe(policy, key, DayPart.MORNING, "bereikt" if key % 3 == 0 else "geen_gehoor")
        _observe(policy, 1000 + key, DayPart.MORNING, "geen_gehoor", sms=True)
    later = MONDAY_MORNING + dt.timedelta(days=1)
    assert not policy.sms_before(_candidate(9000), slot=_slot(later, DayPart.MORNING))

    helped = AdaptivePolicy(seed=2)
    for key in range(300):
        _observe(helped, key, DayPart.MORNING, "bereikt" if key % 5 == 0 else "geen_gehoor")
        _observe(
            helped, 1000 + key, DayPart.MORNING, "bereikt" if key % 2 else "geen_gehoor", sms=True
        )
    assert helped.sms_before(_candidate(9000), slot=_slot(later, DayPart.MORNING))


def test_adaptive_ranks_crisis_first_and_works_on_production_candidates():
    policy = AdaptivePolicy(seed=1)
    candidates = [Candidate(key=1, entered_at=MONDAY_MORNING), _candidate(2, is_crisis=True)]
    assert [c.key for c in policy.rank(candidates, agent_id=None, now=MONDAY_MORNING)] == [2, 1]
