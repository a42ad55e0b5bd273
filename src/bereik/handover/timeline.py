"""The case timeline's events from contact attempts, messages, handovers and appointments
(registered with ``bereik.cases.selectors.register_timeline_source``)."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bereik.cases.results import EndResult
from bereik.cases.selectors import TimelineEvent, register_timeline_source
from bereik.outreach.models import ContactAttempt, OutboundMessage

from .models import Appointment, Handover


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def _result(value: str) -> str:
    return str(EndResult(value).label) if value in EndResult.values else value


def contact_events(case):
    for attempt in ContactAttempt.objects.filter(case=case).select_related("outcome", "agent"):
        if attempt.message_id:
            continue  # shown as the message itself
        parts = [attempt.get_kind_display()]
        if attempt.direction == ContactAttempt.Direction.INBOUND:
            parts.append(_("incoming"))
        if attempt.outcome:
            parts.append(attempt.outcome.label)
        else:
            parts.append(_("reached") if attempt.reached else _("not reached"))
        detail = []
        if attempt.help_requested is True:
            detail.append(_("wants help"))
        elif attempt.help_requested is False:
            detail.append(
                _("no help wanted: %(reason)s") % {"reason": attempt.get_no_help_reason_display()}
            )
        if attempt.summary:
            detail.append(attempt.summary)
        yield TimelineEvent(
            at=attempt.occurred_at,
            category="attempt",
            title=" · ".join(str(p) for p in parts),
            detail=" · ".join(str(d) for d in detail),
            actor=_name(attempt.agent),
        )


def message_events(case):
    for message in OutboundMessage.objects.filter(case=case).select_related(
        "template", "created_by"
    ):
        yield TimelineEvent(
            at=message.created_at,
            category="message",
            title=f"{message.get_channel_display()}: {message.template or ''}".rstrip(": "),
            detail=message.get_status_display(),
            actor=_name(message.created_by),
        )


def handover_events(case):
    handovers = Handover.objects.filter(case=case).select_related(
        "social_work", "assigned_to", "created_by"
    )
    for handover in handovers:
        yield TimelineEvent(
            at=handover.created_at,
            category="handover",
            title=_("Handed over to %(organisation)s")
            % {"organisation": handover.social_work or _("(no social-work organisation)")},
            detail=" · ".join(p for p in (handover.preferred_contact_time, handover.summary) if p),
            actor=_name(handover.created_by),
        )
        if handover.accepted_at:
            yield TimelineEvent(
                at=handover.accepted_at,
                category="handover",
                title=_("Handover accepted"),
                actor=_name(handover.assigned_to),
            )
        if handover.returned_at:
            yield TimelineEvent(
                at=handover.returned_at,
                category="handover",
                title=_("Handover returned to the coordinator"),
                detail=handover.return_reason,
            )
        if handover.completed_at and handover.result:
            yield TimelineEvent(
                at=handover.completed_at,
                category="result",
                title=_("Result: %(result)s") % {"result": _result(handover.result)},
                actor=_name(handover.assigned_to),
            )


def appointment_events(case):
    appointments = Appointment.objects.filter(case=case).select_related(
        "slot__social_worker", "booked_by", "cancelled_by"
    )
    for appointment in appointments:
        slot = appointment.slot
        when = date_format(timezone.localtime(slot.starts_at), "l j F Y H:i")
        yield TimelineEvent(
            at=appointment.booked_at,
            category="appointment",
            title=_("Appointment booked for %(when)s") % {"when": when},
            detail=" · ".join(
                p
                for p in (_name(slot.social_worker), str(slot.get_channel_display()), slot.location)
                if p
            ),
            actor=_name(appointment.booked_by),
        )
        if appointment.cancelled_at:
            yield TimelineEvent(
                at=appointment.cancelled_at,
                category="appointment",
                title=_("Appointment of %(when)s cancelled") % {"when": when},
                actor=_name(appointment.cancelled_by),
            )


def register_timeline() -> None:
    for source in (contact_events, message_events, handover_events, appointment_events):
        register_timeline_source(source)
