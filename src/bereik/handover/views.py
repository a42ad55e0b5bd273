"""Pages of the warm handover and the shared agenda. Each view parses input, obtains objects
through the scoped selectors (another municipality's or organisation's handover is a 404, a user
without the permission gets a 403) and calls one service."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bereik.accounts.access import access_for, get_for_user, require
from bereik.accounts.roles import Permission
from bereik.audit.models import AuditAction
from bereik.audit.services import record

from . import selectors, services
from .calendar import invitation
from .forms import (
    AssignForm,
    CloseForm,
    ContactForm,
    RerouteForm,
    ResultForm,
    ReturnForm,
    SlotForm,
)
from .models import AppointmentSlot, Handover

HANDLE = Permission.HANDLE_HANDOVERS
RULES = Permission.MANAGE_RULES

HANDOVER_DETAILS = Handover.objects.select_related(
    "case__resident", "municipality", "social_work", "assigned_to", "requested_in__agent"
)


def _handover_for(request, pk: int) -> Handover:
    return get_for_user(
        request.user,
        HANDOVER_DETAILS.filter(social_work_id__in=selectors.my_organisation_ids(request.user)),
        HANDLE,
        pk=pk,
    )


def _refused(request, error: services.HandoverError, handover: Handover):
    messages.error(request, error.message)
    return redirect("handover:detail", pk=handover.pk)


# --- the queue and one handover ----------------------------------------------------------------


def queue(request):
    require(request.user, HANDLE)
    queue_filter = request.GET.get("filter", selectors.QueueFilter.OPEN)
    if queue_filter not in selectors.QueueFilter.CHOICES:
        queue_filter = selectors.QueueFilter.OPEN
    handovers = list(selectors.queue(request.user, queue_filter)[:200])
    return render(
        request,
        "handover/queue.html",
        {
            "handovers": handovers,
            "filter": queue_filter,
            "counts": selectors.counts(request.user, timezone.now()),
        },
    )


def detail(request, pk: int):
    handover = _handover_for(request, pk)
    case = handover.case
    # Reading a resident's record is itself an event the municipality must be able to account for.
    record(actor=request.user, action=AuditAction.VIEW, obj=case, detail={"via": "handover"})
    colleagues = selectors.social_workers_of(handover.social_work_id)
    return render(
        request,
        "handover/detail.html",
        {
            "handover": handover,
            "case": case,
            "resident": case.resident,
            "show_bsn": access_for(request.user).can(Permission.VIEW_BSN, case.municipality_id),
            "signals": case.signals.order_by("signal_date"),
            "phone_numbers": case.resident.phone_numbers.all(),
            "attempts": case.contact_attempts.select_related("agent", "outcome").order_by(
                "-occurred_at"
            ),
            "appointments": selectors.appointments_of_case(case),
            "assign_form": AssignForm(colleagues=colleagues),
            "contact_form": ContactForm(),
            "result_form": ResultForm(),
            "return_form": ReturnForm(),
            "now": timezone.now(),
        },
    )


@require_POST
def accept(request, pk: int):
    handover = _handover_for(request, pk)
    try:
        services.accept(actor=request.user, handover=handover)
    except services.HandoverError as refused:
        return _refused(request, refused, handover)
    messages.success(request, _("You accepted this handover. Contact the resident."))
    return redirect("handover:detail", pk=handover.pk)


@require_POST
def assign(request, pk: int):
    handover = _handover_for(request, pk)
    form = AssignForm(request.POST, colleagues=selectors.social_workers_of(handover.social_work_id))
    if not form.is_valid():
        messages.error(request, _("Choose a colleague."))
        return redirect("handover:detail", pk=handover.pk)
    colleague = form.cleaned_data["colleague"]
    try:
        services.assign(actor=request.user, handover=handover, colleague=colleague)
    except services.HandoverError as refused:
        return _refused(request, refused, handover)
    messages.success(
        request,
        _("Assigned to %(name)s.") % {"name": colleague.get_full_name() or colleague.username},
    )
    return redirect("handover:detail", pk=handover.pk)


@require_POST
def contact(request, pk: int):
    handover = _handover_for(request, pk)
    form = ContactForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            " ".join(f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items()),
        )
        return redirect("handover:detail", pk=handover.pk)
    try:
        services.register_contact(
            actor=request.user,
            handover=handover,
            kind=form.cleaned_data["kind"],
            direction=form.cleaned_data["direction"],
            occurred_at=form.cleaned_data["occurred_at"],
            reached=form.cleaned_data["reached"],
            note=form.cleaned_data["note"],
        )
    except services.HandoverError as refused:
        return _refused(request, refused, handover)
    messages.success(request, _("Contact attempt saved."))
    return redirect("handover:detail", pk=handover.pk)


@require_POST
def result(request, pk: int):
    handover = _handover_for(request, pk)
    form = ResultForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the follow-up results."))
        return redirect("handover:detail", pk=handover.pk)
    try:
        services.register_result(
            actor=request.user, handover=handover, result=form.cleaned_data["result"]
        )
    except services.HandoverError as refused:
        return _refused(request, refused, handover)
    messages.success(request, _("Result saved; the case is closed."))
    return redirect("handover:detail", pk=handover.pk)


@require_POST
def return_to_coordinator(request, pk: int):
    handover = _handover_for(request, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why you return this handover."))
        return redirect("handover:detail", pk=handover.pk)
    try:
        services.return_handover(
            actor=request.user, handover=handover, reason=form.cleaned_data["reason"]
        )
    except services.HandoverError as refused:
        return _refused(request, refused, handover)
    messages.success(request, _("Returned to the municipal coordinator."))
    return redirect("handover:queue")


# --- the agenda --------------------------------------------------------------------------------


def agenda(request):
    require(request.user, HANDLE)
    now = timezone.now()
    organisations = access_for(request.user).organisations_with(HANDLE)
    form = SlotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            slots = services.publish_slots(
                actor=request.user,
                organisation=organisations[0],
                first_start=form.first_start(),
                minutes=form.cleaned_data["minutes"],
                weeks=form.cleaned_data["weeks"],
                location=form.cleaned_data["location"],
                channel=form.cleaned_data["channel"],
            )
        except services.HandoverError as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(
                request, _("%(count)s free time(s) published.") % {"count": len(slots)}
            )
            return redirect("handover:agenda")
    appointments = list(selectors.appointments_for_worker(request.user, now))
    for appointment in appointments:
        record(
            actor=request.user,
            action=AuditAction.VIEW,
            obj=appointment.case,
            detail={"via": "agenda"},
        )
    return render(
        request,
        "handover/agenda.html",
        {
            "form": form,
            "slots": selectors.my_slots(request.user, now)[:200],
            "appointments": appointments,
            "now": now,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def withdraw_slot(request, pk: int):
    require(request.user, HANDLE)
    slot = AppointmentSlot.objects.filter(pk=pk, social_worker=request.user).first()
    if slot is None:
        raise Http404
    try:
        services.withdraw_slot(actor=request.user, slot=slot)
        messages.success(request, _("Free time withdrawn."))
    except services.HandoverError as refused:
        messages.error(request, refused.message)
    return redirect("handover:agenda")


@require_POST
def cancel_appointment(request, pk: int):
    require(request.user, HANDLE)
    appointment = selectors.appointment_for(request.user, pk)
    try:
        services.cancel_appointment(actor=request.user, appointment=appointment)
        messages.success(
            request, _("Appointment cancelled; the time is free again. Tell the resident.")
        )
    except services.HandoverError as refused:
        messages.error(request, refused.message)
    return redirect("handover:agenda")


@require_GET
def appointment_ics(request, pk: int):
    appointment = selectors.appointment_for(request.user, pk)
    record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=appointment,
        detail={"format": "ics"},
    )
    response = HttpResponse(invitation(appointment), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="afspraak-{appointment.case.reference}.ics"'
    )
    return response


# --- the coordinator ---------------------------------------------------------------------------


def coordination(request):
    require(request.user, RULES)
    handovers = list(selectors.unhandled_for(request.user)[:200])
    rows = [
        {
            "handover": handover,
            "reroute_form": RerouteForm(
                choices=selectors.social_work_choices(handover.municipality),
                prefix=f"h{handover.pk}",
            ),
        }
        for handover in handovers
    ]
    return render(request, "handover/coordination.html", {"rows": rows, "close_form": CloseForm()})


def _unhandled_for(request, pk: int) -> Handover:
    return get_for_user(request.user, selectors.unhandled_for(request.user), RULES, pk=pk)


@require_POST
def reroute(request, pk: int):
    handover = _unhandled_for(request, pk)
    form = RerouteForm(
        request.POST,
        choices=selectors.social_work_choices(handover.municipality),
        prefix=f"h{handover.pk}",
    )
    if not form.is_valid():
        messages.error(request, _("Choose a social-work organisation."))
        return redirect("handover:coordination")
    try:
        services.reroute(
            actor=request.user, handover=handover, social_work=form.cleaned_data["social_work"]
        )
        messages.success(
            request,
            _("Handover sent to %(name)s.") % {"name": form.cleaned_data["social_work"].name},
        )
    except services.HandoverError as refused:
        messages.error(request, refused.message)
    return redirect("handover:coordination")


@require_POST
def close(request, pk: int):
    handover = _unhandled_for(request, pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an end result."))
        return redirect("handover:coordination")
    try:
        services.close_unhandled(
            actor=request.user, handover=handover, end_result=form.cleaned_data["end_result"]
        )
        messages.success(request, _("The case is closed."))
    except services.HandoverError as refused:
        messages.error(request, refused.message)
    return redirect("handover:coordination")
