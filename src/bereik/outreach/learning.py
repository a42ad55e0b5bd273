"""The learning schedule in production: the simulator's ``AdaptivePolicy``, fed with a
municipality's own attempt history, ranks the call queue of campaigns that choose it.

- **State.** One ``AdaptivePolicy`` per municipality per process, starting from the policy's prior.
  Before each ranking it observes the attempts saved since it last looked (ordered by id), so
  outcomes count from the next "next resident" on, in every web process, without a shared cache.
  A new process replays the last ``HISTORY_DAYS`` of attempts once.
- **Ranking.** Due callbacks, crisis cases and deadlines keep the order of ``BaselinePolicy``.
  Below those, residents for whom now is (near) their best day-part in the coming week come first,
  by expected chance of an answer now times how much better now is than later; the others follow
  in baseline order, so an agent is never idle while someone may be called.
- **Evaluation sample.** For ``Campaign.exploration_percent`` of attempts (chosen by a hash of
  entry and attempt number, so the choice is stable while the resident waits), the day-part is
  drawn at random instead of chosen by the policy. ``ContactAttempt.scheduled_by`` records which
  rule chose each attempt; ``evaluation`` compares the answer rates of both groups.
"""

import datetime as dt
import hashlib
import random
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, F, Q

from bereik.reach.policies import AdaptivePolicy

from .models import (
    Campaign,
    ContactAttempt,
    MessageChannel,
    OutboundMessage,
    QueueEntry,
    ScheduledBy,
    SchedulingPolicy,
)
from .scheduling import (
    BaselinePolicy,
    CallingCalendar,
    Candidate,
    DayPart,
    Observation,
    SlotContext,
    day_part,
    upcoming_slots,
    urgency_key,
)

HISTORY_DAYS = 365
# An SMS counts as "before" an attempt when it went out within this time before the dial.
SMS_EFFECT_WINDOW = dt.timedelta(hours=24)
LOOKAHEAD_DAYS = AdaptivePolicy.LOOKAHEAD_DAYS
_BASELINE = BaselinePolicy()


@dataclass
class _Learned:
    policy: AdaptivePolicy
    last_attempt_id: int = 0
    observed: int = 0


_STATE: dict[int, _Learned] = {}
_LOCK = threading.Lock()


def forget_learned_state() -> None:
    """Drop every municipality's learned state (tests; a process restart does the same)."""
    with _LOCK:
        _STATE.clear()


def _observations(municipality_id: int, after_id: int, since: dt.datetime):
    attempts = list(
        ContactAttempt.objects.filter(
            municipality_id=municipality_id,
            pk__gt=after_id,
            occurred_at__gte=since,
            kind=ContactAttempt.Kind.PHONE,
            direction=ContactAttempt.Direction.OUTBOUND,
            outcome__isnull=False,
            case__queue_entry__isnull=False,
        )
        .order_by("pk")
        .values(
            "pk",
            "case_id",
            "occurred_at",
            "day_part",
            entry_id=F("case__queue_entry__id"),
            entered_at=F("case__queue_entry__entered_at"),
            code=F("outcome__code"),
            birth_date=F("case__resident__birth_date"),
            number_kind=F("phone_number__kind"),
        )
    )
    if not attempts:
        return [], {}
    texts: dict[int, list[dt.datetime]] = {}
    for case_id, sent_at in (
        OutboundMessage.objects.filter(
            case_id__in={a["case_id"] for a in attempts},
            channel=MessageChannel.SMS,
            status=OutboundMessage.Status.SENT,
        )
        .order_by("created_at")
        .values_list("case_id", "created_at")
    ):
        texts.setdefault(case_id, []).append(sent_at)
    return attempts, texts


def learned_policy(municipality_id: int, *, now: dt.datetime) -> AdaptivePolicy:
    """The municipality's policy, brought up to date with every attempt saved so far.

    The policy object is shared by the process's threads: use it while holding ``_LOCK``.
    """
    with _LOCK:
        return _learned_policy_locked(municipality_id, now)


def _learned_policy_locked(municipality_id: int, now: dt.datetime) -> AdaptivePolicy:
    state = _STATE.get(municipality_id)
    if state is None:
        state = _STATE[municipality_id] = _Learned(AdaptivePolicy(seed=municipality_id))
    attempts, texts = _observations(
        municipality_id, state.last_attempt_id, now - dt.timedelta(days=HISTORY_DAYS)
    )
    if attempts:
        for attempt in attempts:
            at = attempt["occurred_at"]
            sent = [moment for moment in texts.get(attempt["case_id"], ()) if moment <= at]
            sms_before = bool(sent) and at - sent[-1] <= SMS_EFFECT_WINDOW
            candidate = Candidate(
                key=attempt["entry_id"],
                entered_at=attempt["entered_at"],
                birth_date=attempt["birth_date"],
                number_type=attempt["number_kind"] or "",
                # The policy counts the texts before the current one (``repeat``).
                sms_sent=len(sent) - (1 if sms_before else 0),
            )
            state.policy.observe(
                Observation(
                    candidate=candidate,
                    at=at,
                    day_part=DayPart(attempt["day_part"]),
                    outcome=attempt["code"],
                    sms_before=sms_before,
                )
            )
        state.last_attempt_id = attempts[-1]["pk"]
        state.observed += len(attempts)
    return state.policy


def is_exploration(entry_id: int, attempt_number: int, percent: int) -> bool:
    """Whether this attempt belongs to the evaluation sample (stable for entry and attempt)."""
    if percent <= 0:
        return False
    digest = hashlib.sha256(f"explore:{entry_id}:{attempt_number}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < percent


def exploration_day_part(entry_id: int, attempt_number: int, open_parts: Sequence[DayPart]):
    """The random day-part an evaluation-sample attempt waits for."""
    parts = sorted(set(open_parts))
    return random.Random(f"explore-part:{entry_id}:{attempt_number}").choice(parts)


@dataclass(frozen=True)
class RankedEntry:
    entry: QueueEntry
    scheduled_by: str
    key: tuple


def _common_key(candidate: Candidate, *, agent_id, now, tier: int, score: float) -> tuple:
    """One key shape for every campaign, so entries of campaigns with different policies merge:
    callbacks > crisis > deadline (as ``BaselinePolicy``) > tier > score > oldest."""
    return (
        *urgency_key(candidate, agent_id=agent_id, now=now),
        tier,
        -score,
        candidate.entered_at,
        candidate.key,
    )


def rank_entries(
    entries: Sequence[QueueEntry],
    candidates: dict[int, Candidate],
    *,
    campaigns: dict[int, Campaign],
    calendars: dict[int, CallingCalendar],
    agent_id: int | None,
    now: dt.datetime,
) -> list[RankedEntry]:
    """Order the ready entries of the agent's open campaigns, best first."""
    if any(c.scheduling_policy == SchedulingPolicy.ADAPTIVE for c in campaigns.values()):
        with _LOCK:
            ranked = _rank_locked(entries, candidates, campaigns, calendars, agent_id, now)
    else:  # the fixed rotation shares no state: no need to queue behind other claims
        ranked = _rank_locked(entries, candidates, campaigns, calendars, agent_id, now)
    ranked.sort(key=lambda item: item.key)
    return ranked


def _rank_locked(entries, candidates, campaigns, calendars, agent_id, now) -> list[RankedEntry]:
    ranked: list[RankedEntry] = []
    slots: dict[int, SlotContext] = {}
    policies: dict[int, AdaptivePolicy] = {}
    part = day_part(now)
    for entry in entries:
        campaign = campaigns[entry.campaign_id]
        candidate = candidates[entry.pk]
        if campaign.scheduling_policy != SchedulingPolicy.ADAPTIVE:
            tier = int(part in candidate.day_parts_tried)
            key = _common_key(candidate, agent_id=agent_id, now=now, tier=tier, score=0.0)
            ranked.append(RankedEntry(entry, ScheduledBy.BASELINE, key))
            continue
        if campaign.pk not in slots:
            slots[campaign.pk] = SlotContext(
                now=now,
                day_part=part,
                upcoming=upcoming_slots(calendars[campaign.pk], now, LOOKAHEAD_DAYS),
            )
        slot = slots[campaign.pk]
        if campaign.municipality_id not in policies:
            policies[campaign.municipality_id] = _learned_policy_locked(
                campaign.municipality_id, now
            )
        policy = policies[campaign.municipality_id]
        wants = policy.wants_call(candidate, slot=slot)
        score = policy.score(candidate, slot=slot) if wants else None
        scheduled_by = ScheduledBy.ADAPTIVE
        if is_exploration(entry.pk, entry.attempts + 1, campaign.exploration_percent):
            scheduled_by = ScheduledBy.EXPLORATION
            open_parts = [part, *(later for _, later in slot.upcoming)]
            wants = exploration_day_part(entry.pk, entry.attempts + 1, open_parts) == part
            score = None
        if score is None:
            score = policy.answer_chance(candidate, part, now)
        tier = 0 if wants else 1
        key = _common_key(candidate, agent_id=agent_id, now=now, tier=tier, score=score)
        ranked.append(RankedEntry(entry, scheduled_by, key))
    return ranked


@dataclass(frozen=True)
class GroupRate:
    label: str
    attempts: int
    answered: int

    @property
    def rate(self) -> float | None:
        return self.answered / self.attempts if self.attempts else None

    @property
    def percent(self) -> float | None:
        return None if self.rate is None else 100 * self.rate


def evaluation(
    municipality_ids, *, campaign_id: int | None = None, since: dt.datetime | None = None
) -> dict[str, GroupRate]:
    """Answer rate (right-party contact per dial) of outbound attempts per scheduling rule: the
    evaluation sample's rate is the honest comparison for the learning schedule's."""
    attempts = ContactAttempt.objects.filter(
        municipality_id__in=list(municipality_ids),
        kind=ContactAttempt.Kind.PHONE,
        direction=ContactAttempt.Direction.OUTBOUND,
        outcome__isnull=False,
    ).exclude(scheduled_by="")
    if campaign_id is not None:
        attempts = attempts.filter(campaign_id=campaign_id)
    if since is not None:
        attempts = attempts.filter(occurred_at__gte=since)
    counts = {
        row["scheduled_by"]: row
        for row in attempts.values("scheduled_by")
        .annotate(
            attempts=Count("pk"), answered=Count("pk", filter=Q(outcome__right_party_contact=True))
        )
        .order_by()
    }
    empty = {"attempts": 0, "answered": 0}
    return {
        choice.value: GroupRate(
            choice.label,
            counts.get(choice.value, empty)["attempts"],
            counts.get(choice.value, empty)["answered"],
        )
        for choice in ScheduledBy
    }
