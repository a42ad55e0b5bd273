"""Writes for outreach: campaigns, the call queue, outcomes, callbacks, inbound calls, messages.

Views parse input and call one function here. The claim (``claim_next``) is the only place that
reserves a case for an agent; ``record_outcome`` is the only place that releases it with a result.
Case states change only through ``bereik.cases.workflow.transition``.
"""

import contextlib
import datetime as dt
import time
import uuid
from dataclasses import dataclass, replace

import structlog
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bereik.audit.models import AuditAction
from bereik.audit.services import record
from bereik.cases.bulk import one_of
from bereik.cases.models import Case, PhoneNumber
from bereik.cases.results import EndResult
from bereik.cases.workflow import TRANSITIONS, CaseState, transition
from bereik.handover import services as handover_services
from bereik.handover.models import AppointmentSlot
from bereik.privacy import services as privacy_services
from bereik.privacy.models import ObjectionChannel
from bereik.privacy.selectors import has_objection, residents_with_objection

from . import learning, selectors
from .messaging import Message, backend_for
from .models import (
    TUNABLE_OUTCOME_FIELDS,
    Callback,
    CallingWindow,
    Campaign,
    ContactAttempt,
    MessageChannel,
    MessageTemplate,
    OutboundMessage,
    OutcomeCode,
    OutcomeSetting,
    QueueEntry,
    Script,
    ScriptVersion,
)
from .placeholders import fill
from .scheduling import (
    DAY_PART_BITS,
    DEFAULT_WINDOWS,
    Policy,
    RetryRule,
    Window,
    day_part,
    day_parts_from_bits,
    plan_next_attempt,
)

logger = structlog.get_logger(__name__)

END_RESULT_OTHER = EndResult.NOT_PICKED_UP_OTHER
# How long after a pre-notification SMS the first call may be made.
PRENOTIFICATION_LEAD = dt.timedelta(hours=1)
# How often a claim retries when every free row is momentarily being looked at by other agents.
CLAIM_ROUNDS = 50


class OutreachError(Exception):
    """A refusal with a message for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ReservationLost(OutreachError):
    """The agent no longer holds the case: the save is refused and nothing is written."""


class AlreadySaved(OutreachError):
    def __init__(self, message: str, attempt: ContactAttempt):
        super().__init__(message)
        self.attempt = attempt


# --- campaigns ---------------------------------------------------------------------------------


def create_campaign(*, actor, municipality, name: str, starts_on: dt.date, **fields) -> Campaign:
    """A campaign with the default calling windows (Mon-Fri 08:30-21:00, Sat 09:00-17:00)."""
    with transaction.atomic():
        campaign = Campaign.objects.create(
            municipality=municipality, name=name, starts_on=starts_on, **fields
        )
        set_windows(actor=actor, campaign=campaign, windows=DEFAULT_WINDOWS)
        record(actor=actor, action=AuditAction.CREATE, obj=campaign)
    return campaign


def set_windows(*, actor, campaign: Campaign, windows) -> None:
    """Replace the campaign's weekday windows. ``Window`` refuses an end before its start."""
    windows = list(windows)
    for window in windows:
        if window.ends <= window.starts:  # also guarded by Window itself and a DB constraint
            raise ValidationError(_("A calling window must end after it starts."))
    with transaction.atomic():
        campaign.windows.all().delete()
        CallingWindow.objects.bulk_create(
            CallingWindow(campaign=campaign, weekday=w.weekday, starts_at=w.starts, ends_at=w.ends)
            for w in windows
        )
    selectors.forget_cached_campaigns()
    logger.info("campaign_windows_set", campaign_id=campaign.pk, windows=len(windows))


def update_campaign(*, actor, campaign: Campaign, windows: list[Window], fields: dict) -> Campaign:
    with transaction.atomic():
        for name, value in fields.items():
            setattr(campaign, name, value)
        campaign.full_clean()
        campaign.save()
        set_windows(actor=actor, campaign=campaign, windows=windows)
        record(
            actor=actor, action=AuditAction.UPDATE, obj=campaign, detail={"fields": sorted(fields)}
        )
    return campaign


@dataclass
class EnqueueResult:
    added: int = 0
    without_number: int = 0
    objected: int = 0


def enqueue_cases(*, actor, campaign: Campaign, now: dt.datetime | None = None) -> EnqueueResult:
    """Put the municipality's cases that wait for calling (state CALL_QUEUE) into this campaign.

    Besides cases never queued, that takes back cases whose entry was closed while the case
    returned to calling (a number found by enrichment after the last one failed) and entries
    still open in a campaign that has ended (next month's campaign carries them on with their
    schedule and callbacks). Cases without a usable number go to enrichment; residents who
    objected to calls are not called again.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    calendar = selectors.calendar_for(campaign)
    first_call = calendar.next_open(now) or now
    result = EnqueueResult()
    ended = (
        Q(queue_entry__campaign__is_active=False)
        | Q(queue_entry__campaign__ends_on__lt=today)
        | Q(queue_entry__campaign__starts_on__gt=today)
    ) & ~Q(queue_entry__campaign=campaign)
    cases = (
        Case.objects.filter(municipality_id=campaign.municipality_id, state=CaseState.CALL_QUEUE)
        .filter(
            Q(queue_entry__isnull=True) | Q(queue_entry__status=QueueEntry.Status.CLOSED) | ended
        )
        .select_related("resident", "queue_entry")
        .prefetch_related("resident__phone_numbers")
        .order_by("pk")
    )
    new_entries, reopened, carried_on = [], [], []
    with transaction.atomic():
        cases = list(cases)
        objected = residents_with_objection({case.resident_id for case in cases})
        for case in cases:
            entry = getattr(case, "queue_entry", None)
            if entry is not None and entry.status != QueueEntry.Status.CLOSED:
                entry.campaign = campaign
                carried_on.append(entry)
                continue
            if case.resident_id in objected:
                transition(
                    case,
                    CaseState.CLOSED,
                    actor=actor,
                    reason=_("Objection to calls"),
                    end_result=END_RESULT_OTHER,
                )
                result.objected += 1
                continue
            numbers = selectors.dialable_numbers(case.resident.phone_numbers.all())
            if not numbers:
                transition(case, CaseState.ENRICHMENT, actor=actor, reason=_("No usable number"))
                result.without_number += 1
                continue
            fresh = QueueEntry(
                case=case,
                campaign=campaign,
                municipality_id=campaign.municipality_id,
                status=QueueEntry.Status.WAITING,
                band=QueueEntry.Band.CRISIS if case.is_crisis else QueueEntry.Band.NORMAL,
                is_crisis=case.is_crisis,
                rank_date=case.due_on or QueueEntry._meta.get_field("rank_date").default,
                entered_at=now,
                next_attempt_at=first_call,
                current_number=numbers[0],
            )
            if entry is None:
                new_entries.append(fresh)
            else:  # closed earlier: it starts again, its attempts and last outcome kept
                for name in _REOPENED_FIELDS:
                    setattr(entry, name, getattr(fresh, name))
                for name, value in _REOPENED_RESET.items():
                    setattr(entry, name, value)
                reopened.append(entry)
        QueueEntry.objects.bulk_create(new_entries, batch_size=1000)
        QueueEntry.objects.bulk_update(
            reopened, [*_REOPENED_FIELDS, *_REOPENED_RESET], batch_size=1000
        )
        QueueEntry.objects.bulk_update(carried_on, ["campaign"], batch_size=1000)
        result.added = len(new_entries) + len(reopened) + len(carried_on)
        record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=campaign,
            detail={
                "queued": len(new_entries),
                "reopened": len(reopened),
                "carried_on": len(carried_on),
                "to_enrichment": result.without_number,
                "objected": result.objected,
            },
        )
        if campaign.sms_before_first_attempt and campaign.prenotification_template_id:
            entry_ids = [e.pk for e in new_entries]
            transaction.on_commit(
                lambda: send_prenotifications(actor=actor, campaign=campaign, entry_ids=entry_ids)
            )
    logger.info(
        "cases_queued",
        campaign_id=campaign.pk,
        reopened=len(reopened),
        carried_on=len(carried_on),
        **result.__dict__,
    )
    return result


# What a closed entry takes over from a new one when its case returns to calling, and what it
# resets (reservation, callback, closing, the day-parts tried on its previous number).
_REOPENED_FIELDS = (
    "campaign",
    "status",
    "band",
    "is_crisis",
    "rank_date",
    "entered_at",
    "next_attempt_at",
    "current_number",
)
_REOPENED_RESET = {
    "day_parts_tried": 0,
    "scheduled_by": "",
    "locked_by": None,
    "locked_until": None,
    "lock_token": None,
    "locked_inbound": False,
    "callback_due_at": None,
    "callback_agent": None,
    "closed_reason": "",
    "closed_at": None,
}


def on_case_urgency_raised(sender, *, crisis_ids, due_on, **kwargs) -> None:
    """A queued case became a crisis or got an earlier deadline (a new signal): its entry ranks
    accordingly from now on. A callback keeps its band (it already comes first)."""
    open_entries = QueueEntry.objects.exclude(status=QueueEntry.Status.CLOSED)
    if crisis_ids:  # as many as an import's crisis signals: one array parameter, not one each
        crisis = open_entries.filter(one_of("case_id", crisis_ids))
        crisis.filter(band=QueueEntry.Band.NORMAL).update(band=QueueEntry.Band.CRISIS)
        crisis.filter(is_crisis=False).update(is_crisis=True)
    for day, case_ids in due_on.items():
        open_entries.filter(one_of("case_id", case_ids), rank_date__gt=day).update(rank_date=day)


def send_prenotifications(*, actor, campaign: Campaign, entry_ids: list[int]) -> int:
    """SMS before the first attempt; the first call waits ``PRENOTIFICATION_LEAD`` after it."""
    template = campaign.prenotification_template
    entries = list(QueueEntry.objects.filter(pk__in=entry_ids).select_related("case"))
    objected = residents_with_objection({entry.case.resident_id for entry in entries})
    sent = 0
    for entry in entries:
        if entry.case.resident_id in objected:
            continue
        mobile = next(
            (
                n
                for n in selectors.dialable_numbers(entry.case.resident.phone_numbers.all())
                if n.kind == PhoneNumber.Kind.MOBILE
            ),
            None,
        )
        if mobile is None:
            continue
        message = send_message(actor=actor, case=entry.case, template=template, recipient=mobile)
        if message.status == OutboundMessage.Status.SENT:
            sent += 1
            later = timezone.now() + PRENOTIFICATION_LEAD
            QueueEntry.objects.filter(pk=entry.pk, next_attempt_at__lt=later).update(
                next_attempt_at=later
            )
    return sent


# --- the call queue ----------------------------------------------------------------------------


# Promotion runs at most this often per campaign and process; an entry may become callable up to
# this much later than its time.
PROMOTION_INTERVAL = dt.timedelta(seconds=1)
_promoted_at: dict[int, dt.datetime] = {}


def promote_due_entries(campaign_id: int, now: dt.datetime, *, force: bool = False) -> None:
    """Waiting entries whose time has come become ready; reserved callbacks nobody took within
    the grace period fall to the whole team. Cheap when there is nothing to do (partial index)."""
    last = _promoted_at.get(campaign_id)
    if not force and last is not None and dt.timedelta(0) <= now - last < PROMOTION_INTERVAL:
        return
    _promoted_at[campaign_id] = now
    waiting_due, callbacks_due = selectors.promotion_due(campaign_id, now)
    if not (waiting_due or callbacks_due):
        return
    due = QueueEntry.objects.filter(
        campaign_id=campaign_id, status=QueueEntry.Status.WAITING, next_attempt_at__lte=now
    )
    with transaction.atomic():
        _reservation_durability()  # promotion is recomputed from next_attempt_at after a crash
        if waiting_due and connection.vendor == "postgresql":
            # Concurrent claimers share the work instead of queueing on each other's row locks.
            ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:2000])
            if ids:
                QueueEntry.objects.filter(pk__in=ids).update(status=QueueEntry.Status.READY)
        elif waiting_due:
            due.update(status=QueueEntry.Status.READY)
        if callbacks_due or waiting_due:  # a promoted callback may be overdue already
            QueueEntry.objects.filter(
                campaign_id=campaign_id,
                status=QueueEntry.Status.READY,
                band=QueueEntry.Band.CALLBACK,
                callback_agent__isnull=False,
                callback_due_at__lt=now - selectors.CALLBACK_GRACE,
            ).update(callback_agent=None)


def _reservation_durability() -> None:
    """A reservation need not survive a database crash: without it the case is simply free again
    and the agent's save is refused (token unknown), so two agents still never both save. On
    PostgreSQL the claim therefore does not wait for its commit to reach the disk."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _reserve(
    entry_id: int,
    agent,
    now: dt.datetime,
    minutes: int,
    *,
    inbound=False,
    scheduled_by: str = "",
    ready_only: bool = False,
):
    """The conditional UPDATE that makes a reservation: it only succeeds while the lock is free,
    so of two agents racing for one entry exactly one sees rowcount 1. Written out, as the
    claim's reads are (``selectors._READY_ENTRIES_SQL``); values are prepared by the fields."""
    token = uuid.uuid4()
    field = QueueEntry._meta.get_field
    values = [
        agent.pk,
        field("locked_until").get_db_prep_value(now + dt.timedelta(minutes=minutes), connection),
        field("lock_token").get_db_prep_value(token, connection),
        inbound,
        scheduled_by,
        entry_id,
        field("locked_until").get_db_prep_value(now, connection),
    ]
    sql = _RESERVE_SQL
    if ready_only:
        sql += f" AND status = '{QueueEntry.Status.READY.value}'"
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        won = cursor.rowcount
    return token if won == 1 else None


_RESERVE_SQL = (
    f"UPDATE {QueueEntry._meta.db_table} SET locked_by_id = %s, locked_until = %s, "  # noqa: S608
    "lock_token = %s, locked_inbound = %s, scheduled_by = %s "
    "WHERE id = %s AND (locked_until IS NULL OR locked_until <= %s)"
)


def claim_next(
    *, agent, now: dt.datetime | None = None, policy: Policy | None = None
) -> QueueEntry | None:
    """Reserve the best callable case for ``agent``, or return None when nobody is callable now.

    The ranking is each campaign's scheduling policy (``learning.rank_entries``), or ``policy``
    for all entries when one is given.

    An agent who still holds a reservation gets it back (one resident at a time, in every tab).
    On PostgreSQL the candidate rows are read ``FOR UPDATE SKIP LOCKED`` so concurrent agents look
    at different rows. On SQLite they are read without taking the database's single write lock
    (readers never wait in WAL mode), so a claim does not queue behind every outcome being saved.
    On both, the reservation itself is a conditional UPDATE whose row count decides who won.
    """
    now = now or timezone.now()
    held = selectors.entry_held_by(agent, now)
    if held is not None:
        return held
    campaigns = selectors.open_campaigns(agent, now)
    if not campaigns:
        return None
    for campaign in campaigns:
        promote_due_entries(campaign.pk, now)
    by_campaign = {c.pk: c for c in campaigns}
    postgres = connection.vendor == "postgresql"
    for round_ in range(CLAIM_ROUNDS):
        with transaction.atomic() if postgres else contextlib.nullcontext():
            _reservation_durability()
            entries: list[QueueEntry] = []
            for campaign in campaigns:
                entries.extend(selectors.ready_entries(campaign.pk, agent, now, lock=True))
            if not entries:
                # SKIP LOCKED hides rows other agents are looking at this instant: only when no
                # free row exists at all is there nobody to call.
                busy = postgres and any(
                    selectors.ready_entries(c.pk, agent, now, limit=1) for c in campaigns
                )
                if not busy:
                    return None
            else:
                claimed = _reserve_best(entries, agent, now, by_campaign, policy)
                if claimed is not None:
                    return claimed
        time.sleep(0.001 * (round_ + 1))
    logger.warning("queue_claim_gave_up", agent_id=agent.pk, rounds=CLAIM_ROUNDS)
    return None


def _ranked(entries, agent, now, campaigns, policy) -> list[tuple[QueueEntry, str]]:
    """The entries best first, each with the rule that chose it (``ScheduledBy``)."""
    candidates = {e.pk: selectors.as_candidate(e, campaigns[e.campaign_id], now) for e in entries}
    if policy is not None:
        by_id = {e.pk: e for e in entries}
        ranked = policy.rank(list(candidates.values()), agent_id=agent.pk, now=now)
        return [(by_id[c.key], "") for c in ranked]
    calendars = {pk: selectors.cached_calendar(c, now) for pk, c in campaigns.items()}
    return [
        (item.entry, item.scheduled_by)
        for item in learning.rank_entries(
            entries,
            candidates,
            campaigns=campaigns,
            calendars=calendars,
            agent_id=agent.pk,
            now=now,
        )
    ]


def _reserve_best(entries, agent, now, campaigns, policy) -> QueueEntry | None:
    for entry, scheduled_by in _ranked(entries, agent, now, campaigns, policy):
        # An objection may have been recorded elsewhere (a coordinator, from a letter) since the
        # case was queued: such entries are closed here instead of being offered.
        if entry.resident_objects:
            _close_for_objection(entry, agent, now)
            continue
        if entry.case_state != CaseState.CALL_QUEUE:
            _close_entry(entry, QueueEntry.ClosedReason.WITHDRAWN, now)
            continue
        minutes = campaigns[entry.campaign_id].lock_minutes
        token = _reserve(
            entry.pk,
            agent,
            now,
            minutes,
            scheduled_by=scheduled_by,
            ready_only=True,
        )
        if token is not None:
            entry.locked_by = agent
            entry.locked_until = now + dt.timedelta(minutes=minutes)
            entry.lock_token = token
            entry.locked_inbound = False
            logger.info(
                "queue_claimed",
                entry_id=entry.pk,
                agent_id=agent.pk,
                band=entry.band,
                candidates=len(entries),
            )
            return entry
    return None


@transaction.atomic
def _close_for_objection(entry: QueueEntry, actor, now: dt.datetime) -> None:
    """Close the entry of a resident who objects to contact and end the case's calling."""
    _close_entry(entry, QueueEntry.ClosedReason.OBJECTION, now)
    Callback.objects.filter(entry=entry).open().update(cancelled_at=now)
    case = Case.objects.get(pk=entry.case_id)
    reason = _("Objection to calls")
    _move_case(case, CaseState.CLOSED, actor=actor, reason=reason, end_result=END_RESULT_OTHER)
    logger.info("queue_entry_closed_for_objection", entry_id=entry.pk, case_id=entry.case_id)


def claim_entry(*, agent, entry: QueueEntry, now: dt.datetime | None = None) -> QueueEntry:
    """Reserve one particular entry (an inbound caller, a callback taken by hand)."""
    now = now or timezone.now()
    if entry.locked_by_id == agent.pk and entry.locked_until and entry.locked_until > now:
        return entry
    held = selectors.entry_held_by(agent, now)
    if held is not None and held.pk != entry.pk:
        release(agent=agent, entry=held, now=now)
    token = _reserve(entry.pk, agent, now, entry.campaign.lock_minutes, inbound=True)
    if token is None:
        raise OutreachError(
            _("Another agent is working on this resident right now. Try again in a moment.")
        )
    entry.refresh_from_db()
    return entry


def release(*, agent, entry: QueueEntry, now: dt.datetime | None = None) -> bool:
    """Give a reservation back without a result (the agent stops or skips)."""
    released = QueueEntry.objects.filter(pk=entry.pk, locked_by=agent).update(
        locked_by=None, locked_until=None, lock_token=None, locked_inbound=False
    )
    logger.info("queue_released", entry_id=entry.pk, agent_id=agent.pk, released=bool(released))
    return bool(released)


def _closed(reason: str, now: dt.datetime) -> dict:
    """The fields of a queue entry that leaves the queue: closed, unreserved, no callback."""
    return {
        "status": QueueEntry.Status.CLOSED,
        "closed_reason": reason,
        "closed_at": now,
        "locked_by": None,
        "locked_until": None,
        "lock_token": None,
        "callback_due_at": None,
        "callback_agent": None,
    }


def _close_entry(entry: QueueEntry, reason: str, now: dt.datetime) -> None:
    QueueEntry.objects.filter(pk=entry.pk).update(**_closed(reason, now))


def withdraw_from_queue(case_ids, now: dt.datetime) -> dict[int, str]:
    """Close the open queue entries of cases that leave calling in a batch (month-end closure).

    Returns case id -> the status each entry had, which ``return_to_queue`` puts back on undo.
    """
    entries = QueueEntry.objects.filter(case_id__in=list(case_ids)).exclude(
        status=QueueEntry.Status.CLOSED
    )
    previous = dict(entries.values_list("case_id", "status"))
    if previous:
        QueueEntry.objects.filter(case_id__in=list(previous)).update(
            **_closed(QueueEntry.ClosedReason.WITHDRAWN, now)
        )
        Callback.objects.filter(entry__case_id__in=list(previous)).open().update(cancelled_at=now)
    return previous


def return_to_queue(previous: dict[int, str]) -> int:
    """Undo ``withdraw_from_queue``: reopen the entries it closed with the status they had."""
    reopened = 0
    by_status: dict[str, list[int]] = {}
    for case_id, status in previous.items():
        by_status.setdefault(status, []).append(case_id)
    for status, case_ids in by_status.items():
        reopened += QueueEntry.objects.filter(
            case_id__in=case_ids,
            status=QueueEntry.Status.CLOSED,
            closed_reason=QueueEntry.ClosedReason.WITHDRAWN,
        ).update(status=status, closed_reason="", closed_at=None)
    return reopened


# --- outcomes ----------------------------------------------------------------------------------


@dataclass
class OutcomeInput:
    outcome: OutcomeCode
    phone_number: PhoneNumber | None = None
    direction: str = ContactAttempt.Direction.OUTBOUND
    help_requested: bool | None = None
    no_help_reason: str = ""
    preferred_contact_time: str = ""
    summary: str = ""
    objection: bool = False
    callback_at: dt.datetime | None = None
    callback_only_me: bool = False
    script_version: ScriptVersion | None = None
    # A slot of the social workers' shared agenda, booked with the help request (the resident
    # hears the date during the call).
    appointment_slot: AppointmentSlot | None = None


def validate_callback(campaign: Campaign, at: dt.datetime, now: dt.datetime) -> None:
    """A callback must lie in the future and inside the campaign's calling windows."""
    if at <= now:
        raise ValidationError(_("A callback must be in the future."))
    calendar = selectors.calendar_for(campaign, around=timezone.localdate(now))
    if not calendar.is_open(at):
        local = timezone.localtime(at)
        window = calendar.window_on(local.date())
        if window is None:
            message = _("No calls are made on %(day)s (closed day or public holiday).") % {
                "day": date_format(local.date(), "l j F")
            }
        else:
            message = _("On %(day)s calls are made between %(start)s and %(end)s only.") % {
                "day": date_format(local.date(), "l j F"),
                "start": window.starts.strftime("%H:%M"),
                "end": window.ends.strftime("%H:%M"),
            }
        raise ValidationError(message)
    if not selectors.campaign_runs_on(campaign, local_date := timezone.localdate(at)):
        raise ValidationError(
            _("The campaign does not run on %(day)s.") % {"day": date_format(local_date)}
        )


def _as_applied_in(data: OutcomeInput, municipality_id: int) -> OutcomeInput:
    """The input with its outcome code as this municipality's queue handles it."""
    return replace(data, outcome=selectors.with_local_settings(data.outcome, municipality_id))


def validate_outcome(data: OutcomeInput, campaign: Campaign, now: dt.datetime) -> dict:
    """Field errors for an outcome, as ``{field: message}``; empty when it may be saved."""
    errors: dict[str, str] = {}
    outcome = selectors.with_local_settings(data.outcome, campaign.municipality_id)
    if not outcome.is_active:
        errors["outcome"] = _("“%(outcome)s” is not in use in this municipality.") % {
            "outcome": outcome.label
        }
    if outcome.needs_note and not data.summary.strip():
        errors["summary"] = _("“%(outcome)s” needs a short description.") % {
            "outcome": outcome.label
        }
    if outcome.right_party_contact and outcome.is_final:
        if data.help_requested is None:
            errors["help_requested"] = _("Record whether the resident wants help.")
        elif data.help_requested is False and not data.no_help_reason:
            errors["no_help_reason"] = _("Record why the resident does not want help.")
    if outcome.requires_callback and data.callback_at is None:
        errors["callback_at"] = _("“%(outcome)s” needs a callback time.") % {
            "outcome": outcome.label
        }
    if data.callback_at is not None and "callback_at" not in errors:
        try:
            validate_callback(campaign, data.callback_at, now)
        except ValidationError as error:
            errors["callback_at"] = error.messages[0]
    if data.objection and not outcome.right_party_contact:
        errors["objection"] = _("An objection can only be recorded when you spoke to the resident.")
    if data.objection and data.help_requested:
        errors["objection"] = _("A resident who wants help has not objected to calls.")
    if data.appointment_slot is not None and not (
        outcome.right_party_contact and outcome.is_final and data.help_requested
    ):
        errors["appointment_slot"] = _(
            "An appointment with a social worker is made only when the resident wants help."
        )
    return errors


def _move_case(case: Case, target: CaseState, *, actor, reason: str, end_result: str = ""):
    """Move a case, via the call queue when an inbound contact reopens a finished attempt."""
    current = CaseState(Case.objects.values_list("state", flat=True).get(pk=case.pk))
    if current == target:
        return
    if target in TRANSITIONS[current]:
        transition(case, target, actor=actor, reason=reason, end_result=end_result)
    elif (
        CaseState.CALL_QUEUE in TRANSITIONS[current] and target in TRANSITIONS[CaseState.CALL_QUEUE]
    ):
        transition(case, CaseState.CALL_QUEUE, actor=actor, reason=reason)
        transition(case, target, actor=actor, reason=reason, end_result=end_result)
    else:
        logger.warning("case_move_skipped", case_id=case.pk, current=current, target=target)


def _result_after(entry: QueueEntry, outcome: OutcomeCode, now: dt.datetime):
    """The case's outcome (``derive_result``) once ``outcome`` is added. An attempt later than
    every earlier one only has to be weighed against the result so far; one reported late (a
    telephony system) is placed among the attempts by the time it happened."""
    if entry.last_attempt_at is None or now >= entry.last_attempt_at:
        return derive_result([o for o in (entry.result_outcome, outcome) if o is not None])
    history = [
        a.outcome
        for a in ContactAttempt.objects.filter(case_id=entry.case_id, outcome__isnull=False)
        .select_related("outcome")
        .order_by("occurred_at", "pk")
    ]
    return derive_result(history)


def derive_result(outcomes: list[OutcomeCode]) -> OutcomeCode | None:
    """The case's outcome from all its attempts: the last final code wins, else the last outcome
    (queXS's rule)."""
    finals = [o for o in outcomes if o.is_final]
    if finals:
        return finals[-1]
    return outcomes[-1] if outcomes else None


def _next_number(numbers: list[PhoneNumber], current: PhoneNumber | None) -> PhoneNumber | None:
    """The number to dial next of the resident's ``numbers``: the current one while it may be
    dialled, else the first dialable one."""
    dialable = selectors.dialable_numbers(numbers)
    if current is not None and any(n.pk == current.pk for n in dialable):
        return current
    return dialable[0] if dialable else None


def record_outcome(
    *,
    agent,
    entry: QueueEntry,
    token: uuid.UUID | str | None,
    data: OutcomeInput,
    now: dt.datetime | None = None,
    reclaim: bool = False,
) -> ContactAttempt:
    """Register one conversation or attempt and release the reservation.

    Refused (nothing written) when the token was already used (``AlreadySaved``: a double submit
    or a second tab) or the agent no longer holds the case (``ReservationLost``); with
    ``reclaim=True`` a reservation that expired without anyone else taking the case is renewed.
    """
    now = now or timezone.now()
    token = uuid.UUID(str(token)) if token else None
    with transaction.atomic():
        locked = (
            QueueEntry.objects.select_for_update(of=("self",))
            .select_related("campaign", "case", "result_outcome")
            .get(pk=entry.pk)
        )
        holds = (
            token is not None
            and locked.locked_by_id == agent.pk
            and locked.lock_token == token
            and locked.locked_until is not None
        )
        # Saving clears the reservation's token in the same transaction, so only a token that no
        # longer holds can have been used already.
        earlier = (
            ContactAttempt.objects.filter(submission_token=token).first()
            if token is not None and not holds
            else None
        )
        if earlier is not None:
            raise AlreadySaved(
                _("This conversation was already saved (double click or another tab)."), earlier
            )
        if holds and locked.locked_until <= now and not reclaim:
            raise ReservationLost(
                _(
                    "Your reservation of this resident expired at %(time)s. Nothing was saved; "
                    "your entry is still in the form. Save again to take the resident back."
                )
                % {"time": timezone.localtime(locked.locked_until).strftime("%H:%M")}
            )
        if not holds:
            raise ReservationLost(
                _(
                    "You no longer hold this resident (another agent or another tab took over). "
                    "Nothing was saved; your entry is still in the form."
                )
            )
        data = _as_applied_in(data, locked.municipality_id)
        errors = validate_outcome(data, locked.campaign, now)
        if errors:
            raise ValidationError(errors)
        attempt = _register_attempt(agent, locked, token, data, now)
    return attempt


def _register_attempt(agent, entry: QueueEntry, token, data: OutcomeInput, now) -> ContactAttempt:
    case = entry.case
    campaign = entry.campaign
    outcome = data.outcome
    inbound = data.direction == ContactAttempt.Direction.INBOUND
    number = data.phone_number
    attempt = ContactAttempt.objects.create(
        municipality_id=entry.municipality_id,
        case=case,
        campaign=campaign,
        kind=ContactAttempt.Kind.PHONE,
        direction=data.direction,
        occurred_at=now,
        day_part=day_part(now).value,
        reached=outcome.ddas_reached,
        agent=agent,
        phone_number=number,
        outcome=outcome,
        script_version=data.script_version,
        help_requested=data.help_requested if outcome.right_party_contact else None,
        no_help_reason=data.no_help_reason if data.help_requested is False else "",
        preferred_contact_time=data.preferred_contact_time if data.help_requested else "",
        summary=data.summary.strip(),
        objection=data.objection,
        scheduled_by="" if inbound else entry.scheduled_by,
        submission_token=token,
    )
    # The number: retire it, or close it after the last failed attempt.
    called = None  # this number's attempts, counting this one
    if number is not None and not inbound:
        if outcome.retire_number:
            _set_number_status(number, PhoneNumber.Status.RETIRED)
        elif not outcome.right_party_contact:
            called = selectors.attempts_on(number, timezone.localdate(now))
            if called.failed >= campaign.max_attempts_per_number:
                _set_number_status(number, PhoneNumber.Status.EXHAUSTED)

    # A callback that was due is now answered.
    for callback in Callback.objects.filter(entry=entry, due_at__lte=now).open():
        callback.was_missed = selectors.callback_is_missed(callback, now)
        callback.fulfilled_at = now
        callback.fulfilled_by = attempt
        callback.save(update_fields=["fulfilled_at", "fulfilled_by", "was_missed"])

    fields = {
        "attempts": entry.attempts + (0 if inbound else 1),
        # A call reported late (a telephony system) does not make the last call earlier.
        "last_attempt_at": max(now, entry.last_attempt_at or now),
        "last_outcome": outcome,
        "result_outcome": _result_after(entry, outcome, now),
        "locked_by": None,
        "locked_until": None,
        "lock_token": None,
        "locked_inbound": False,
    }
    reason = _("Call outcome: %(outcome)s") % {"outcome": outcome.label}

    if data.objection:
        if not has_objection(case.resident_id):
            # One register for objections, whatever the channel (docs/privacy.md).
            privacy_services.record_objection(
                resident=case.resident,
                received_on=timezone.localdate(),
                channel=ObjectionChannel.PHONE,
                actor=agent,
            )
        _close_queue(entry, fields, QueueEntry.ClosedReason.OBJECTION, now)
        _move_case(case, CaseState.REACHED_NO_HELP, actor=agent, reason=_("Objection to calls"))
        _respect_objection_elsewhere(entry, agent, now)
    elif outcome.is_final and outcome.right_party_contact:
        _close_queue(entry, fields, QueueEntry.ClosedReason.REACHED, now)
        target = CaseState.REACHED_HELP if data.help_requested else CaseState.REACHED_NO_HELP
        _move_case(case, target, actor=agent, reason=reason)
        if data.help_requested:
            # The warm handover, in the same transaction as the conversation it comes from.
            handover = handover_services.create_handover(case=case, actor=agent, attempt=attempt)
            if data.appointment_slot is not None:
                try:
                    handover_services.book_slot(
                        actor=agent, handover=handover, slot=data.appointment_slot, now=now
                    )
                except handover_services.HandoverError as refused:
                    raise ValidationError({"appointment_slot": refused.message}) from None
    elif outcome.is_final:
        _close_queue(entry, fields, QueueEntry.ClosedReason.INVALID_RECORD, now)
        _move_case(case, CaseState.CLOSED, actor=agent, reason=reason, end_result=END_RESULT_OTHER)
    elif data.callback_at is not None:
        # The new agreement replaces one made before for later (the due ones are answered above).
        Callback.objects.filter(entry=entry).open().update(cancelled_at=now)
        Callback.objects.create(
            municipality_id=entry.municipality_id,
            entry=entry,
            due_at=data.callback_at,
            agent=agent if data.callback_only_me else None,
            requested_in=attempt,
        )
        fields.update(
            status=QueueEntry.Status.WAITING,
            band=QueueEntry.Band.CALLBACK,
            next_attempt_at=data.callback_at,
            callback_due_at=data.callback_at,
            callback_agent=agent if data.callback_only_me else None,
            closed_reason="",
            closed_at=None,
        )
        if entry.status == QueueEntry.Status.CLOSED:
            _move_case(case, CaseState.CALL_QUEUE, actor=agent, reason=_("Callback agreed"))
        QueueEntry.objects.filter(pk=entry.pk).update(**fields)
    elif entry.status == QueueEntry.Status.CLOSED:
        # An inbound contact on a finished entry that needs no follow-up: record only.
        QueueEntry.objects.filter(pk=entry.pk).update(**fields)
    else:
        _schedule_retry(entry, fields, outcome, number, now, agent, called)

    # Audited last: the audit chain is locked from here until commit, so keep that short.
    record(
        actor=agent,
        action=AuditAction.CREATE,
        obj=attempt,
        detail={"outcome": outcome.code, "direction": data.direction, "case": case.pk},
    )
    logger.info(
        "outcome_recorded",
        case_id=case.pk,
        entry_id=entry.pk,
        outcome=outcome.code,
        direction=data.direction,
        agent_id=agent.pk if agent is not None else None,
    )
    return attempt


def register_external_attempt(
    *, entry: QueueEntry, data: OutcomeInput, occurred_at: dt.datetime
) -> ContactAttempt:
    """Register a call made outside Bereik's agent workspace (a telephony system reporting
    through the REST API): no agent and no reservation. Refused (``OutreachError``) while an
    agent holds the resident, so a live conversation is never overwritten; ``ValidationError``
    with field errors as ``validate_outcome`` gives them."""
    now = timezone.now()
    with transaction.atomic():
        locked = (
            QueueEntry.objects.select_for_update(of=("self",))
            .select_related("campaign", "case", "result_outcome")
            .get(pk=entry.pk)
        )
        if locked.locked_by_id is not None and locked.locked_until and locked.locked_until > now:
            raise OutreachError(_("An agent is working on this resident right now."))
        data = _as_applied_in(data, locked.municipality_id)
        errors = validate_outcome(data, locked.campaign, now)
        if errors:
            raise ValidationError(errors)
        return _register_attempt(None, locked, None, data, occurred_at)


def _set_number_status(number: PhoneNumber, status: str) -> None:
    PhoneNumber.objects.filter(pk=number.pk).update(status=status)
    number.status = status


def _close_queue(entry: QueueEntry, fields: dict, reason: str, now: dt.datetime) -> None:
    fields.update(
        status=QueueEntry.Status.CLOSED,
        closed_reason=reason,
        closed_at=now,
        callback_due_at=None,
        callback_agent=None,
    )
    QueueEntry.objects.filter(pk=entry.pk).update(**fields)
    Callback.objects.filter(entry=entry).open().update(cancelled_at=now)


def _schedule_retry(entry, fields, outcome, number, now, agent, called=None) -> None:
    """After a non-final outcome: the same number later, the next number, or no number left."""
    case = entry.case
    campaign = entry.campaign
    # Read after this attempt changed a number's status: the statuses are current.
    numbers = list(PhoneNumber.objects.filter(resident_id=case.resident_id))
    current_id = number.pk if number is not None else entry.current_number_id
    current = next((n for n in numbers if n.pk == current_id), None)
    next_number = _next_number(numbers, current)
    if next_number is None:
        if any(n.status == PhoneNumber.Status.EXHAUSTED for n in numbers):
            _close_queue(entry, fields, QueueEntry.ClosedReason.EXHAUSTED, now)
            _move_case(case, CaseState.EXHAUSTED, actor=agent, reason=_("Attempts used up"))
        else:
            _close_queue(entry, fields, QueueEntry.ClosedReason.NO_NUMBER, now)
            _move_case(case, CaseState.ENRICHMENT, actor=agent, reason=_("No usable number left"))
        return
    same_number = current is not None and next_number.pk == current.pk
    # A fall-over to the next number starts its day-parts afresh.
    tried = (entry.day_parts_tried | DAY_PART_BITS[day_part(now)]) if same_number else 0
    if entry.callback_due_at is not None and entry.callback_due_at > now:
        # A callback agreed for later stands (the resident called in early, or it was taken by
        # hand before its time): held until then as agreed, on the number to call by then.
        fields.update(
            status=QueueEntry.Status.WAITING,
            band=QueueEntry.Band.CALLBACK,
            next_attempt_at=entry.callback_due_at,
            current_number=next_number,
            day_parts_tried=tried,
        )
        QueueEntry.objects.filter(pk=entry.pk).update(**fields)
        return
    calendar = selectors.cached_calendar(campaign, now)
    if same_number:
        if called is None:  # else counted above, for this very number
            called = selectors.attempts_on(next_number, timezone.localdate(now))
        next_at = plan_next_attempt(
            calendar=calendar,
            now=now,
            rule=RetryRule(outcome.retry_delay_minutes, outcome.retry_other_day_part),
            attempts_today=called.today,
            max_attempts_per_day=campaign.max_attempts_per_day,
            day_parts_tried=day_parts_from_bits(tried),
        )
    else:  # fall over to the next number: it may be dialled straight away
        next_at = calendar.next_open(now)
    if next_at is None or not selectors.campaign_runs_on(campaign, timezone.localdate(next_at)):
        _close_queue(entry, fields, QueueEntry.ClosedReason.EXHAUSTED, now)
        _move_case(
            case,
            CaseState.EXHAUSTED,
            actor=agent,
            reason=_("The campaign has no calling time left"),
        )
        return
    fields.update(
        status=QueueEntry.Status.WAITING,
        band=QueueEntry.Band.CRISIS if entry.is_crisis else QueueEntry.Band.NORMAL,
        next_attempt_at=next_at,
        current_number=next_number,
        day_parts_tried=tried,
        callback_due_at=None,
        callback_agent=None,
    )
    QueueEntry.objects.filter(pk=entry.pk).update(**fields)


def _respect_objection_elsewhere(entry: QueueEntry, agent, now) -> None:
    """An objection holds for the resident, not only for this case."""
    others = (
        QueueEntry.objects.filter(case__resident_id=entry.case.resident_id)
        .exclude(Q(pk=entry.pk) | Q(status=QueueEntry.Status.CLOSED))
        .select_related("case")
    )
    for other in others:
        _close_entry(other, QueueEntry.ClosedReason.OBJECTION, now)
        _move_case(
            other.case,
            CaseState.CLOSED,
            actor=agent,
            reason=_("Objection to calls"),
            end_result=END_RESULT_OTHER,
        )


# --- numbers, inbound --------------------------------------------------------------------------


def add_phone_number(*, actor, case: Case, raw: str) -> PhoneNumber:
    """A number the agent learned during a call. Refuses what is not a valid phone number."""
    try:
        e164 = selectors.normalise_number(raw)
    except selectors.UnparsableNumber:
        raise ValidationError(
            _("“%(raw)s” is not a valid phone number. Use e.g. 06-12345678 or +31 79 123 4567.")
            % {"raw": raw}
        ) from None
    resident = case.resident
    existing = resident.phone_numbers.filter(e164=e164).first()
    if existing is not None:
        raise ValidationError(_("This number is already known for the resident."))
    position = (resident.phone_numbers.aggregate(m=Max("position"))["m"] or 0) + 1
    number = PhoneNumber.objects.create(
        resident=resident,
        raw=raw.strip()[:64],
        e164=e164,
        kind=selectors.number_kind(e164),
        source=PhoneNumber.Source.MANUAL,
        position=position,
    )
    QueueEntry.objects.filter(case=case, current_number__isnull=True).update(current_number=number)
    record(actor=actor, action=AuditAction.CREATE, obj=number, organisation=case.municipality)
    return number


def start_inbound(*, agent, case: Case, now: dt.datetime | None = None) -> QueueEntry:
    """Open the workspace for a resident who calls in: the case's queue entry, reserved for
    this agent (made in the municipality's current campaign if the case was never queued)."""
    now = now or timezone.now()
    entry = QueueEntry.objects.filter(case=case).select_related("campaign").first()
    if entry is None:
        campaign = selectors.active_campaign_for(case.municipality_id, timezone.localdate(now))
        if campaign is None:
            raise OutreachError(
                _("%(municipality)s has no active campaign to register this call in.")
                % {"municipality": case.municipality.name}
            )
        numbers = selectors.dialable_numbers(case.resident.phone_numbers.all())
        entry, _created = QueueEntry.objects.get_or_create(
            case=case,
            defaults={
                "campaign": campaign,
                "municipality_id": case.municipality_id,
                "status": QueueEntry.Status.CLOSED,
                "closed_reason": QueueEntry.ClosedReason.WITHDRAWN,
                "closed_at": now,
                "is_crisis": case.is_crisis,
                "entered_at": now,
                "next_attempt_at": now,
                "current_number": numbers[0] if numbers else None,
            },
        )
    return claim_entry(agent=agent, entry=entry, now=now)


# --- scripts, outcome codes, templates ---------------------------------------------------------


def create_script(*, actor, municipality, name: str, body: str) -> Script:
    with transaction.atomic():
        script = Script.objects.create(municipality=municipality, name=name)
        publish_script_version(actor=actor, script=script, body=body)
    return script


def publish_script_version(*, actor, script: Script, body: str) -> ScriptVersion:
    """Scripts are never edited in place: each change is a new version."""
    with transaction.atomic():
        current = script.versions.aggregate(m=Max("number"))["m"] or 0
        version = ScriptVersion.objects.create(
            script=script, number=current + 1, body=body, created_by=actor
        )
        record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=version,
            organisation=script.municipality,
            detail={"script": script.pk, "version": version.number},
        )
    return version


def save_outcome_setting(
    *, actor, municipality_id: int, outcome: OutcomeCode, values: dict
) -> OutcomeSetting:
    """Set how one municipality's queue handles an outcome code (created on first change)."""
    unknown = set(values) - set(TUNABLE_OUTCOME_FIELDS)
    if unknown:
        raise ValueError(f"not a municipal setting: {sorted(unknown)}")
    with transaction.atomic():
        # Two first saves at once would both find no setting and both insert it (the second
        # failing on the unique constraint): the code's row is the lock that orders them. A
        # key-less lock, so agents recording this outcome meanwhile are not held up.
        OutcomeCode.objects.select_for_update(no_key=True).filter(pk=outcome.pk).exists()
        setting = (
            OutcomeSetting.objects.select_for_update()
            .filter(municipality_id=municipality_id, outcome=outcome)
            .first()
        )
        if setting is None:
            # Start from the national defaults, so an unchanged field keeps meaning "as usual".
            setting = OutcomeSetting(
                municipality_id=municipality_id,
                outcome=outcome,
                **{name: getattr(outcome, name) for name in TUNABLE_OUTCOME_FIELDS},
            )
        for name, value in values.items():
            setattr(setting, name, value)
        if outcome.is_final and setting.requires_callback:
            raise ValidationError(
                {"requires_callback": _("A final outcome cannot need a callback.")}
            )
        setting.full_clean()
        setting.save()
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=setting,
            detail={"outcome": outcome.code, "fields": sorted(values)},
        )
    selectors.forget_cached_campaigns()  # this process applies the change at once
    return setting


def save_message_template(*, actor, template: MessageTemplate) -> MessageTemplate:
    created = template.pk is None
    template.full_clean()
    template.save()
    record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=template,
    )
    return template


# --- messages ----------------------------------------------------------------------------------


def send_message(
    *, actor, case: Case, template: MessageTemplate, recipient: PhoneNumber | str | None = None
) -> OutboundMessage:
    """Send a templated SMS or e-mail to a resident; logged as a DDAS contact attempt
    (SMS/Whatsapp or Mail), whether or not the provider accepted it."""
    if template.municipality_id != case.municipality_id:
        raise OutreachError(_("This template belongs to another municipality."))
    if has_objection(case.resident_id):
        raise OutreachError(
            _("The resident objects to being contacted: no messages are sent to them.")
        )
    channel = template.channel
    number = recipient if isinstance(recipient, PhoneNumber) else None
    if channel == MessageChannel.SMS:
        if number is None:
            number = next(
                (
                    n
                    for n in selectors.dialable_numbers(case.resident.phone_numbers.all())
                    if n.kind == PhoneNumber.Kind.MOBILE
                ),
                None,
            )
        if number is None:
            raise OutreachError(_("The resident has no usable mobile number for an SMS."))
        address = number.e164
    else:
        address = recipient if isinstance(recipient, str) and recipient else case.resident.email
        if not address:
            raise OutreachError(_("The resident has no e-mail address."))
    campaign = selectors.active_campaign_for(case.municipality_id, timezone.localdate())
    values = selectors.script_values(case, campaign, actor)
    body, subject = fill(template.body, values), fill(template.subject, values)
    backend = backend_for(channel)
    reference = uuid.uuid4().hex
    now = timezone.now()
    # Recorded before the provider is asked: whatever happens after the hand-over (the process
    # stops, the database is unreachable), no message leaves without a record of it.
    with transaction.atomic():
        message = OutboundMessage.objects.create(
            municipality_id=case.municipality_id,
            case=case,
            template=template,
            channel=channel,
            recipient=address,
            subject=subject,
            body=body,
            backend=backend.name,
            status=OutboundMessage.Status.SENDING,
            provider_reference=reference,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        attempt = ContactAttempt.objects.create(
            municipality_id=case.municipality_id,
            case=case,
            campaign=campaign,
            kind=ContactAttempt.Kind.SMS
            if channel == MessageChannel.SMS
            else ContactAttempt.Kind.MAIL,
            direction=ContactAttempt.Direction.OUTBOUND,
            occurred_at=now,
            day_part=day_part(now).value,
            reached=False,
            agent=actor if getattr(actor, "is_authenticated", False) else None,
            phone_number=number,
            message=message,
        )
        record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=attempt,
            organisation=case.municipality,
            detail={"channel": channel, "template": template.pk},
        )
    delivery = backend.send(
        Message(channel=channel, recipient=address, body=body, subject=subject, reference=reference)
    )
    message.status = OutboundMessage.Status.SENT if delivery.ok else OutboundMessage.Status.FAILED
    message.backend = delivery.backend
    message.provider_reference = delivery.reference or reference
    message.error = delivery.error
    message.save(update_fields=["status", "backend", "provider_reference", "error"])
    logger.info(
        "message_sent", case_id=case.pk, channel=channel, ok=delivery.ok, backend=delivery.backend
    )
    return message
