"""Reads of the lifecycle app: what a month-end closure would do, closure history, rules,
proposals, and the feedback files for signal partners. Everything is scoped to one municipality
the caller obtained through ``bereik.accounts.access``."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from bereik.accounts.models import Organisation
from bereik.cases.models import Case, Signal
from bereik.cases.results import EndResult
from bereik.cases.workflow import CaseState
from bereik.outreach.models import Callback, ContactAttempt, QueueEntry
from bereik.reporting import selectors as reporting_selectors

from . import months
from .models import ClosureBatch, ClosureItem, LifecycleRule, Proposal

S = CaseState

# States the month-end closure closes; every other open state is left alone (help requests,
# handovers and follow-up end with the social workers' result).
NO_CONTACT_STATES = (S.CALL_QUEUE, S.EXHAUSTED, S.ENRICHMENT, S.LETTER_OR_VISIT)
CLOSABLE_STATES = (*NO_CONTACT_STATES, S.REACHED_NO_HELP)
OUT_OF_SCOPE_STATES = (S.NEW, S.SOCIAL_WORK_QUEUE, S.REACHED_HELP, S.HANDED_OVER, S.FOLLOW_UP)

CLOSE_REASONS = {
    "call_queue": _("In the call queue, never spoken to"),
    "exhausted": _("All call attempts used, not reached"),
    "enrichment": _("No usable phone number (enrichment)"),
    "letter_or_visit": _("Letter or home visit without reaction"),
    "paid_or_arranged": _("Reached: paid or made a payment arrangement"),
    "no_help_wanted": _("Reached: does not want help"),
}
SKIP_REASONS = {
    "callback": _("A callback is agreed and not yet made"),
    "appointment": _("An appointment with a social worker is booked"),
    "handover": _("An open handover to the social workers"),
    "being_called": _("An agent is calling this resident right now"),
    "spoken_to": _("The resident was spoken to; the conversation is not finished"),
    "proposal": _("A re-approach or referral proposal waits for review"),
}


def handover_models():
    """The handover app's models, or ``None`` when that app is not installed."""
    try:
        from bereik.handover.models import Appointment, Handover
    except ImportError:  # pragma: no cover - the app is part of the installation
        return None
    return Appointment, Handover


# --- month-end closure ------------------------------------------------------------------------


@dataclass
class PlannedCase:
    case_id: int
    reference: str
    state: str
    reason: str
    end_result: str = ""

    @property
    def reason_label(self):
        return CLOSE_REASONS.get(self.reason) or SKIP_REASONS.get(self.reason, self.reason)

    @property
    def state_label(self):
        return CaseState(self.state).label


@dataclass
class ClosurePlan:
    municipality: Organisation
    month: dt.date
    to_close: list[PlannedCase] = field(default_factory=list)
    skipped: list[PlannedCase] = field(default_factory=list)
    left_open: dict[str, int] = field(default_factory=dict)  # state -> count, not in scope

    def counts(self) -> dict[str, int]:
        """End result -> number of cases, in the order of ``EndResult``."""
        counter = Counter(item.end_result for item in self.to_close)
        return {result.value: counter[result.value] for result in EndResult if counter[result]}

    def skipped_counts(self) -> dict[str, int]:
        return dict(Counter(item.reason for item in self.skipped))

    def counts_display(self) -> list[tuple[str, int]]:
        return [(EndResult(value).label, count) for value, count in self.counts().items()]

    def skipped_display(self) -> list[tuple[str, int]]:
        return [(SKIP_REASONS[reason], count) for reason, count in self.skipped_counts().items()]

    def left_open_display(self) -> list[tuple[str, int]]:
        return [(CaseState(state).label, count) for state, count in self.left_open.items()]


def _no_help_results(case_ids: list[int]) -> dict[int, str]:
    """End result per reached-without-help case, from the last conversation's reason."""
    results = {}
    attempts = (
        ContactAttempt.objects.filter(case_id__in=case_ids, reached=True)
        .order_by("case_id", "occurred_at", "pk")
        .values_list("case_id", "help_requested", "no_help_reason")
    )
    for case_id, help_requested, reason in attempts:
        if help_requested is False or case_id not in results:
            paid = reason == ContactAttempt.NoHelpReason.PAID_OR_ARRANGED
            results[case_id] = EndResult.PAID_OR_ARRANGED if paid else EndResult.NO_HELP_WANTED
    return results


def _blocking_reasons(cases: QuerySet, now: dt.datetime) -> dict[int, str]:
    """Case id -> why the month-end closure must leave the case open (first reason found)."""
    reasons: dict[int, str] = {}

    def mark(case_ids, reason):
        for case_id in case_ids:
            reasons.setdefault(case_id, reason)

    case_ids = cases.values("pk")
    mark(
        Callback.objects.filter(
            entry__case_id__in=case_ids, fulfilled_at__isnull=True, cancelled_at__isnull=True
        ).values_list("entry__case_id", flat=True),
        "callback",
    )
    found = handover_models()
    if found is not None:
        appointment_model, handover_model = found
        mark(
            appointment_model.objects.filter(
                case_id__in=case_ids, cancelled_at__isnull=True
            ).values_list("case_id", flat=True),
            "appointment",
        )
        mark(
            handover_model.objects.filter(
                case_id__in=case_ids, status__in=handover_model.ACTIVE
            ).values_list("case_id", flat=True),
            "handover",
        )
    mark(
        QueueEntry.objects.filter(
            case_id__in=case_ids, locked_by__isnull=False, locked_until__gt=now
        ).values_list("case_id", flat=True),
        "being_called",
    )
    mark(
        ContactAttempt.objects.filter(
            Q(reached=True) | Q(outcome__right_party_contact=True),
            case_id__in=cases.filter(state=S.CALL_QUEUE).values("pk"),
        ).values_list("case_id", flat=True),
        "spoken_to",
    )
    mark(
        Proposal.objects.filter(case_id__in=case_ids, status=Proposal.Status.PENDING).values_list(
            "case_id", flat=True
        ),
        "proposal",
    )
    return reasons


def closure_plan(
    municipality: Organisation, month: dt.date, now: dt.datetime | None = None
) -> ClosurePlan:
    """What closing ``month`` (a matching period) would do now: the cases it closes with their
    end result and reason, the cases it skips and why, and the open cases out of its scope."""
    now = now or timezone.now()
    plan = ClosurePlan(municipality=municipality, month=month)
    period = Case.objects.filter(municipality=municipality, matching_period=month)
    cases = period.filter(state__in=CLOSABLE_STATES)
    blocked = _blocking_reasons(cases, now)
    rows = list(cases.order_by("reference").values_list("pk", "reference", "state"))
    no_help = _no_help_results([pk for pk, _ref, state in rows if state == S.REACHED_NO_HELP])
    for pk, reference, state in rows:
        if pk in blocked:
            plan.skipped.append(PlannedCase(pk, reference, state, blocked[pk]))
        elif state == S.REACHED_NO_HELP:
            result = no_help.get(pk, EndResult.NO_HELP_WANTED)
            reason = (
                "paid_or_arranged" if result == EndResult.PAID_OR_ARRANGED else "no_help_wanted"
            )
            plan.to_close.append(PlannedCase(pk, reference, state, reason, result.value))
        else:
            plan.to_close.append(
                PlannedCase(pk, reference, state, state, EndResult.NO_CONTACT.value)
            )
    for state, count in Counter(
        period.filter(state__in=OUT_OF_SCOPE_STATES).values_list("state", flat=True)
    ).items():
        plan.left_open[state] = count
    return plan


def active_batches(municipality: Organisation, month: dt.date) -> QuerySet[ClosureBatch]:
    return ClosureBatch.objects.filter(
        municipality=municipality, month=month, undone_at__isnull=True
    )


def batches(municipality: Organisation) -> QuerySet[ClosureBatch]:
    return ClosureBatch.objects.filter(municipality=municipality).select_related(
        "closed_by", "undone_by"
    )


def batch_items(batch: ClosureBatch) -> QuerySet[ClosureItem]:
    return batch.items.select_related("case").order_by("case__reference")


def month_is_closed(municipality: Organisation, month: dt.date) -> bool:
    return active_batches(municipality, month).exists()


def last_closable_month(today: dt.date) -> dt.date:
    """The most recent month that may be closed on ``today``."""
    this_month = today.replace(day=1)
    if today >= months.closable_from(this_month):
        return this_month
    return months.previous_month(this_month)


# --- rules and proposals ----------------------------------------------------------------------


def rules(municipality: Organisation) -> dict[str, LifecycleRule]:
    return {rule.kind: rule for rule in LifecycleRule.objects.filter(municipality=municipality)}


def pending_proposals(municipality_ids) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(
            municipality_id__in=municipality_ids, status=Proposal.Status.PENDING
        )
        .select_related("rule", "case", "resident", "municipality")
        .order_by("created_at", "pk")
    )


def decided_proposals(municipality_ids) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(municipality_id__in=municipality_ids)
        .exclude(status=Proposal.Status.PENDING)
        .select_related("rule", "case", "resident", "decided_by")
        .order_by("-decided_at", "-pk")
    )


# --- feedback to signal partners --------------------------------------------------------------

PICKED_UP = "opgepakt"
NOT_PICKED_UP = "niet opgepakt"


def partner_label(signal_source: str, partner_name: str) -> str:
    return partner_name or signal_source


def _period_signals(municipality: Organisation, month: dt.date) -> QuerySet[Signal]:
    return Signal.objects.filter(
        municipality=municipality, signal_date__gte=month, signal_date__lte=months.month_end(month)
    )


def partner_labels(municipality: Organisation) -> list[str]:
    """Every partner (its name, else the source it came from) that delivered signals."""
    labels = {
        partner_label(source, name)
        for source, name in Signal.objects.filter(municipality=municipality)
        .values_list("source", "partner_name")
        .distinct()
    }
    return sorted(label for label in labels if label)


def _of_partner(signals: QuerySet[Signal], partner: str) -> QuerySet[Signal]:
    return signals.filter(Q(partner_name=partner) | Q(partner_name="", source=partner))


@dataclass
class PartnerFeedback:
    rows: list[tuple[str, str]]  # (the partner's signal ID, opgepakt / niet opgepakt)
    without_id: int  # signals the partner delivered without an ID: they cannot be reported back


def partner_feedback(municipality: Organisation, partner: str, month: dt.date) -> PartnerFeedback:
    """Per signal of ``partner`` dated in ``month``: only whether it was picked up (DDAS: a partner
    learns *whether*, never why). Picked up = its case has a DDAS 'datum opgepakt'."""
    signals = _of_partner(_period_signals(municipality, month), partner)
    rows = []
    without_id = 0
    for external_id, picked_up_on in signals.order_by("external_id", "pk").values_list(
        "external_id", "case__picked_up_on"
    ):
        if not external_id:
            without_id += 1
            continue
        rows.append((external_id, PICKED_UP if picked_up_on else NOT_PICKED_UP))
    return PartnerFeedback(rows=rows, without_id=without_id)


def wrong_numbers(
    municipality: Organisation, month: dt.date
) -> list[reporting_selectors.WrongNumbers]:
    """Per partner label: the phone numbers delivered with its signals dated in ``month`` and how
    many turned out wrong; the one definition is ``bereik.reporting.selectors.wrong_numbers``."""
    return reporting_selectors.wrong_numbers(_period_signals(municipality, month))


def arrears_of(case_ids) -> dict[int, Decimal]:
    return dict(
        Signal.objects.filter(case_id__in=list(case_ids))
        .values("case_id")
        .annotate(total=Sum("amount"))
        .values_list("case_id", "total")
    )


def unreached_cases(municipality: Organisation) -> QuerySet[Case]:
    """Cases that ended without ever reaching the resident."""
    reached = ContactAttempt.objects.filter(case_id=OuterRef("pk"), reached=True)
    return (
        Case.objects.filter(municipality=municipality)
        .filter(Q(state=S.EXHAUSTED) | Q(state=S.CLOSED, end_result=EndResult.NO_CONTACT))
        .exclude(Exists(reached))
    )


def proposal_facts(proposal: Proposal) -> list[tuple[str, str]]:
    """The facts that triggered a proposal, as label/value pairs for the reviewer."""
    facts = proposal.facts or {}
    shown = []

    def day(text):
        return formats.date_format(dt.date.fromisoformat(text), "j F Y")

    def euro(text):
        return formats.number_format(Decimal(text), 2, use_l10n=True, force_grouping=True)

    def add(label, key, fmt=str):
        if facts.get(key) not in (None, "", []):
            shown.append((label, fmt(facts[key])))

    trigger = facts.get("trigger")
    if trigger == "new_signal":
        shown.append(
            (
                _("Why"),
                _("A new signal arrived after the resident refused help."),
            )
        )
        add(_("New signal dated"), "signal_date", day)
        add(_("Partner type"), "partner_type")
    elif trigger == "months":
        shown.append(
            (_("Why"), _("%(months)s months passed since the resident refused help.") % facts)
        )
    elif trigger == "unreached":
        shown.append(
            (
                _("Why"),
                _("Not reached in %(consecutive_months)s consecutive months.") % facts,
            )
        )
        add(_("Months"), "months", ", ".join)
        add(_("Cases"), "cases", ", ".join)
    elif trigger == "growing_arrears":
        shown.append((_("Why"), _("The arrears grew past the threshold after a refusal.")))
        add(_("Arrears at the refusal (EUR)"), "arrears_then", euro)
        add(_("Arrears now (EUR)"), "arrears_now", euro)
        add(_("Threshold (EUR)"), "threshold", euro)
    add(_("Refused help in case"), "refused_case")
    add(_("Refused on"), "refused_on", day)
    if facts.get("no_help_reason") is not None:
        reason = facts["no_help_reason"]
        label = (
            ContactAttempt.NoHelpReason(reason).label
            if reason in ContactAttempt.NoHelpReason.values
            else _("Not given")
        )
        shown.append((_("Reason given"), label))
    add(_("Case acted on"), "case")
    if facts.get("case_state"):
        shown.append((_("State when proposed"), CaseState(facts["case_state"]).label))
    return shown
