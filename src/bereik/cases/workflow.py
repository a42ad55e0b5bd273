"""The case state machine: every state, every allowed transition, and the one service that moves
a case. Other apps change a case's state only through ``transition``."""

from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bereik.audit.models import AuditAction
from bereik.audit.services import record


class CaseState(models.TextChoices):
    NEW = "new", _("New")
    NOT_PICKED_UP = "not_picked_up", _("Not picked up")
    ENRICHMENT = "enrichment", _("Waiting for enrichment")
    LETTER_OR_VISIT = "letter_or_visit", _("Letter or home visit")
    CALL_QUEUE = "call_queue", _("In the call queue")
    SOCIAL_WORK_QUEUE = "social_work_queue", _("Social workers' queue")
    REACHED_HELP = "reached_help", _("Reached, wants help")
    REACHED_NO_HELP = "reached_no_help", _("Reached, no help wanted")
    EXHAUSTED = "exhausted", _("Not reached")
    HANDED_OVER = "handed_over", _("Handed over")
    FOLLOW_UP = "follow_up", _("In follow-up")
    CLOSED = "closed", _("Closed")


S = CaseState
TRANSITIONS: dict[CaseState, frozenset[CaseState]] = {
    S.NEW: frozenset({S.NOT_PICKED_UP, S.ENRICHMENT, S.CALL_QUEUE, S.SOCIAL_WORK_QUEUE, S.CLOSED}),
    S.NOT_PICKED_UP: frozenset({S.CLOSED, S.NEW}),
    S.ENRICHMENT: frozenset({S.CALL_QUEUE, S.LETTER_OR_VISIT, S.SOCIAL_WORK_QUEUE, S.CLOSED}),
    S.LETTER_OR_VISIT: frozenset(
        {S.CALL_QUEUE, S.REACHED_HELP, S.REACHED_NO_HELP, S.SOCIAL_WORK_QUEUE, S.CLOSED}
    ),
    S.CALL_QUEUE: frozenset(
        {
            S.REACHED_HELP,
            S.REACHED_NO_HELP,
            S.EXHAUSTED,
            S.ENRICHMENT,
            S.SOCIAL_WORK_QUEUE,
            S.CLOSED,
        }
    ),
    S.SOCIAL_WORK_QUEUE: frozenset({S.HANDED_OVER, S.CLOSED}),
    S.REACHED_HELP: frozenset({S.HANDED_OVER, S.CLOSED}),
    # To the social workers' queue: a re-approach the coordinator confirmed (bereik.lifecycle).
    S.REACHED_NO_HELP: frozenset({S.CLOSED, S.CALL_QUEUE, S.SOCIAL_WORK_QUEUE}),
    S.EXHAUSTED: frozenset(
        {S.CLOSED, S.CALL_QUEUE, S.ENRICHMENT, S.LETTER_OR_VISIT, S.SOCIAL_WORK_QUEUE}
    ),
    S.HANDED_OVER: frozenset({S.FOLLOW_UP, S.CLOSED}),
    S.FOLLOW_UP: frozenset({S.CLOSED}),
    # Undo of a closure batch (back to the exact state before it); back to NEW when a case closed
    # as not picked up in its matching period receives a fresh signal in that same period (the
    # intake then routes it again); to the social workers' queue for a confirmed re-approach.
    S.CLOSED: frozenset(
        {
            S.CALL_QUEUE,
            S.REACHED_NO_HELP,
            S.EXHAUSTED,
            S.ENRICHMENT,
            S.LETTER_OR_VISIT,
            S.NEW,
            S.SOCIAL_WORK_QUEUE,
        }
    ),
}


# Sent after the transaction that moved a case has committed (never for a rolled-back move), with
# ``case_id``, ``municipality_id``, ``from_state``, ``to_state`` and ``end_result``. Batch moves
# (``transition_many``) send it once per case. Receivers must not raise; they run outside the
# transaction, so they can enqueue background work such as webhook deliveries.
case_transitioned = Signal()


# Sent inside the transaction that made cases more urgent than they were (a crisis signal, an
# earlier deadline) without moving them, with ``crisis_ids`` (cases now marked crisis) and
# ``due_on`` ({date: case ids whose deadline became that date}). Receivers keep what they derived
# from the case in step, in the same transaction (the call queue ranks on its own copy).
case_urgency_raised = Signal()


def _announce(case_id: int, municipality_id: int, from_state, to_state, end_result: str) -> None:
    transaction.on_commit(
        lambda: case_transitioned.send(
            sender=CaseTransition,
            case_id=case_id,
            municipality_id=municipality_id,
            from_state=str(from_state),
            to_state=str(to_state),
            end_result=end_result,
        )
    )


class TransitionNotAllowed(Exception):
    def __init__(self, current: str, target: str):
        super().__init__(f"A case cannot go from {current} to {target}")
        self.current = current
        self.target = target


class CaseTransition(models.Model):
    """The timeline of a case: who moved it where, when and why."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=30, choices=CaseState.choices)
    to_state = models.CharField(max_length=30, choices=CaseState.choices)
    actor = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    end_result = models.CharField(_("end result"), max_length=60, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["occurred_at", "pk"]
        verbose_name = _("case transition")
        verbose_name_plural = _("case transitions")

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"


def transition_many(
    case_ids,
    to_state: CaseState,
    *,
    municipality,
    actor=None,
    reason: str = "",
    end_result: str = "",
    chunk_size: int = 2000,
    entered_ids=(),
) -> int:
    """Move many cases to ``to_state`` at once, for batch work such as the intake's routing.

    The same rules as ``transition``: the transitions table is checked for every case under a row
    lock, each case gets its timeline entry, and the audit trail gets one entry for the batch
    (count and states, no personal data). Raises ``TransitionNotAllowed`` (and changes nothing)
    when any case may not make the move. Returns the number of cases moved.

    ``entered_ids``: cases inserted in this transaction directly in ``to_state`` (the intake
    stores its new cases routed instead of as "new" and then updating each). They count as moved
    from "new": each gets the timeline entry and the announcement a move from "new" gives, and
    the batch's audit entry counts them with the moved ones, so the record is the same as if they
    had been stored as "new" and moved. Nothing is read or updated for them.
    """
    from .bulk import insert, now_value, one_of
    from .models import Case

    case_ids = list(case_ids)
    entered_ids = list(entered_ids)
    if not case_ids and not entered_ids:
        return 0
    if entered_ids and to_state not in TRANSITIONS[CaseState.NEW]:
        raise TransitionNotAllowed(CaseState.NEW, to_state)
    now = timezone.now()
    occurred_at = now_value()
    from_states: dict[str, int] = {}

    def timeline(pairs):
        return [
            {
                "case_id": pk,
                "from_state": state,
                "to_state": to_state.value,
                "actor_id": actor.pk if actor is not None else None,
                "reason": reason,
                "end_result": end_result,
                "occurred_at": occurred_at,
            }
            for pk, state in pairs
        ]

    with transaction.atomic():
        for start in range(0, len(case_ids), chunk_size):
            chunk = case_ids[start : start + chunk_size]
            # One array parameter (``one_of``) instead of thousands of placeholders on
            # PostgreSQL, and the municipality read with the lock instead of a second query.
            locked = (
                Case.objects.select_for_update()
                .filter(one_of("pk", chunk))
                .values_list("pk", "state", "municipality_id")
            )
            municipality_ids = {}
            current = {}
            for pk, state, municipality_id in locked:
                current[pk] = state
                municipality_ids[pk] = municipality_id
            for state in set(current.values()):
                if to_state not in TRANSITIONS[CaseState(state)]:
                    raise TransitionNotAllowed(state, to_state)
            by_state: dict[str, list[int]] = {}
            for pk, state in current.items():
                by_state.setdefault(state, []).append(pk)
            if case_transitioned.has_listeners():
                for pk, state in current.items():
                    _announce(pk, municipality_ids[pk], state, to_state, end_result)
            for state, pks in by_state.items():
                fields = {"state": to_state, "updated_at": now}
                if to_state == CaseState.CLOSED:
                    fields["end_result"] = end_result
                elif state == CaseState.CLOSED:
                    fields["end_result"] = ""
                Case.objects.filter(one_of("pk", pks)).update(**fields)
                from_states[state] = from_states.get(state, 0) + len(pks)
            insert(CaseTransition, timeline(current.items()))
        if entered_ids:
            new = CaseState.NEW.value
            if case_transitioned.has_listeners():
                for pk in entered_ids:
                    _announce(pk, municipality.pk, new, to_state, end_result)
            insert(CaseTransition, timeline((pk, new) for pk in entered_ids))
            from_states[new] = from_states.get(new, 0) + len(entered_ids)
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type=Case._meta.label_lower,
            organisation=municipality,
            detail={
                "count": sum(from_states.values()),
                "from_states": from_states,
                "to_state": to_state.value,
                "end_result": end_result,
            },
        )
    return sum(from_states.values())


def transition(case, to_state: CaseState, *, actor=None, reason: str = "", end_result: str = ""):
    """Move one case to ``to_state`` under a row lock, record it on the timeline and in the audit.

    Returns the locked, updated case. Raises ``TransitionNotAllowed`` for a move the table forbids.
    """
    from .models import Case

    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        current = CaseState(locked.state)
        if to_state not in TRANSITIONS[current]:
            raise TransitionNotAllowed(current, to_state)
        locked.state = to_state
        fields = ["state", "updated_at"]
        if to_state == CaseState.CLOSED:
            locked.end_result = end_result
            fields.append("end_result")
        elif current == CaseState.CLOSED:
            locked.end_result = ""
            fields.append("end_result")
        locked.save(update_fields=fields)
        CaseTransition.objects.create(
            case=locked,
            from_state=current,
            to_state=to_state,
            actor=actor,
            reason=reason,
            end_result=end_result,
        )
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            detail={"state": [current.value, to_state.value], "end_result": end_result},
        )
        _announce(locked.pk, locked.municipality_id, current, to_state, end_result)
    return locked
