"""Scheduling policies: today's practice, a learning policy, and an oracle for reports.

All three implement ``outreach.scheduling.LearningPolicy`` on the production ``Candidate``,
``SlotContext`` and ``Observation``; the simulator (``engine``) and the production call queue
(``outreach.learning``) drive the same objects. Policies see only those; the hidden answer
behaviour is not reachable from them. Only ``OraclePolicy``, an upper bound for reports, is given a
``TruthView`` explicitly.
"""

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from bereik.outreach.scheduling import (
    BaselinePolicy,
    Candidate,
    DayPart,
    LearningPolicy,
    Observation,
    SlotContext,
    age_band,
)

DAYTIME = frozenset({DayPart.MORNING, DayPart.AFTERNOON})
ANSWERED_OUTCOMES = frozenset({"bereikt", "verkeerd_persoon"})
UNANSWERED_OUTCOMES = frozenset({"geen_gehoor", "voicemail"})


def _called_in_this_day_part_today(candidate: Candidate, slot: SlotContext) -> bool:
    last = candidate.last_attempt_at
    return (
        last is not None
        and last.date() == slot.now.date()
        and candidate.last_day_part == slot.day_part
    )


class BaselineReachPolicy:
    """Today's practice: 7 attempts rotating day-parts, 2 daytime / 3 evening / 2 Saturday.

    Ranking is the production ``BaselinePolicy``; the rotation decides which day-part each next
    attempt waits for. No SMS, no learning.
    """

    name = "baseline"
    ROTATION: tuple[frozenset[DayPart], ...] = (
        DAYTIME,
        frozenset({DayPart.EVENING}),
        frozenset({DayPart.SATURDAY}),
        frozenset({DayPart.EVENING}),
        DAYTIME,
        frozenset({DayPart.EVENING}),
        frozenset({DayPart.SATURDAY}),
    )

    def __init__(self):
        self._ranking = BaselinePolicy()

    def rank(
        self, candidates: Sequence[Candidate], *, agent_id: int | None, now: dt.datetime
    ) -> list[Candidate]:
        return self._ranking.rank(candidates, agent_id=agent_id, now=now)

    def wants_call(self, candidate: Candidate, *, slot: SlotContext) -> bool:
        if _called_in_this_day_part_today(candidate, slot):
            return False
        target = self.ROTATION[candidate.attempts % len(self.ROTATION)]
        if slot.day_part in target:
            return True
        # The campaign has no such day-part left: any day-part will do.
        return not any(part in target for _, part in slot.upcoming)

    def sms_before(self, candidate: Candidate, *, slot: SlotContext) -> bool:
        return False

    def observe(self, observation: Observation) -> None:
        return None


class _Rate:
    """A Gamma posterior on a rate: answers over expected answers (exposure)."""

    __slots__ = ("exposure", "hits")

    def __init__(self):
        self.hits = 0.0
        self.exposure = 0.0


class AdaptivePolicy:
    """Learns online when to call whom, whether an SMS pays, and who gets scarce capacity.

    Model: the chance that resident *i* answers in day-part *d* is ``r[s, d] * k / (k + F + g*f_d)``
    where ``r[s, d]`` is the answer rate of a fresh resident of segment *s* (age band x number
    type, both observable) in day-part *d*, ``F`` the resident's unanswered dials so far and
    ``f_d`` those in day-part *d* (the resident's own evidence; ``k`` is the prior strength of the
    population's propensity spread). ``r`` has a Gamma posterior shrunk towards the day-part's
    rate over all segments; an SMS multiplies the chance by a learned per-segment factor. Each
    slot draws one Thompson sample of every rate, so uncertain day-parts and the SMS get tried.

    Decisions: dial now when now is within ``NEAR_BEST`` of the best day-part still ahead in the
    coming week (or the attempts left need every remaining slot); send an SMS when its expected
    extra answers exceed ``SMS_COST_IN_ANSWERS``; rank by expected answer now times how much
    better now is than later. No setting depends on the scenario.
    """

    name = "adaptive"
    PRIOR_STRENGTH = 1.2  # k: answer propensity varies strongly between people (DOMAIN §8)
    SAME_DAY_PART_WEIGHT = 1.0  # g: a failed day-part counts double for that day-part
    SEGMENT_PRIOR_DIALS = 10.0
    GLOBAL_PRIOR = (2.0, 5.0)  # Gamma(shape, rate): fresh answer rate around 0.4
    SMS_PRIOR = (3.0, 3.0)  # SMS factor around 1, wide
    SMS_COST_IN_ANSWERS = 0.01  # an SMS costs about a hundredth of a reached resident
    NEAR_BEST = 0.9
    LOOKAHEAD_DAYS = 7
    MAX_SMS = 2

    def __init__(self, seed: int = 0):
        self._rng = random.Random(f"reach-adaptive-{seed}")
        self._segment_rates: dict[tuple, _Rate] = defaultdict(_Rate)
        self._global_rates: dict[DayPart, _Rate] = defaultdict(_Rate)
        self._sms: dict[tuple, _Rate] = defaultdict(_Rate)
        self._failures: dict[int, dict[DayPart, int]] = defaultdict(dict)
        self._sample_at: dt.datetime | None = None
        self._sampled: dict[tuple, float] = {}
        self._scores: dict[int, float] = {}
        self._ahead_for: SlotContext | None = None
        self._ahead_parts: tuple[DayPart, ...] = ()

    # --- the model -------------------------------------------------------------------------

    def _segment(self, candidate: Candidate, on: dt.date) -> tuple[str, str]:
        return (age_band(candidate.birth_date, on), candidate.number_type)

    def _global_mean(self, part: DayPart) -> float:
        stats = self._global_rates[part]
        shape, rate = self.GLOBAL_PRIOR
        return (shape + stats.hits) / (rate + stats.exposure)

    def _rate_posterior(self, segment, part: DayPart) -> tuple[float, float]:
        stats = self._segment_rates[(segment, part)]
        prior_mean = self._global_mean(part)
        shape = self.SEGMENT_PRIOR_DIALS * prior_mean + stats.hits
        return shape, self.SEGMENT_PRIOR_DIALS + stats.exposure

    def _sms_posterior(self, segment, repeat: bool) -> tuple[float, float]:
        stats = self._sms[(segment, repeat)]
        shape, rate = self.SMS_PRIOR
        return shape + stats.hits, rate + stats.exposure

    def _sample(self, now: dt.datetime, key: tuple, posterior: tuple[float, float]) -> float:
        if self._sample_at != now:
            self._sample_at, self._sampled, self._scores = now, {}, {}
        if key not in self._sampled:
            shape, rate = posterior
            self._sampled[key] = self._rng.gammavariate(shape, 1 / rate)
        return self._sampled[key]

    def _rate(self, segment, part: DayPart, now: dt.datetime) -> float:
        return self._sample(now, ("rate", segment, part), self._rate_posterior(segment, part))

    def _sms_factor(self, segment, repeat: bool, now: dt.datetime) -> float:
        return self._sample(now, ("sms", segment, repeat), self._sms_posterior(segment, repeat))

    def _attenuation(self, key: int, part: DayPart) -> float:
        failures = self._failures.get(key, {})
        k = self.PRIOR_STRENGTH
        return k / (k + sum(failures.values()) + self.SAME_DAY_PART_WEIGHT * failures.get(part, 0))

    def chances(
        self, candidate: Candidate, parts: Iterable[DayPart], now: dt.datetime
    ) -> dict[DayPart, float]:
        """The (sampled) chance that the resident answers in each of ``parts``."""
        segment = self._segment(candidate, now.date())
        failures = self._failures.get(candidate.key, {})
        k = self.PRIOR_STRENGTH
        total = k + sum(failures.values())
        weight = self.SAME_DAY_PART_WEIGHT
        return {
            part: min(
                0.95, self._rate(segment, part, now) * k / (total + weight * failures.get(part, 0))
            )
            for part in parts
        }

    def answer_chance(self, candidate: Candidate, part: DayPart, now: dt.datetime) -> float:
        return self.chances(candidate, (part,), now)[part]

    def _sms_gain(self, candidate: Candidate, chance: float, now: dt.datetime) -> float:
        if candidate.sms_sent >= self.MAX_SMS:
            return 0.0
        segment = self._segment(candidate, now.date())
        factor = self._sms_factor(segment, candidate.sms_sent > 0, now)
        return min(0.95, chance * factor) - chance

    # --- decisions -------------------------------------------------------------------------

    def _ahead(self, slot: SlotContext) -> tuple[DayPart, ...]:
        """The day-parts that still come up within the look-ahead (cached per slot)."""
        if self._ahead_for is not slot:
            self._ahead_for = slot
            self._ahead_parts = tuple(
                sorted({part for days, part in slot.upcoming if days <= self.LOOKAHEAD_DAYS})
            )
        return self._ahead_parts

    def _score(self, candidate: Candidate, slot: SlotContext) -> float | None:
        """Expected answer now times how much better now is than the best moment ahead."""
        if candidate.key in self._scores and self._sample_at == slot.now:
            return self._scores[candidate.key]
        ahead = self._ahead(slot)
        chances = self.chances(candidate, (slot.day_part, *ahead), slot.now)
        now_chance = chances[slot.day_part]
        best_later = max((chances[part] for part in ahead), default=0.0)
        urgent = len(slot.upcoming) < 2 * candidate.attempts_left or candidate.is_crisis
        if best_later > 0 and now_chance < self.NEAR_BEST * best_later and not urgent:
            score = None
        else:
            relative = now_chance / best_later if best_later > 0 else 2.0
            score = now_chance * min(relative, 2.0)
        self._scores[candidate.key] = score
        return score

    def score(self, candidate: Candidate, *, slot: SlotContext) -> float | None:
        """How good now is for this resident (None: wait for a better day-part)."""
        return self._score(candidate, slot)

    def wants_call(self, candidate: Candidate, *, slot: SlotContext) -> bool:
        if _called_in_this_day_part_today(candidate, slot):
            return False
        return self._score(candidate, slot) is not None

    def sms_before(self, candidate: Candidate, *, slot: SlotContext) -> bool:
        chance = self.answer_chance(candidate, slot.day_part, slot.now)
        return self._sms_gain(candidate, chance, slot.now) > self.SMS_COST_IN_ANSWERS

    def rank(
        self, candidates: Sequence[Candidate], *, agent_id: int | None, now: dt.datetime
    ) -> list[Candidate]:
        def key(candidate):
            score = self._scores.get(candidate.key) if self._sample_at == now else None
            return (not candidate.is_crisis, -(score or 0.0), candidate.entered_at, candidate.key)

        return sorted(candidates, key=key)

    # --- learning --------------------------------------------------------------------------

    def observe(self, observation: Observation) -> None:
        if observation.outcome not in ANSWERED_OUTCOMES | UNANSWERED_OUTCOMES:
            return  # number not in service or unusable: says nothing about answering
        candidate = observation.candidate
        part = observation.day_part
        segment = self._segment(candidate, observation.at.date())
        answered = 1.0 if observation.outcome in ANSWERED_OUTCOMES else 0.0
        attenuation = self._attenuation(candidate.key, part)
        repeat = candidate.sms_sent > 0  # the candidate counts the SMS sent before this one
        sms_shape, sms_rate = self._sms_posterior(segment, repeat)
        sms_factor = sms_shape / sms_rate if observation.sms_before else 1.0
        exposure = attenuation * sms_factor
        for stats in (self._segment_rates[(segment, part)], self._global_rates[part]):
            stats.hits += answered
            stats.exposure += exposure
        if observation.sms_before:
            shape, rate = self._rate_posterior(segment, part)
            sms_stats = self._sms[(segment, repeat)]
            sms_stats.hits += answered
            sms_stats.exposure += min(0.95, shape / rate * attenuation)
        if not answered:
            failures = self._failures[candidate.key]
            failures[part] = failures.get(part, 0) + 1
        else:
            self._failures.pop(candidate.key, None)


class TruthView(Protocol):
    """The hidden answer model, as the simulator exposes it to the oracle only."""

    def reach_chance(self, key: int, *, day_part: DayPart, at: dt.datetime, sms: bool) -> float: ...


class OraclePolicy(AdaptivePolicy):
    """Knows every resident's true answer chance: the ceiling for reports, never for production.

    Same decisions as ``AdaptivePolicy`` with the true chance of right-party contact in place of
    the learned estimate (zero for numbers that are wrong or not in service).
    """

    name = "oracle"

    def __init__(self, truth: TruthView, seed: int = 0):
        super().__init__(seed)
        self._truth = truth

    def chances(
        self, candidate: Candidate, parts: Iterable[DayPart], now: dt.datetime
    ) -> dict[DayPart, float]:
        reach_chance = self._truth.reach_chance
        return {
            part: reach_chance(candidate.key, day_part=part, at=now, sms=False) for part in parts
        }

    def _sms_gain(self, candidate: Candidate, chance: float, now: dt.datetime) -> float:
        part = self._slot_part
        return self._truth.reach_chance(candidate.key, day_part=part, at=now, sms=True) - chance

    def _score(self, candidate: Candidate, slot: SlotContext) -> float | None:
        self._slot_part = slot.day_part
        if self._sample_at != slot.now:
            self._sample_at, self._sampled, self._scores = slot.now, {}, {}
        if self.answer_chance(candidate, slot.day_part, slot.now) <= 0:
            self._scores[candidate.key] = None
            return None
        return super()._score(candidate, slot)

    def sms_before(self, candidate: Candidate, *, slot: SlotContext) -> bool:
        self._slot_part = slot.day_part
        return super().sms_before(candidate, slot=slot)

    def observe(self, observation: Observation) -> None:
        return None


POLICY_NAMES = ("baseline", "adaptive", "oracle")


def make_policy(name: str, *, seed: int, truth: Callable[[], TruthView]) -> LearningPolicy:
    """A fresh policy. ``truth`` is called for the oracle only."""
    if name == "baseline":
        return BaselineReachPolicy()
    if name == "adaptive":
        return AdaptivePolicy(seed)
    if name == "oracle":
        return OraclePolicy(truth(), seed)
    raise ValueError(f"unknown policy {name!r}; expected one of {', '.join(POLICY_NAMES)}")
