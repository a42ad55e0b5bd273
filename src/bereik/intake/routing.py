"""Routing new cases by the municipality's rules (``RoutingRule``, data the coordinator edits).

Rules are tried in order. ``urgent`` marks the case due within N working days (Dutch public
holidays excluded) and goes on; the first other matching rule decides the queue or closes the
case. When no rule decides, a case with a valid number goes to the call queue, otherwise to
enrichment. Repeat signals (see ``bereik.cases.matching``) close a case before any rule.

Only cases that are new, or that were closed as not picked up in this matching period and now
received a fresh signal, are routed; cases already being worked keep their state (a crisis
signal still marks them urgent).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

import holidays
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from bereik.cases.bulk import one_of
from bereik.cases.matching import (
    NOT_PICKED_UP_RESULTS,
    RESULT_REPEAT,
    RESULT_UNJUSTIFIED,
    STATUS_UNJUSTIFIED,
    CaseAssessment,
)
from bereik.cases.models import Case, Signal
from bereik.cases.workflow import CaseState, case_urgency_raised, transition_many

from .models import RoutingRule

Rule = RoutingRule
DEFAULT_RULES = (
    {"condition": Rule.Condition.CRISIS, "action": Rule.Action.URGENT, "due_working_days": 3},
    {
        "condition": Rule.Condition.TOTAL_BELOW,
        "amount": Decimal(75),
        "action": Rule.Action.NOT_PICKED_UP,
    },
    {
        "condition": Rule.Condition.TOTAL_ABOVE,
        "amount": Decimal(2000),
        "action": Rule.Action.SOCIAL_WORK,
    },
    {"condition": Rule.Condition.VALID_PHONE, "action": Rule.Action.CALL_QUEUE},
    {"condition": Rule.Condition.NO_VALID_PHONE, "action": Rule.Action.ENRICHMENT},
)
_TARGETS = {
    Rule.Action.NOT_PICKED_UP: (CaseState.CLOSED, RESULT_UNJUSTIFIED),
    Rule.Action.SOCIAL_WORK: (CaseState.SOCIAL_WORK_QUEUE, ""),
    Rule.Action.CALL_QUEUE: (CaseState.CALL_QUEUE, ""),
    Rule.Action.ENRICHMENT: (CaseState.ENRICHMENT, ""),
}
_OUTCOME_KEYS = {RESULT_REPEAT: "closed_repeat", RESULT_UNJUSTIFIED: "closed_unjustified"}
PICKED_UP_STATES = (CaseState.CALL_QUEUE, CaseState.ENRICHMENT, CaseState.SOCIAL_WORK_QUEUE)


def ensure_default_rules(municipality) -> None:
    """Seed the default rules the first time a municipality's rules are needed."""
    if not RoutingRule.objects.filter(municipality=municipality).exists():
        RoutingRule.objects.bulk_create(
            [
                RoutingRule(municipality=municipality, position=(index + 1) * 10, **rule)
                for index, rule in enumerate(DEFAULT_RULES)
            ]
        )


@lru_cache(maxsize=32)
def _dutch_holidays(year: int):
    return holidays.country_holidays("NL", years=year)


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _dutch_holidays(day.year)


def add_working_days(day: datetime.date, count: int) -> datetime.date:
    """``count`` working days after ``day``; weekends and Dutch public holidays skipped."""
    while count > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def _matches(rule: RoutingRule, case: CaseAssessment) -> bool:
    condition = rule.condition
    if condition == Rule.Condition.TOTAL_BELOW:
        return rule.amount is not None and case.total < rule.amount
    if condition == Rule.Condition.TOTAL_ABOVE:
        return rule.amount is not None and case.total > rule.amount
    if condition == Rule.Condition.CRISIS:
        return case.is_crisis
    if condition == Rule.Condition.WARM_HANDOVER:
        return case.warm_handover
    if condition == Rule.Condition.VALID_PHONE:
        return case.has_valid_phone
    if condition == Rule.Condition.NO_VALID_PHONE:
        return not case.has_valid_phone
    return condition == Rule.Condition.ALWAYS


@dataclass(frozen=True)
class Decision:
    state: CaseState
    end_result: str
    reason: str
    due_working_days: int | None


def decide(case: CaseAssessment, rules: list[RoutingRule], reasons: dict | None = None) -> Decision:
    if case.all_repeat:
        return Decision(CaseState.CLOSED, RESULT_REPEAT, _("Intake: repeat signal"), None)
    due = None
    for rule in rules:
        if not rule.is_active or not _matches(rule, case):
            continue
        if rule.action == Rule.Action.URGENT:
            due = rule.due_working_days if rule.due_working_days is not None else 3
            continue
        state, end_result = _TARGETS[rule.action]
        reason = (reasons or {}).get(rule.pk) or _("Intake rule: %(rule)s") % {"rule": rule}
        return Decision(state, end_result, reason, due)
    state = CaseState.CALL_QUEUE if case.has_valid_phone else CaseState.ENRICHMENT
    return Decision(state, "", _("Intake: no rule applied"), due)


@dataclass
class RoutingSummary:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, count: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + count


def route(
    assessments: list[CaseAssessment],
    rules,
    *,
    municipality,
    today,
    actor,
    summary,
    store_created,
    mark_signals,
):
    """Apply decisions to one chunk of assessed cases, through ``transition_many``.

    Cases the run created are not stored yet: ``store_created({case_id: fields})`` (the
    matcher's) stores them with the fields decided here, already in their target state; their
    timeline entry, announcement and share of the batch's audit entry come from
    ``transition_many``'s ``entered_ids``, as if they had been stored as "new" and moved.
    Signals the assessment knows by fingerprint (this run's, of residents it made) get their
    status through ``mark_signals(fingerprints, status)`` (the matcher's)."""
    created: dict[int, dict] = {}
    entered: dict[tuple, list[int]] = {}
    reopen: list[int] = []
    moves: dict[tuple, list[int]] = {}
    urgent: dict[datetime.date, list[int]] = {}
    crisis: list[int] = []
    picked_up: list[int] = []
    unjustified_signals: list[int] = []
    unjustified_fingerprints: list[str] = []
    reasons = {rule.pk: _("Intake rule: %(rule)s") % {"rule": rule} for rule in rules}
    for case in assessments:
        routable = case.state == CaseState.NEW or (
            case.state == CaseState.CLOSED and case.end_result in NOT_PICKED_UP_RESULTS
        )
        decision = decide(case, rules, reasons)
        due_on = None
        if decision.due_working_days is not None:
            due_on = add_working_days(today, decision.due_working_days)
        if case.created:  # new, hence routable
            created[case.case_id] = {
                "state": decision.state.value,
                "end_result": decision.end_result,
                "is_crisis": case.is_crisis,
                "due_on": due_on,
                "picked_up_on": today if decision.state in PICKED_UP_STATES else None,
            }
        else:
            if case.is_crisis:
                crisis.append(case.case_id)
            if due_on is not None:
                urgent.setdefault(due_on, []).append(case.case_id)
            if routable and decision.state in PICKED_UP_STATES:
                picked_up.append(case.case_id)
        if not routable:
            continue
        if case.state == CaseState.CLOSED:
            if decision.state == CaseState.CLOSED and decision.end_result == case.end_result:
                continue
            reopen.append(case.case_id)
        move = (decision.state, decision.end_result, decision.reason)
        # Every group keeps one audit entry (and its place in the order), whether its cases were
        # moved or entered directly.
        moves.setdefault(move, [])
        (entered.setdefault(move, []) if case.created else moves[move]).append(case.case_id)
        if decision.end_result == RESULT_UNJUSTIFIED:
            unjustified_signals.extend(case.signal_ids)
            unjustified_fingerprints.extend(case.signal_fingerprints)
        summary.add(_OUTCOME_KEYS.get(decision.end_result, decision.state.value))
    with transaction.atomic():
        if created:
            store_created(created)
        if reopen:
            transition_many(
                reopen,
                CaseState.NEW,
                municipality=municipality,
                actor=actor,
                reason=_("Intake: new signal in the same matching period"),
            )
        for (state, end_result, reason), case_ids in moves.items():
            transition_many(
                case_ids,
                state,
                municipality=municipality,
                actor=actor,
                reason=reason[:200],
                end_result=end_result,
                entered_ids=entered.get((state, end_result, reason), ()),
            )
        if crisis:
            Case.objects.filter(one_of("pk", crisis)).update(is_crisis=True)
        for due_on, case_ids in urgent.items():
            Case.objects.filter(
                Q(due_on__isnull=True) | Q(due_on__gt=due_on), one_of("pk", case_ids)
            ).update(due_on=due_on)
        if crisis or urgent:
            case_urgency_raised.send(sender=Case, crisis_ids=crisis, due_on=urgent)
        if picked_up:
            Case.objects.filter(one_of("pk", picked_up), picked_up_on__isnull=True).update(
                picked_up_on=today
            )
        if unjustified_signals:
            Signal.objects.filter(one_of("pk", unjustified_signals)).update(
                status=STATUS_UNJUSTIFIED
            )
        if unjustified_fingerprints:
            mark_signals(unjustified_fingerprints, STATUS_UNJUSTIFIED)
