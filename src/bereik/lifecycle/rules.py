"""Evaluation of the re-approach and escalation rules (docs/lifecycle.md, "Rules").

``candidates(rule, today)`` reads the municipality's cases and returns what the rule would
propose; it changes nothing. ``services.apply_rules`` stores them as proposals, once per trigger.

A *refusal* is the resident's last conversation (a reached attempt) ending without a help request
for "no interest" or "other"; paid, solved or already helped elsewhere are not refusals.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from bereik.cases.models import Case, Signal
from bereik.cases.results import EndResult
from bereik.cases.workflow import CaseState
from bereik.outreach.models import ContactAttempt
from bereik.privacy.selectors import add_months, residents_with_objection

from . import months
from .models import LifecycleRule, Proposal, RuleKind
from .selectors import arrears_of, unreached_cases

S = CaseState
REFUSAL_REASONS = (
    ContactAttempt.NoHelpReason.NO_INTEREST,
    ContactAttempt.NoHelpReason.OTHER,
    "",
)
# The states a resident's newest case may be in for a proposal to make sense: not already with
# the social workers, and not closed with a result that settles it.
OPEN_TARGET_STATES = (
    S.NEW,
    S.ENRICHMENT,
    S.LETTER_OR_VISIT,
    S.CALL_QUEUE,
    S.EXHAUSTED,
    S.REACHED_NO_HELP,
)
CLOSED_TARGET_RESULTS = (EndResult.NO_HELP_WANTED, EndResult.NO_CONTACT)


@dataclass
class Candidate:
    action: str
    resident_id: int
    case_id: int
    trigger_key: str
    facts: dict


@dataclass
class Refusal:
    attempt_id: int
    case_id: int
    resident_id: int
    reference: str
    matching_period: dt.date
    on: dt.date
    reason: str


@dataclass
class NewestCase:
    pk: int
    reference: str
    state: str
    end_result: str
    matching_period: dt.date

    @property
    def is_target(self) -> bool:
        if self.state == S.CLOSED:
            return self.end_result in CLOSED_TARGET_RESULTS
        return self.state in OPEN_TARGET_STATES


def _refusals(municipality) -> dict[int, Refusal]:
    """Resident id -> their refusal, for residents whose last conversation was one."""
    last: dict[int, tuple] = {}
    attempts = (
        ContactAttempt.objects.filter(municipality=municipality, reached=True)
        .order_by("occurred_at", "pk")
        .values_list(
            "pk",
            "case_id",
            "case__resident_id",
            "case__reference",
            "case__matching_period",
            "occurred_at",
            "help_requested",
            "no_help_reason",
        )
    )
    for row in attempts.iterator(chunk_size=2000):
        last[row[2]] = row
    refusals = {}
    for resident_id, row in last.items():
        pk, case_id, _res, reference, period, occurred_at, help_requested, reason = row
        if help_requested is False and reason in REFUSAL_REASONS:
            refusals[resident_id] = Refusal(
                attempt_id=pk,
                case_id=case_id,
                resident_id=resident_id,
                reference=reference,
                matching_period=period,
                on=timezone.localdate(occurred_at),
                reason=reason,
            )
    return refusals


def _newest_cases(municipality, resident_ids) -> dict[int, NewestCase]:
    newest = {}
    rows = (
        Case.objects.filter(municipality=municipality, resident_id__in=list(resident_ids))
        .order_by("matching_period", "pk")
        .values_list("resident_id", "pk", "reference", "state", "end_result", "matching_period")
    )
    for resident_id, *fields in rows:
        newest[resident_id] = NewestCase(*fields)
    return newest


def _re_approach(rule: LifecycleRule, today: dt.date) -> list[Candidate]:
    refusals = _refusals(rule.municipality)
    objecting = residents_with_objection(refusals)
    newest = _newest_cases(rule.municipality, refusals)
    later_signals: dict[int, tuple] = {}
    for resident_id, signal_date, partner_type in (
        Signal.objects.filter(municipality=rule.municipality, resident_id__in=list(refusals))
        .order_by("signal_date", "pk")
        .values_list("resident_id", "signal_date", "partner_type")
    ):
        refusal = refusals[resident_id]
        if signal_date > refusal.on and resident_id not in later_signals:
            later_signals[resident_id] = (signal_date, partner_type)
    found = []
    for resident_id, refusal in refusals.items():
        case = newest.get(resident_id)
        if resident_id in objecting or case is None or not case.is_target:
            continue
        facts = {
            "refused_case": refusal.reference,
            "refused_on": refusal.on.isoformat(),
            "no_help_reason": refusal.reason,
            "case": case.reference,
            "case_state": case.state,
        }
        if resident_id in later_signals:
            signal_date, partner_type = later_signals[resident_id]
            facts.update(
                trigger="new_signal",
                signal_date=signal_date.isoformat(),
                partner_type=partner_type,
            )
        elif today >= add_months(refusal.on, rule.months):
            facts.update(trigger="months", months=rule.months)
        else:
            continue
        found.append(
            Candidate(
                action=Proposal.Action.RE_APPROACH,
                resident_id=resident_id,
                case_id=case.pk,
                trigger_key=f"refusal:{refusal.attempt_id}",
                facts=facts,
            )
        )
    return found


def _unreached(rule: LifecycleRule, today: dt.date) -> list[Candidate]:
    periods: dict[int, dict[dt.date, str]] = {}
    for resident_id, period, reference in unreached_cases(rule.municipality).values_list(
        "resident_id", "matching_period", "reference"
    ):
        periods.setdefault(resident_id, {})[period] = reference
    newest = _newest_cases(rule.municipality, periods)
    needed = max(rule.months, 2)
    found = []
    for resident_id, unreached in periods.items():
        case = newest[resident_id]
        if case.matching_period not in unreached or not case.is_target:
            continue
        run = [case.matching_period]
        while months.previous_month(run[-1]) in unreached:
            run.append(months.previous_month(run[-1]))
        if len(run) < needed:
            continue
        run.reverse()
        found.append(
            Candidate(
                action=Proposal.Action.REFERRAL,
                resident_id=resident_id,
                case_id=case.pk,
                trigger_key=f"unreached:{case.pk}",
                facts={
                    "trigger": "unreached",
                    "consecutive_months": len(run),
                    "months": [f"{period:%Y-%m}" for period in run],
                    "cases": [unreached[period] for period in run],
                    "case": case.reference,
                    "case_state": case.state,
                },
            )
        )
    return found


def _growing_arrears(rule: LifecycleRule, today: dt.date) -> list[Candidate]:
    if rule.arrears_threshold is None:
        return []
    refusals = _refusals(rule.municipality)
    newest = _newest_cases(rule.municipality, refusals)
    later = {
        resident_id: case
        for resident_id, case in newest.items()
        if case.matching_period > refusals[resident_id].matching_period and case.is_target
    }
    amounts = arrears_of(
        [case.pk for case in later.values()] + [refusals[r].case_id for r in later]
    )
    found = []
    for resident_id, case in later.items():
        refusal = refusals[resident_id]
        then = amounts.get(refusal.case_id) or Decimal(0)
        now = amounts.get(case.pk) or Decimal(0)
        if now <= rule.arrears_threshold or now <= then:
            continue
        found.append(
            Candidate(
                action=Proposal.Action.REFERRAL,
                resident_id=resident_id,
                case_id=case.pk,
                trigger_key=f"arrears:{refusal.attempt_id}:{case.pk}",
                facts={
                    "trigger": "growing_arrears",
                    "refused_case": refusal.reference,
                    "refused_on": refusal.on.isoformat(),
                    "arrears_then": f"{then:.2f}",
                    "arrears_now": f"{now:.2f}",
                    "threshold": f"{rule.arrears_threshold:.2f}",
                    "case": case.reference,
                    "case_state": case.state,
                },
            )
        )
    return found


EVALUATORS = {
    RuleKind.RE_APPROACH_REFUSER: _re_approach,
    RuleKind.REFER_UNREACHED: _unreached,
    RuleKind.REFER_GROWING_ARREARS: _growing_arrears,
}


def candidates(rule: LifecycleRule, today: dt.date) -> list[Candidate]:
    return EVALUATORS[RuleKind(rule.kind)](rule, today)
