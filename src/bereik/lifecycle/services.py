"""Writes of the lifecycle app: month-end closure and its undo, rules, proposals and the
partner-feedback exports. Every change is transactional and in the audit trail (no personal data
in the audit detail: counts, codes and ids)."""

import datetime as dt
from dataclasses import dataclass

import structlog
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from bereik.accounts.models import Organisation
from bereik.audit.models import AuditAction
from bereik.audit.services import record
from bereik.cases.models import Case
from bereik.cases.results import EndResult
from bereik.cases.workflow import (
    TRANSITIONS,
    CaseState,
    TransitionNotAllowed,
    transition,
    transition_many,
)
from bereik.outreach import services as outreach_services
from bereik.portal.downloads import csv_bytes, xlsx_bytes

from . import months, rules, selectors
from .models import ClosureBatch, ClosureItem, LifecycleRule, Proposal, RuleKind

logger = structlog.get_logger(__name__)
S = CaseState


class LifecycleError(Exception):
    """A refused action; ``message`` is for the user (Dutch in the UI and on the command line)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class MonthNotClosable(LifecycleError):
    pass


class MonthAlreadyClosed(LifecycleError):
    pass


class ConcurrentClosure(LifecycleError):
    pass


class UndoNotAllowed(LifecycleError):
    pass


def _month_label(month: dt.date) -> str:
    return formats.date_format(month, "F Y")


# --- month-end closure ------------------------------------------------------------------------


def parse_month(text: str) -> dt.date:
    try:
        return months.parse_month(text)
    except months.MalformedMonth:
        raise MonthNotClosable(
            _("“%(text)s” is not a month. Write the month as YYYY-MM, e.g. 2026-10.")
            % {"text": text}
        ) from None


def check_closable(month: dt.date, today: dt.date) -> None:
    """Raise ``MonthNotClosable`` for a month that has not reached its last working day."""
    opens = months.closable_from(month)
    if today < opens:
        raise MonthNotClosable(
            _(
                "%(month)s cannot be closed yet: it can be closed from its last working day, "
                "%(date)s."
            )
            % {"month": _month_label(month), "date": formats.date_format(opens, "j F Y")}
        )


def close_month(
    *, municipality: Organisation, month: dt.date, actor=None, now: dt.datetime | None = None
) -> ClosureBatch:
    """Close the cases of matching period ``month`` without contact or without a help request,
    as one batch that can be undone (see ``selectors.closure_plan`` for what is closed or skipped).

    A month can be closed again later: the new batch closes only what became closable since (a
    callback that was made, a proposal that was rejected). When nothing new is closable and the
    month already has a batch, ``MonthAlreadyClosed`` says so. Two closures at the same time: one
    wins, the other raises ``ConcurrentClosure`` or ``MonthAlreadyClosed`` and changes nothing.
    """
    now = now or timezone.now()
    check_closable(month, timezone.localdate(now))
    try:
        with transaction.atomic():
            # Serialise closures of one municipality (FOR NO KEY UPDATE does not block inserts
            # that merely reference the municipality).
            Organisation.objects.select_for_update(no_key=True).filter(pk=municipality.pk).first()
            plan = selectors.closure_plan(municipality, month, now)
            previous = selectors.active_batches(municipality, month).order_by("closed_at").first()
            if not plan.to_close and previous is not None:
                raise MonthAlreadyClosed(
                    _(
                        "%(month)s was already closed on %(date)s; there is nothing new to close "
                        "(%(skipped)d cases are still skipped)."
                    )
                    % {
                        "month": _month_label(month),
                        "date": formats.date_format(
                            timezone.localtime(previous.closed_at), "j F Y H:i"
                        ),
                        "skipped": len(plan.skipped),
                    }
                )
            batch = ClosureBatch.objects.create(
                municipality=municipality,
                month=month,
                closed_at=now,
                closed_by=actor if getattr(actor, "is_authenticated", False) else None,
                case_count=len(plan.to_close),
                counts=plan.counts(),
                skipped=plan.skipped_counts(),
            )
            queue_statuses = outreach_services.withdraw_from_queue(
                [item.case_id for item in plan.to_close if item.state == S.CALL_QUEUE], now
            )
            ClosureItem.objects.bulk_create(
                ClosureItem(
                    batch=batch,
                    case_id=item.case_id,
                    previous_state=item.state,
                    end_result=item.end_result,
                    reason=item.reason,
                    queue_status=queue_statuses.get(item.case_id, ""),
                )
                for item in plan.to_close
            )
            by_result: dict[str, list[int]] = {}
            for item in plan.to_close:
                by_result.setdefault(item.end_result, []).append(item.case_id)
            for end_result, case_ids in by_result.items():
                transition_many(
                    case_ids,
                    S.CLOSED,
                    municipality=municipality,
                    actor=actor,
                    reason=f"Maandafsluiting {month:%Y-%m}",
                    end_result=end_result,
                )
            record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=batch,
                detail={
                    "month": f"{month:%Y-%m}",
                    "cases": batch.case_count,
                    "counts": batch.counts,
                    "skipped": batch.skipped,
                },
            )
    except IntegrityError as error:
        raise ConcurrentClosure(
            _(
                "Another closure of %(month)s ran at the same moment and closed these cases; "
                "nothing was changed. Reload the page to see the result."
            )
            % {"month": _month_label(month)}
        ) from error
    logger.info(
        "month_closed",
        batch_id=batch.pk,
        municipality_id=municipality.pk,
        month=f"{month:%Y-%m}",
        cases=batch.case_count,
    )
    return batch


def check_undoable(batch: ClosureBatch, today: dt.date) -> None:
    if batch.undone_at is not None:
        raise UndoNotAllowed(
            _("This closure was already undone on %(date)s.")
            % {"date": formats.date_format(timezone.localtime(batch.undone_at), "j F Y H:i")}
        )
    deadline = months.undo_deadline(batch.month)
    if today > deadline:
        raise UndoNotAllowed(
            _("The closure of %(month)s can no longer be undone: that was possible until %(date)s.")
            % {
                "month": _month_label(batch.month),
                "date": formats.date_format(deadline, "j F Y"),
            }
        )


@dataclass
class UndoResult:
    restored: int
    kept: int


def undo_closure(*, batch: ClosureBatch, actor=None, now: dt.datetime | None = None) -> UndoResult:
    """Put every case of the batch back in the exact state it had, with its call-queue entry.

    A case that changed since the closure (reopened by a new signal, a confirmed referral) is left
    as it is and counted in ``kept``.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = ClosureBatch.objects.select_for_update().get(pk=batch.pk)
        check_undoable(locked, timezone.localdate(now))
        items = list(locked.items.filter(is_active=True))
        now_closed = {
            pk: (state, end_result)
            for pk, state, end_result in Case.objects.filter(
                pk__in=[item.case_id for item in items]
            ).values_list("pk", "state", "end_result")
        }
        restorable = [
            item for item in items if now_closed.get(item.case_id) == (S.CLOSED, item.end_result)
        ]
        by_state: dict[str, list[int]] = {}
        for item in restorable:
            by_state.setdefault(item.previous_state, []).append(item.case_id)
        for state, case_ids in by_state.items():
            transition_many(
                case_ids,
                CaseState(state),
                municipality=locked.municipality,
                actor=actor,
                reason=f"Maandafsluiting {locked.month:%Y-%m} ongedaan gemaakt",
            )
        outreach_services.return_to_queue(
            {item.case_id: item.queue_status for item in restorable if item.queue_status}
        )
        ClosureItem.objects.filter(pk__in=[item.pk for item in restorable]).update(restored=True)
        ClosureItem.objects.filter(batch=locked).update(is_active=False)
        locked.undone_at = now
        locked.undone_by = actor if getattr(actor, "is_authenticated", False) else None
        locked.restored_count = len(restorable)
        locked.kept_closed_count = len(items) - len(restorable)
        locked.save(update_fields=["undone_at", "undone_by", "restored_count", "kept_closed_count"])
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            detail={
                "undo": True,
                "month": f"{locked.month:%Y-%m}",
                "restored": locked.restored_count,
                "kept": locked.kept_closed_count,
            },
        )
    logger.info(
        "month_closure_undone",
        batch_id=batch.pk,
        restored=locked.restored_count,
        kept=locked.kept_closed_count,
    )
    return UndoResult(restored=locked.restored_count, kept=locked.kept_closed_count)


# --- rules ------------------------------------------------------------------------------------

RULE_FIELDS = ("purpose", "is_active", "months", "arrears_threshold", "refer_to")


def save_rule(*, municipality: Organisation, kind: str, values: dict, actor) -> LifecycleRule:
    """Create or change the municipality's rule of this kind. The purpose is required."""
    if not (values.get("purpose") or "").strip():
        raise LifecycleError(_("Describe the purpose of this rule: it is required."))
    if kind == RuleKind.REFER_GROWING_ARREARS and not values.get("arrears_threshold"):
        raise LifecycleError(_("Give the arrears threshold for this rule."))
    if kind == RuleKind.REFER_UNREACHED and (values.get("months") or 0) < 2:
        raise LifecycleError(_("Not reached in consecutive months needs at least 2 months."))
    with transaction.atomic():
        rule = (
            LifecycleRule.objects.select_for_update()
            .filter(municipality=municipality, kind=kind)
            .first()
        )
        created = rule is None
        if created:
            rule = LifecycleRule(municipality=municipality, kind=kind)
        changed = [
            name
            for name in RULE_FIELDS
            if name in values and (created or getattr(rule, name) != values[name])
        ]
        for name in RULE_FIELDS:
            if name in values:
                setattr(rule, name, values[name])
        rule.purpose = rule.purpose.strip()
        rule.updated_by = actor
        rule.save()
        record(
            actor=actor,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            obj=rule,
            detail={
                "kind": kind,
                "fields": changed,
                "is_active": rule.is_active,
                "months": rule.months,
                "arrears_threshold": str(rule.arrears_threshold or ""),
            },
        )
    return rule


def apply_rules(
    *, municipality: Organisation, today: dt.date | None = None, actor=None
) -> dict[str, int]:
    """Run the municipality's active rules and store new proposals. Idempotent: a trigger that
    already has a proposal (pending, confirmed or rejected) is not proposed again. Returns the
    number of new proposals per rule kind."""
    today = today or timezone.localdate()
    made: dict[str, int] = {}
    for rule in LifecycleRule.objects.filter(municipality=municipality, is_active=True):
        made[rule.kind] = 0
        pending = set(
            Proposal.objects.filter(
                municipality=municipality, status=Proposal.Status.PENDING
            ).values_list("case_id", "action")
        )
        for candidate in rules.candidates(rule, today):
            if (candidate.case_id, candidate.action) in pending:
                continue
            try:
                with transaction.atomic():
                    _proposal, created = Proposal.objects.get_or_create(
                        rule=rule,
                        resident_id=candidate.resident_id,
                        trigger_key=candidate.trigger_key,
                        defaults={
                            "municipality": municipality,
                            "action": candidate.action,
                            "case_id": candidate.case_id,
                            "facts": candidate.facts,
                        },
                    )
            except IntegrityError:  # the same trigger proposed by a concurrent run
                created = False
            if created:
                made[rule.kind] += 1
                pending.add((candidate.case_id, candidate.action))
    record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type=Proposal._meta.label_lower,
        organisation=municipality,
        detail={"rules_applied": sorted(made), "proposals": made},
    )
    logger.info("lifecycle_rules_applied", municipality_id=municipality.pk, proposals=made)
    return made


# --- proposals --------------------------------------------------------------------------------

WITH_SOCIAL_WORK = (S.SOCIAL_WORK_QUEUE, S.REACHED_HELP, S.HANDED_OVER, S.FOLLOW_UP)


def _require_note(note: str) -> str:
    note = (note or "").strip()
    if not note:
        raise LifecycleError(_("Write a note: why you confirm or reject this proposal."))
    return note


def _lock_pending(proposal: Proposal) -> Proposal:
    locked = (
        Proposal.objects.select_for_update()
        .select_related("rule", "municipality")
        .get(pk=proposal.pk)
    )
    if locked.status != Proposal.Status.PENDING:
        raise LifecycleError(
            _("This proposal was already %(status)s by someone else.")
            % {"status": locked.get_status_display().lower()}
        )
    return locked


def _re_approach(case: Case, proposal: Proposal, actor, note: str) -> None:
    state = CaseState(case.state)
    if state in WITH_SOCIAL_WORK:
        raise LifecycleError(_("The case is already with the social workers."))
    if S.SOCIAL_WORK_QUEUE not in TRANSITIONS[state]:
        raise LifecycleError(
            _("A case in the state “%(state)s” cannot go to the social workers.")
            % {"state": state.label}
        )
    if state == S.CALL_QUEUE:
        outreach_services.withdraw_from_queue([case.pk], timezone.now())
    transition(
        case, S.SOCIAL_WORK_QUEUE, actor=actor, reason=_("Renewed approach through social work")
    )
    found = selectors.handover_models()
    if found is not None:
        from bereik.handover.services import create_handover

        create_handover(case=case, actor=actor, summary=_("Re-approach: %(note)s") % {"note": note})


def _refer(case: Case, proposal: Proposal, actor) -> None:
    state = CaseState(case.state)
    reason = f"Verwijzing zonder contact: {proposal.rule.refer_to or 'bevestigd'}"[:200]
    if state in WITH_SOCIAL_WORK:
        raise LifecycleError(
            _("The case is with the social workers now; a referral without contact no longer fits.")
        )
    if state == S.CLOSED:
        if case.end_result == EndResult.REFERRAL_WITHOUT_CONTACT:
            raise LifecycleError(_("The case is already closed as a referral without contact."))
        # Reopen to the state the result stands for, then close with the referral.
        reopen_to = S.EXHAUSTED if case.end_result == EndResult.NO_CONTACT else S.REACHED_NO_HELP
        transition(case, reopen_to, actor=actor, reason=reason)
    elif state == S.CALL_QUEUE:
        outreach_services.withdraw_from_queue([case.pk], timezone.now())
    transition(
        case, S.CLOSED, actor=actor, reason=reason, end_result=EndResult.REFERRAL_WITHOUT_CONTACT
    )


def confirm_proposal(*, proposal: Proposal, actor, note: str) -> Proposal:
    """A coordinator's deliberate choice: carry the proposal out, recording who and why."""
    note = _require_note(note)
    with transaction.atomic():
        locked = _lock_pending(proposal)
        case = Case.objects.select_for_update().get(pk=locked.case_id)
        try:
            if locked.action == Proposal.Action.RE_APPROACH:
                _re_approach(case, locked, actor, note)
            else:
                _refer(case, locked, actor)
        except TransitionNotAllowed as error:
            raise LifecycleError(
                _("The case changed in the meantime and this step is no longer possible.")
            ) from error
        _decide(locked, Proposal.Status.CONFIRMED, actor, note)
    return locked


def reject_proposal(*, proposal: Proposal, actor, note: str) -> Proposal:
    note = _require_note(note)
    with transaction.atomic():
        locked = _lock_pending(proposal)
        _decide(locked, Proposal.Status.REJECTED, actor, note)
    return locked


def _decide(proposal: Proposal, status: str, actor, note: str) -> None:
    proposal.status = status
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.note = note
    proposal.save(update_fields=["status", "decided_by", "decided_at", "note"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=proposal,
        detail={
            "status": status,
            "action": proposal.action,
            "rule": proposal.rule.kind,
            "case": proposal.case_id,
        },
    )
    logger.info("lifecycle_proposal_decided", proposal_id=proposal.pk, status=status)


# --- partner feedback -------------------------------------------------------------------------

FEEDBACK_HEADER = ["signaal_id", "status"]
WRONG_NUMBER_HEADER = ["label", "geleverd", "onjuist", "percentage_onjuist"]


@dataclass
class Download:
    filename: str
    content_type: str
    content: bytes


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _file(name: str, fmt: str, header, rows, title: str) -> Download:
    if fmt == "xlsx":
        content = xlsx_bytes(header, rows, title=title)
    else:
        fmt = "csv"
        content = csv_bytes(header, rows)
    return Download(filename=f"{name}.{fmt}", content_type=CONTENT_TYPES[fmt], content=content)


def _slug(text: str) -> str:
    from django.utils.text import slugify

    return slugify(text)[:60] or "partner"


def export_partner_feedback(
    *, municipality: Organisation, partner: str, month: dt.date, fmt: str, actor
) -> Download:
    """The feedback file for one partner: per signal only its ID and opgepakt / niet opgepakt."""
    feedback = selectors.partner_feedback(municipality, partner, month)
    download = _file(
        f"terugkoppeling-{_slug(partner)}-{month:%Y-%m}",
        fmt,
        FEEDBACK_HEADER,
        feedback.rows,
        title="Terugkoppeling",
    )
    record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="lifecycle.partnerfeedback",
        organisation=municipality,
        detail={
            "file": "partner_feedback",
            "month": f"{month:%Y-%m}",
            "format": download.filename.rsplit(".", 1)[1],
            "rows": len(feedback.rows),
        },
    )
    return download


def export_wrong_numbers(
    *, municipality: Organisation, month: dt.date, fmt: str, actor
) -> Download:
    rows = [
        (row.label, row.delivered, row.wrong, f"{row.percentage}".replace(".", ","))
        for row in selectors.wrong_numbers(municipality, month)
    ]
    download = _file(
        f"onjuiste-nummers-{month:%Y-%m}", fmt, WRONG_NUMBER_HEADER, rows, title="Onjuiste nummers"
    )
    record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="lifecycle.wrongnumbers",
        organisation=municipality,
        detail={
            "file": "wrong_numbers",
            "month": f"{month:%Y-%m}",
            "format": download.filename.rsplit(".", 1)[1],
            "rows": len(rows),
        },
    )
    return download
