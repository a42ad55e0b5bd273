"""The learning schedule in production: learned from the municipality's own attempts, ranking
the real call queue, with an evaluation sample of random day-parts."""

import datetime as dt

import pytest

from bereik.cases.models import PhoneNumber
from bereik.outreach import learning, services
from bereik.outreach.models import ContactAttempt, QueueEntry, ScheduledBy, SchedulingPolicy
from bereik.outreach.scheduling import Candidate, DayPart, day_part
from bereik.outreach.services import OutcomeInput
from tests.factories import CampaignFactory, QueueEntryFactory

from .conftest import TUESDAY_MORNING as NOW

pytestmark = pytest.mark.django_db
LAST_WEEK = NOW - dt.timedelta(days=7)
MORNING = LAST_WEEK.replace(hour=10)
EVENING = LAST_WEEK.replace(hour=19)


@pytest.fixture(autouse=True)
def fresh_learning():
    learning.forget_learned_state()
    yield
    learning.forget_learned_state()


@pytest.fixture
def adaptive_campaign(municipality, outcomes):
    return CampaignFactory(
        municipality=municipality,
        scheduling_policy=SchedulingPolicy.ADAPTIVE,
        exploration_percent=0,
    )


def _history(campaign, outcomes, *, kind: str, answered_in: DayPart, residents: int = 25):
    """Finished residents with one unanswered and one answered attempt, on ``kind`` numbers."""
    for _ in range(residents):
        entry = QueueEntryFactory(campaign=campaign, status=QueueEntry.Status.CLOSED)
        PhoneNumber.objects.filter(pk=entry.current_number_id).update(kind=kind)
        missed, answered = (
            (MORNING, EVENING) if answered_in == DayPart.EVENING else (EVENING, MORNING)
        )
        for at, code in ((missed, "geen_gehoor"), (answered, "bereikt")):
            ContactAttempt.objects.create(
                municipality=campaign.municipality,
                case=entry.case,
                campaign=campaign,
                kind=ContactAttempt.Kind.PHONE,
                occurred_at=at,
                day_part=day_part(at).value,
                reached=code == "bereikt",
                phone_number=entry.current_number,
                outcome=outcomes[code],
            )


def _fresh(number_type: str) -> Candidate:
    return Candidate(key=10**9, entered_at=NOW, number_type=number_type)


def test_the_policy_learns_the_municipalitys_answer_rates_per_day_part(
    adaptive_campaign, outcomes, municipality
):
    _history(adaptive_campaign, outcomes, kind="mobile", answered_in=DayPart.EVENING)
    policy = learning.learned_policy(municipality.pk, now=NOW)
    candidate = _fresh("mobile")
    evening = policy.answer_chance(candidate, DayPart.EVENING, NOW)
    morning = policy.answer_chance(candidate, DayPart.MORNING, NOW)
    assert evening > 2 * morning


def test_new_outcomes_are_learned_once_on_the_next_ranking(adaptive_campaign, outcomes):
    municipality_id = adaptive_campaign.municipality_id
    _history(adaptive_campaign, outcomes, kind="mobile", answered_in=DayPart.EVENING, residents=3)
    learning.learned_policy(municipality_id, now=NOW)
    assert learning._STATE[municipality_id].observed == 6
    _history(adaptive_campaign, outcomes, kind="mobile", answered_in=DayPart.EVENING, residents=1)
    learning.learned_policy(municipality_id, now=NOW)
    learning.learned_policy(municipality_id, now=NOW)
    assert learning._STATE[municipality_id].observed == 8


def test_another_municipalitys_attempts_teach_nothing(
    adaptive_campaign, outcomes, other_municipality
):
    _history(adaptive_campaign, outcomes, kind="mobile", answered_in=DayPart.EVENING)
    other = learning.learned_policy(other_municipality.pk, now=NOW)
    assert learning._STATE[other_municipality.pk].observed == 0
    assert other is not learning.learned_policy(adaptive_campaign.municipality_id, now=NOW)


def _ready(campaign, *, kind: str, entered_at: dt.datetime, **fields) -> QueueEntry:
    entry = QueueEntryFactory(campaign=campaign, entered_at=entered_at, **fields)
    PhoneNumber.objects.filter(pk=entry.current_number_id).update(kind=kind)
    return entry


def test_the_learning_schedule_calls_whoever_answers_best_now(adaptive_campaign, outcomes, agent):
    # Mobile numbers answer in the evening here, landlines in the morning; it is morning now.
    _history(adaptive_campaign, outcomes, kind="mobile", answered_in=DayPart.EVENING)
    _history(adaptive_campaign, outcomes, kind="landline", answered_in=DayPart.MORNING)
    older_mobile = _ready(adaptive_campaign, kind="mobile", entered_at=NOW - dt.timedelta(days=9))
    newer_landline = _ready(
        adaptive_campaign, kind="landline", entered_at=NOW - dt.timedelta(days=2)
    )

    claimed = services.claim_next(agent=agent, now=NOW)

    assert claimed.pk == newer_landline.pk
    assert QueueEntry.objects.get(pk=claimed.pk).scheduled_by == ScheduledBy.ADAPTIVE
    assert QueueEntry.objects.get(pk=older_mobile.pk).locked_by is None


def test_the_fixed_rotation_still_takes_the_oldest_first(campaign, outcomes, agent):
    _history(campaign, outcomes, kind="mobile", answered_in=DayPart.EVENING)
    _history(campaign, outcomes, kind="landline", answered_in=DayPart.MORNING)
    older_mobile = _ready(campaign, kind="mobile", entered_at=NOW - dt.timedelta(days=9))
    _ready(campaign, kind="landline", entered_at=NOW - dt.timedelta(days=2))

    claimed = services.claim_next(agent=agent, now=NOW)

    assert claimed.pk == older_mobile.pk
    assert QueueEntry.objects.get(pk=claimed.pk).scheduled_by == ScheduledBy.BASELINE


def test_a_due_callback_comes_before_the_learned_best_moment(adaptive_campaign, outcomes, agent):
    _history(adaptive_campaign, outcomes, kind="landline", answered_in=DayPart.MORNING)
    _ready(adaptive_campaign, kind="landline", entered_at=NOW - dt.timedelta(days=9))
    callback = _ready(
        adaptive_campaign,
        kind="mobile",
        entered_at=NOW - dt.timedelta(days=1),
        band=QueueEntry.Band.CALLBACK,
        callback_due_at=NOW - dt.timedelta(minutes=5),
    )
    assert services.claim_next(agent=agent, now=NOW).pk == callback.pk


def test_a_resident_waiting_for_a_better_day_part_is_still_called_when_nobody_else_is(
    adaptive_campaign, outcomes, agent
):
    _history(adaptive_campaign, outcomes, kind="mobile", answered_in=DayPart.EVENING)
    only = _ready(adaptive_campaign, kind="mobile", entered_at=NOW - dt.timedelta(days=3))
    assert services.claim_next(agent=agent, now=NOW).pk == only.pk


def test_the_evaluation_sample_is_the_configured_share_and_stable():
    chosen = [learning.is_exploration(entry_id, 1, 10) for entry_id in range(20_000)]
    assert 0.09 < sum(chosen) / len(chosen) < 0.11
    assert chosen == [learning.is_exploration(entry_id, 1, 10) for entry_id in range(20_000)]
    assert not any(learning.is_exploration(entry_id, 1, 0) for entry_id in range(2_000))


def test_evaluation_sample_day_parts_are_spread_over_the_open_day_parts():
    parts = list(DayPart)
    drawn = [learning.exploration_day_part(entry_id, 1, parts) for entry_id in range(4_000)]
    for part in parts:
        assert 0.2 < drawn.count(part) / len(drawn) < 0.3


def test_the_attempt_records_which_rule_scheduled_it(municipality, outcomes, agent):
    campaign = CampaignFactory(
        municipality=municipality,
        scheduling_policy=SchedulingPolicy.ADAPTIVE,
        exploration_percent=50,
    )
    entries = [_ready(campaign, kind="mobile", entered_at=NOW - dt.timedelta(days=2))]
    claimed = services.claim_next(agent=agent, now=NOW)
    expected = (
        ScheduledBy.EXPLORATION
        if learning.is_exploration(entries[0].pk, 1, 50)
        else ScheduledBy.ADAPTIVE
    )
    claimed.refresh_from_db()
    assert claimed.scheduled_by == expected

    attempt = services.record_outcome(
        agent=agent,
        entry=claimed,
        token=claimed.lock_token,
        data=OutcomeInput(outcome=outcomes["geen_gehoor"], phone_number=claimed.current_number),
        now=NOW + dt.timedelta(minutes=2),
    )

    assert attempt.scheduled_by == expected
    rates = learning.evaluation([municipality.pk])
    assert rates[expected].attempts == 1
    assert rates[expected].answered == 0
    assert rates[expected].rate == 0.0


def test_the_supervisor_sees_the_answer_rate_per_scheduling_rule(
    adaptive_campaign, outcomes, supervisor, verified_client, other_municipality
):
    entry = _ready(adaptive_campaign, kind="mobile", entered_at=NOW - dt.timedelta(days=2))
    for scheduled_by, code in (
        (ScheduledBy.ADAPTIVE, "bereikt"),
        (ScheduledBy.ADAPTIVE, "geen_gehoor"),
        (ScheduledBy.EXPLORATION, "geen_gehoor"),
    ):
        ContactAttempt.objects.create(
            municipality=adaptive_campaign.municipality,
            case=entry.case,
            campaign=adaptive_campaign,
            kind=ContactAttempt.Kind.PHONE,
            occurred_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1),
            day_part=DayPart.MORNING.value,
            outcome=outcomes[code],
            scheduled_by=scheduled_by,
        )
    # Another municipality's attempts never show.
    elsewhere = CampaignFactory(municipality=other_municipality)
    ContactAttempt.objects.create(
        municipality=other_municipality,
        case=QueueEntryFactory(campaign=elsewhere).case,
        campaign=elsewhere,
        kind=ContactAttempt.Kind.PHONE,
        occurred_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1),
        day_part=DayPart.MORNING.value,
        outcome=outcomes["bereikt"],
        scheduled_by=ScheduledBy.EXPLORATION,
    )

    response = verified_client(supervisor).get("/bellen/voortgang/")

    rates = {rate.label: rate for rate in response.context["schedule_rates"]}
    assert (
        rates[ScheduledBy.ADAPTIVE.label].attempts,
        rates[ScheduledBy.ADAPTIVE.label].answered,
    ) == (2, 1)
    assert (
        rates[ScheduledBy.EXPLORATION.label].attempts,
        rates[ScheduledBy.EXPLORATION.label].answered,
    ) == (1, 0)
    assert b"progress-schedule-rates" in response.content
