"""Reads of handovers and the shared agenda, always scoped to what the user may see.

A social worker sees the handovers of the municipalities their organisation works for *and*
that were routed to their organisation; an agent sees the free slots of the organisation that
receives the handovers of a municipality they call for; the coordinator sees returned and
unrouted handovers of their municipality.
"""

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from bereik.accounts.access import access_for, get_for_user, scope
from bereik.accounts.models import Membership, Organisation, ServiceAgreement
from bereik.accounts.roles import OrganisationKind, Permission, Role
from bereik.cases.workflow import CaseState

from .models import Appointment, AppointmentSlot, Handover

HANDLE = Permission.HANDLE_HANDOVERS
# How far ahead an agent sees free slots during a call.
BOOKING_HORIZON = dt.timedelta(weeks=4)


class QueueFilter:
    OPEN = "open"
    MINE = "mine"
    ALL = "all"
    CHOICES = (OPEN, MINE, ALL)


# --- routing -----------------------------------------------------------------------------------


def social_work_for(municipality, *, on: dt.date | None = None) -> Organisation | None:
    """The organisation that receives the municipality's handovers.

    A social-work provider with a current service agreement (the longest-standing one when there
    are several); otherwise the municipality itself when it has active social workers; else None.
    """
    on = on or timezone.localdate()
    agreement = (
        ServiceAgreement.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=on),
            municipality=municipality,
            starts_on__lte=on,
            provider__kind=OrganisationKind.SOCIAL_WORK,
            provider__is_active=True,
        )
        .select_related("provider")
        .order_by("starts_on", "pk")
        .first()
    )
    if agreement is not None:
        return agreement.provider
    has_own = Membership.objects.filter(
        organisation=municipality, role=Role.SOCIAL_WORKER, is_active=True, user__is_active=True
    ).exists()
    return municipality if has_own else None


def social_work_choices(municipality) -> list[Organisation]:
    """Organisations the coordinator may route a handover of this municipality to."""
    today = timezone.localdate()
    providers = [
        a.provider
        for a in ServiceAgreement.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=today),
            municipality=municipality,
            starts_on__lte=today,
            provider__kind=OrganisationKind.SOCIAL_WORK,
            provider__is_active=True,
        )
        .select_related("provider")
        .order_by("provider__name")
    ]
    own = Membership.objects.filter(
        organisation=municipality, role=Role.SOCIAL_WORKER, is_active=True
    ).exists()
    return providers + ([municipality] if own else [])


def social_workers_of(organisation_id: int) -> list:
    """Active social workers of an organisation, by name."""
    memberships = (
        Membership.objects.filter(
            organisation_id=organisation_id,
            role=Role.SOCIAL_WORKER,
            is_active=True,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username")
    )
    return [m.user for m in memberships]


def my_organisation_ids(user) -> set[int]:
    """The organisations in which the user is a social worker."""
    return {o.pk for o in access_for(user).organisations_with(HANDLE)}


# --- the social workers' queue -----------------------------------------------------------------


def handovers_for(user) -> QuerySet[Handover]:
    return scope(Handover.objects.all(), user, HANDLE).filter(
        social_work_id__in=my_organisation_ids(user)
    )


def queue(user, queue_filter: str = QueueFilter.OPEN) -> QuerySet[Handover]:
    """Crisis first, then oldest."""
    handovers = handovers_for(user).select_related(
        "case__resident", "municipality", "assigned_to", "social_work"
    )
    if queue_filter == QueueFilter.MINE:
        handovers = handovers.filter(assigned_to=user, status__in=Handover.ACTIVE)
    elif queue_filter == QueueFilter.OPEN:
        handovers = handovers.filter(status=Handover.Status.OPEN)
    return handovers.order_by("-case__is_crisis", "created_at", "pk")


def counts(user, now: dt.datetime) -> dict[str, int]:
    handovers = handovers_for(user)
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return {
        "open": handovers.filter(status=Handover.Status.OPEN).count(),
        "mine": handovers.filter(assigned_to=user, status__in=Handover.ACTIVE).count(),
        "today": booked_for_worker(user)
        .filter(slot__starts_at__gte=start, slot__starts_at__lt=start + dt.timedelta(days=1))
        .count(),
    }


# --- the coordinator ---------------------------------------------------------------------------


def unhandled_for(user) -> QuerySet[Handover]:
    """Handovers nobody works on: returned ones not yet sent on or closed, and unrouted ones."""
    active_elsewhere = Handover.objects.filter(
        case_id=OuterRef("case_id"), status__in=Handover.ACTIVE
    )
    return (
        scope(Handover.objects.all(), user, Permission.MANAGE_RULES)
        .filter(
            Q(status=Handover.Status.RETURNED, result="")
            | Q(status=Handover.Status.OPEN, social_work__isnull=True)
        )
        .exclude(Q(status=Handover.Status.RETURNED) & Exists(active_elsewhere))
        .exclude(case__state=CaseState.CLOSED)
        .select_related("case", "municipality", "social_work")
        .order_by("-case__is_crisis", "created_at", "pk")
    )


def unrouted_for(user, permission: Permission) -> QuerySet[Handover]:
    """Help requests no social-work organisation received (the municipality has none)."""
    return scope(Handover.objects.all(), user, permission).filter(
        status=Handover.Status.OPEN, social_work__isnull=True
    )


# --- the agenda --------------------------------------------------------------------------------


def active_appointment() -> Exists:
    return Exists(Appointment.objects.filter(slot_id=OuterRef("pk"), cancelled_at__isnull=True))


def free_slots(organisation_id: int | None, now: dt.datetime) -> QuerySet[AppointmentSlot]:
    """Bookable slots: in the future, within the booking horizon, not booked."""
    if organisation_id is None:
        return AppointmentSlot.objects.none()
    return (
        AppointmentSlot.objects.filter(
            organisation_id=organisation_id,
            starts_at__gt=now,
            starts_at__lte=now + BOOKING_HORIZON,
        )
        .exclude(active_appointment())
        .select_related("social_worker")
        .order_by("starts_at", "pk")
    )


def free_slots_for_municipality(user, municipality, now: dt.datetime) -> QuerySet:
    """What an agent may offer a resident of this municipality during the call."""
    if not access_for(user).can(Permission.WORK_CALL_QUEUE, municipality.pk):
        return AppointmentSlot.objects.none()
    organisation = social_work_for(municipality)
    return free_slots(organisation.pk if organisation else None, now)


def my_slots(user, now: dt.datetime) -> QuerySet[AppointmentSlot]:
    """The social worker's own slots from today on, with their active appointment, if any."""
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return (
        AppointmentSlot.objects.filter(social_worker=user, starts_at__gte=start)
        .annotate(is_booked=active_appointment())
        .order_by("starts_at", "pk")
    )


def booked_for_worker(user) -> QuerySet[Appointment]:
    """Active appointments in the worker's own slots (scoped: municipalities they serve)."""
    return scope(
        Appointment.objects.filter(slot__social_worker=user, cancelled_at__isnull=True),
        user,
        HANDLE,
    ).select_related("slot", "case__resident", "handover", "municipality")


def appointments_for_worker(user, now: dt.datetime) -> QuerySet[Appointment]:
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return booked_for_worker(user).filter(slot__starts_at__gte=start).order_by("slot__starts_at")


def appointments_of_case(case) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(case=case)
        .select_related("slot__social_worker", "booked_by")
        .order_by("slot__starts_at", "pk")
    )


def appointment_for(user, pk: int) -> Appointment:
    """An appointment the user may see: a social worker's own slot, an agent's booking for a
    municipality they call for, or any appointment of a handover of their organisation."""
    queryset = Appointment.objects.select_related(
        "slot__social_worker", "case", "municipality", "handover"
    )
    access = access_for(user)
    if access.has(HANDLE):
        return get_for_user(
            user,
            queryset.filter(handover__social_work_id__in=my_organisation_ids(user)),
            HANDLE,
            pk=pk,
        )
    return get_for_user(user, queryset, Permission.WORK_CALL_QUEUE, pk=pk)
