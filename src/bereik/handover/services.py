"""Writes of the warm handover and the shared agenda.

Every service is transactional and audited (no personal data in the audit detail). Case states
change only through ``bereik.cases.workflow.transition``.
"""

import datetime as dt

import structlog
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bereik.accounts.models import Membership, Organisation
from bereik.accounts.roles import OrganisationKind, Role
from bereik.audit.models import AuditAction
from bereik.audit.services import record
from bereik.cases.models import Case
from bereik.cases.results import FOLLOW_UP_RESULTS, EndResult
from bereik.cases.workflow import CaseState, TransitionNotAllowed, transition
from bereik.outreach.models import ContactAttempt
from bereik.outreach.scheduling import day_part

from .calendar import invitation
from .models import Appointment, AppointmentChannel, AppointmentSlot, Handover
from .selectors import social_work_for
from .signals import handover_accepted

logger = structlog.get_logger(__name__)

# Case states from which a handover can be accepted (the case then becomes HANDED_OVER).
ACCEPTABLE_STATES = (CaseState.REACHED_HELP, CaseState.SOCIAL_WORK_QUEUE)
# How far ahead a series of slots may be published.
MAX_SERIES_WEEKS = 26
MAX_SLOT_MINUTES = 8 * 60
# Follow-up results a social worker may register without having reached the resident themselves.
RESULTS_WITHOUT_CONTACT = (
    EndResult.NO_REACTION_AFTER_CONTACT,
    EndResult.KNOWN_TO_DEBT_COUNSELLING,
    EndResult.OTHER_PROGRAMME,
)


class HandoverError(Exception):
    """A handover or agenda action that is refused; ``message`` is for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class SlotTaken(HandoverError):
    pass


# --- handovers ---------------------------------------------------------------------------------


def create_handover(
    *,
    case: Case,
    actor=None,
    attempt: ContactAttempt | None = None,
    preferred_contact_time: str = "",
    summary: str = "",
) -> Handover:
    """Hand a case over to the municipality's social-work organisation.

    Idempotent: a case with an active handover keeps it (the newer preferred time and summary are
    added to it). Without a social-work organisation the handover still exists, unrouted, and the
    coordinator sees it.
    """
    if attempt is not None:
        preferred_contact_time = preferred_contact_time or attempt.preferred_contact_time
        summary = summary or attempt.summary
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()
        existing = Handover.objects.filter(case=case, status__in=Handover.ACTIVE).first()
        if existing is not None:
            changed = []
            if preferred_contact_time and preferred_contact_time != existing.preferred_contact_time:
                existing.preferred_contact_time = preferred_contact_time
                changed.append("preferred_contact_time")
            if summary and summary not in existing.summary:
                existing.summary = f"{existing.summary}\n\n{summary}".strip()
                changed.append("summary")
            if changed:
                existing.save(update_fields=changed)
                record(
                    actor=actor, action=AuditAction.UPDATE, obj=existing, detail={"fields": changed}
                )
            return existing
        social_work = social_work_for(case.municipality)
        handover = Handover.objects.create(
            municipality_id=case.municipality_id,
            case=case,
            social_work=social_work,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            preferred_contact_time=preferred_contact_time[:200],
            summary=summary,
            requested_in=attempt,
        )
        record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=handover,
            detail={"case": case.pk, "routed": social_work is not None},
        )
    logger.info(
        "handover_created",
        handover_id=handover.pk,
        case_id=case.pk,
        routed=social_work is not None,
    )
    return handover


def hand_over_queued_cases(*, municipality, actor=None) -> int:
    """Handovers for the municipality's cases in the social workers' queue that never had one
    (cases the intake routed straight to social work; a returned one stays with the
    coordinator), made as one batch with one audit entry. Returns how many were made."""
    with transaction.atomic():
        # One batch per municipality at a time, so two workers never hand a case over twice.
        Organisation.objects.select_for_update().filter(pk=municipality.pk).first()
        case_ids = list(
            Case.objects.filter(
                municipality=municipality,
                state=CaseState.SOCIAL_WORK_QUEUE,
                handovers__isnull=True,
            ).values_list("pk", flat=True)
        )
        if not case_ids:
            return 0
        social_work = social_work_for(municipality)
        Handover.objects.bulk_create(
            Handover(municipality_id=municipality.pk, case_id=case_id, social_work=social_work)
            for case_id in case_ids
        )
        record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type=Handover._meta.label_lower,
            organisation=municipality,
            detail={"count": len(case_ids), "routed": social_work is not None},
        )
    logger.info(
        "handovers_created",
        municipality_id=municipality.pk,
        count=len(case_ids),
        routed=social_work is not None,
    )
    return len(case_ids)


def on_case_transitioned(sender, *, municipality_id, to_state, **kwargs) -> None:
    """Receiver of ``case_transitioned``: cases routed to the social workers' queue get their
    handover (the intake does not know about this app). The work is one background batch per
    municipality, so an import that routes thousands of cases does not wait for them one by one;
    a batch that finds nothing left to do is cheap."""
    if to_state != CaseState.SOCIAL_WORK_QUEUE:
        return
    from .tasks import hand_over_queued_cases_of

    try:
        hand_over_queued_cases_of.enqueue(municipality_id=municipality_id)
    except Exception:  # a receiver must not raise into the sender
        logger.exception("handover_batch_enqueue_failed", municipality_id=municipality_id)


def _lock(handover: Handover) -> Handover:
    return Handover.objects.select_for_update().select_related("case").get(pk=handover.pk)


def _move(case: Case, to_state: CaseState, *, actor, reason: str, end_result: str = "") -> None:
    try:
        transition(case, to_state, actor=actor, reason=reason, end_result=end_result)
    except TransitionNotAllowed as refused:
        raise HandoverError(
            _("The case is now “%(state)s”; this step is not possible any more.")
            % {"state": CaseState(refused.current).label}
        ) from None


def _require_status(handover: Handover, *allowed: str) -> None:
    if handover.status not in allowed:
        raise HandoverError(
            _("This handover is “%(status)s”; this step is not possible.")
            % {"status": handover.get_status_display()}
        )


def _require_colleague(handover: Handover, user) -> None:
    if (
        handover.social_work_id is None
        or not Membership.objects.filter(
            user=user,
            organisation_id=handover.social_work_id,
            role=Role.SOCIAL_WORKER,
            is_active=True,
            user__is_active=True,
        ).exists()
    ):
        raise HandoverError(_("Only a social worker of the receiving organisation can take this."))


def accept(*, actor, handover: Handover, assign_to=None) -> Handover:
    """A social worker accepts a handover for themselves (or for ``assign_to``, a colleague of
    the same organisation); the case becomes HANDED_OVER."""
    worker = assign_to or actor
    with transaction.atomic():
        locked = _lock(handover)
        _require_status(locked, Handover.Status.OPEN)
        _require_colleague(locked, worker)
        if CaseState(locked.case.state) != CaseState.HANDED_OVER:
            _move(locked.case, CaseState.HANDED_OVER, actor=actor, reason=_("Handover accepted"))
        locked.status = Handover.Status.ACCEPTED
        locked.accepted_at = timezone.now()
        locked.assigned_to = worker
        locked.save(update_fields=["status", "accepted_at", "assigned_to"])
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            detail={"status": "accepted", "assigned_to": worker.pk},
        )
        transaction.on_commit(lambda: handover_accepted.send(sender=Handover, handover=locked))
    return locked


def assign(*, actor, handover: Handover, colleague) -> Handover:
    """Give a handover to a colleague: an open one is accepted for them, an accepted one moves."""
    if handover.status == Handover.Status.OPEN:
        return accept(actor=actor, handover=handover, assign_to=colleague)
    with transaction.atomic():
        locked = _lock(handover)
        _require_status(locked, Handover.Status.ACCEPTED, Handover.Status.IN_CONTACT)
        _require_colleague(locked, colleague)
        locked.assigned_to = colleague
        locked.save(update_fields=["assigned_to"])
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            detail={"assigned_to": colleague.pk},
        )
    return locked


def register_contact(
    *,
    actor,
    handover: Handover,
    kind: str,
    occurred_at: dt.datetime,
    reached: bool,
    direction: str = ContactAttempt.Direction.OUTBOUND,
    note: str = "",
    now: dt.datetime | None = None,
) -> ContactAttempt:
    """A social worker's attempt to reach the resident (a DDAS contactpoging). The first attempt
    that reaches the resident moves the case to FOLLOW_UP."""
    now = now or timezone.now()
    if occurred_at > now + dt.timedelta(minutes=5):
        raise HandoverError(_("A contact attempt cannot lie in the future."))
    if kind not in ContactAttempt.Kind.values:
        raise HandoverError(_("Choose the kind of contact."))
    with transaction.atomic():
        locked = _lock(handover)
        _require_status(locked, Handover.Status.ACCEPTED, Handover.Status.IN_CONTACT)
        attempt = ContactAttempt.objects.create(
            municipality_id=locked.municipality_id,
            case=locked.case,
            kind=kind,
            direction=direction,
            occurred_at=occurred_at,
            day_part=day_part(occurred_at).value,
            reached=reached,
            agent=actor,
            summary=note.strip(),
        )
        if reached:
            if CaseState(locked.case.state) == CaseState.HANDED_OVER:
                _move(locked.case, CaseState.FOLLOW_UP, actor=actor, reason=_("Resident reached"))
            if locked.status != Handover.Status.IN_CONTACT:
                locked.status = Handover.Status.IN_CONTACT
                locked.save(update_fields=["status"])
        record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=attempt,
            detail={"handover": locked.pk, "kind": kind, "reached": reached},
        )
    return attempt


def register_result(*, actor, handover: Handover, result: str) -> Handover:
    """The follow-up result (a DDAS end result): closes the case with it."""
    if result not in FOLLOW_UP_RESULTS:
        raise HandoverError(_("Choose one of the follow-up results."))
    with transaction.atomic():
        locked = _lock(handover)
        _require_status(locked, Handover.Status.ACCEPTED, Handover.Status.IN_CONTACT)
        if result not in RESULTS_WITHOUT_CONTACT and locked.status != Handover.Status.IN_CONTACT:
            raise HandoverError(
                _("Register the contact with the resident first, or choose “%(result)s”.")
                % {"result": EndResult.NO_REACTION_AFTER_CONTACT.label}
            )
        _move(
            locked.case,
            CaseState.CLOSED,
            actor=actor,
            reason=_("Follow-up result"),
            end_result=str(result),
        )
        locked.status = Handover.Status.COMPLETED
        locked.result = str(result)
        locked.completed_at = timezone.now()
        locked.save(update_fields=["status", "result", "completed_at"])
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            detail={"status": "completed", "result": str(result)},
        )
    return locked


def return_handover(*, actor, handover: Handover, reason: str) -> Handover:
    """Send a handover back to the municipal coordinator, e.g. “not for us”."""
    reason = (reason or "").strip()
    if not reason:
        raise HandoverError(_("Say why you return this handover."))
    with transaction.atomic():
        locked = _lock(handover)
        _require_status(locked, Handover.Status.OPEN, Handover.Status.ACCEPTED)
        locked.status = Handover.Status.RETURNED
        locked.returned_at = timezone.now()
        locked.return_reason = reason[:500]
        locked.save(update_fields=["status", "returned_at", "return_reason"])
        now = timezone.now()
        for appointment in Appointment.objects.filter(
            handover=locked, cancelled_at__isnull=True, slot__starts_at__gt=now
        ):
            _cancel(actor, appointment, now)
            transaction.on_commit(lambda pk=appointment.pk: send_invitation(pk))
        record(actor=actor, action=AuditAction.UPDATE, obj=locked, detail={"status": "returned"})
    return locked


def reroute(*, actor, handover: Handover, social_work: Organisation) -> Handover:
    """The coordinator sends a returned or unrouted handover (again) to a social-work
    organisation: a returned one gets a fresh handover, an unrouted one is routed."""
    if social_work.kind not in (OrganisationKind.SOCIAL_WORK, OrganisationKind.MUNICIPALITY):
        raise HandoverError(_("Choose a social-work organisation."))
    with transaction.atomic():
        locked = _lock(handover)
        if locked.status == Handover.Status.OPEN and locked.social_work_id is None:
            locked.social_work = social_work
            locked.save(update_fields=["social_work"])
            record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=locked,
                detail={"social_work": social_work.pk},
            )
            return locked
        _require_status(locked, Handover.Status.RETURNED)
        if CaseState(locked.case.state) == CaseState.CLOSED:
            raise HandoverError(_("The case is closed."))
        fresh = Handover.objects.create(
            municipality_id=locked.municipality_id,
            case=locked.case,
            social_work=social_work,
            created_by=actor,
            preferred_contact_time=locked.preferred_contact_time,
            summary=locked.summary,
            requested_in=locked.requested_in,
        )
        record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=fresh,
            detail={"case": locked.case_id, "rerouted_from": locked.pk},
        )
    return fresh


def close_unhandled(*, actor, handover: Handover, end_result: str) -> Handover:
    """The coordinator closes the case of a returned or unrouted handover with an end result."""
    if end_result not in EndResult.values:
        raise HandoverError(_("Choose an end result."))
    with transaction.atomic():
        locked = _lock(handover)
        unrouted = locked.status == Handover.Status.OPEN and locked.social_work_id is None
        if not unrouted:
            _require_status(locked, Handover.Status.RETURNED)
        _move(
            locked.case,
            CaseState.CLOSED,
            actor=actor,
            reason=_("Closed by the coordinator"),
            end_result=end_result,
        )
        if unrouted:
            locked.status = Handover.Status.RETURNED
            locked.returned_at = timezone.now()
            locked.return_reason = _("No social-work organisation; closed by the coordinator.")
        locked.result = end_result
        locked.completed_at = timezone.now()
        locked.save(
            update_fields=["status", "returned_at", "return_reason", "result", "completed_at"]
        )
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            detail={"closed": True, "result": end_result},
        )
    return locked


# --- the shared agenda -------------------------------------------------------------------------


def publish_slots(
    *,
    actor,
    organisation: Organisation,
    first_start: dt.datetime,
    minutes: int,
    weeks: int = 1,
    location: str = "",
    channel: str = AppointmentChannel.PHONE,
    now: dt.datetime | None = None,
) -> list[AppointmentSlot]:
    """Publish the actor's availability: one slot, or the same weekday and time for ``weeks``
    weeks. Times the worker already published are skipped. Returns the new slots."""
    now = now or timezone.now()
    if first_start <= now:
        raise HandoverError(_("A slot must lie in the future."))
    if not 5 <= minutes <= MAX_SLOT_MINUTES:
        raise HandoverError(_("A slot lasts between 5 minutes and 8 hours."))
    if not 1 <= weeks <= MAX_SERIES_WEEKS:
        raise HandoverError(_("A series runs for 1 to %(max)s weeks.") % {"max": MAX_SERIES_WEEKS})
    local = timezone.localtime(first_start)
    starts = []
    for week in range(weeks):
        # Same wall-clock time every week, also across a change to or from summer time.
        day = local.date() + dt.timedelta(weeks=week)
        naive = dt.datetime.combine(day, local.time().replace(tzinfo=None))
        starts.append(timezone.make_aware(naive, local.tzinfo))
    with transaction.atomic():
        taken = set(
            AppointmentSlot.objects.filter(social_worker=actor, starts_at__in=starts).values_list(
                "starts_at", flat=True
            )
        )
        slots = AppointmentSlot.objects.bulk_create(
            [
                AppointmentSlot(
                    organisation=organisation,
                    social_worker=actor,
                    starts_at=start,
                    ends_at=start + dt.timedelta(minutes=minutes),
                    location=location.strip()[:200],
                    channel=channel,
                )
                for start in starts
                if start not in taken
            ]
        )
        record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type=AppointmentSlot._meta.label_lower,
            organisation=organisation,
            detail={"count": len(slots), "weeks": weeks, "minutes": minutes},
        )
    return slots


def withdraw_slot(*, actor, slot: AppointmentSlot) -> None:
    """Take back a free slot. A booked one must be cancelled first."""
    with transaction.atomic():
        locked = AppointmentSlot.objects.select_for_update().get(pk=slot.pk)
        if locked.appointments.filter(cancelled_at__isnull=True).exists():
            raise HandoverError(
                _("This slot is booked. Cancel the appointment first; the resident must be told.")
            )
        if locked.appointments.exists():
            raise HandoverError(_("This slot has a cancelled appointment and stays as history."))
        record(
            actor=actor,
            action=AuditAction.DELETE,
            obj=locked,
            organisation=locked.organisation,
        )
        locked.delete()


def book_slot(
    *, actor, handover: Handover, slot: AppointmentSlot, now: dt.datetime | None = None
) -> Appointment:
    """Book a free slot of the handover's social-work organisation for the handover.

    Double booking is impossible: the slot row is locked, and a partial unique index allows one
    active appointment per slot whatever the database. ``SlotTaken`` when someone was first.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = AppointmentSlot.objects.select_for_update().get(pk=slot.pk)
        if locked.starts_at <= now:
            raise HandoverError(_("This time has passed; choose a later one."))
        if handover.social_work_id is None or locked.organisation_id != handover.social_work_id:
            raise HandoverError(
                _("This slot belongs to another organisation than the one receiving the case.")
            )
        if not handover.is_active:
            raise HandoverError(_("This handover is finished; no appointment can be made."))
        if locked.appointments.filter(cancelled_at__isnull=True).exists():
            raise SlotTaken(_slot_taken_message(locked))
        try:
            with transaction.atomic():
                appointment = Appointment.objects.create(
                    slot=locked,
                    handover=handover,
                    case_id=handover.case_id,
                    municipality_id=handover.municipality_id,
                    booked_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
        except IntegrityError:
            raise SlotTaken(_slot_taken_message(locked)) from None
        record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=appointment,
            detail={"slot": locked.pk, "handover": handover.pk},
        )
        transaction.on_commit(lambda: send_invitation(appointment.pk))
    logger.info("appointment_booked", appointment_id=appointment.pk, slot_id=locked.pk)
    return appointment


def _slot_taken_message(slot: AppointmentSlot) -> str:
    return _(
        "The time %(time)s was just booked by someone else. Nothing was saved; "
        "choose another time with the resident."
    ) % {"time": date_format(timezone.localtime(slot.starts_at), "l j F H:i")}


def _cancel(actor, appointment: Appointment, now: dt.datetime) -> None:
    """Mark cancelled (the slot is free again); the caller sends the cancellation."""
    Appointment.objects.filter(pk=appointment.pk).update(
        cancelled_at=now, cancelled_by=actor if getattr(actor, "is_authenticated", False) else None
    )
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=appointment,
        detail={"cancelled": True, "slot": appointment.slot_id},
    )


def cancel_appointment(*, actor, appointment: Appointment) -> None:
    """Cancel an appointment; its slot is free again (if still in the future)."""
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if locked.cancelled_at is not None:
            raise HandoverError(_("This appointment was already cancelled."))
        _cancel(actor, locked, timezone.now())
        if locked.slot.starts_at > timezone.now():
            transaction.on_commit(lambda: send_invitation(locked.pk))


def send_invitation(appointment_id: int) -> bool:
    """E-mail the ``.ics`` invitation to the social worker. Returns whether it was sent."""
    appointment = (
        Appointment.objects.select_related("slot__social_worker", "case", "municipality")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None:
        return False
    worker = appointment.slot.social_worker
    if not worker.email:
        logger.info("invitation_not_sent", appointment_id=appointment_id, reason="no_email")
        return False
    when = date_format(timezone.localtime(appointment.slot.starts_at), "l j F Y H:i")
    values = {
        "municipality": appointment.municipality.name,
        "when": when,
        "reference": appointment.case.reference,
    }
    if appointment.cancelled_at is None:
        subject = _("Appointment %(reference)s on %(when)s") % values
        body = (
            _(
                "A resident of %(municipality)s has an appointment with you on %(when)s "
                "(case %(reference)s). The details are in Bereik under Agenda."
            )
            % values
        )
        method = "REQUEST"
    else:
        subject = _("Cancelled: appointment %(reference)s on %(when)s") % values
        body = _("The appointment of %(when)s (case %(reference)s) is cancelled.") % values
        method = "CANCEL"
    message = EmailMessage(subject=subject, body=body, to=[worker.email])
    message.attach("afspraak.ics", invitation(appointment), f"text/calendar; method={method}")
    try:
        message.send()
    except Exception:  # the booking stands; the invitation can be downloaded from the agenda
        logger.exception("invitation_failed", appointment_id=appointment_id)
        return False
    logger.info("invitation_sent", appointment_id=appointment_id)
    return True
