"""Month-end closure, re-approach and escalation rules, proposals and partner feedback.

Municipality-level pages take ``?gemeente=<id>`` (a municipality outside the user's reach is a
404, a user without the permission anywhere gets 403); objects come through
``access.get_for_user``.
"""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bereik.accounts.access import access_for, get_for_user, municipalities_for
from bereik.accounts.models import Organisation
from bereik.accounts.roles import Permission
from bereik.audit.models import AuditAction
from bereik.audit.services import record

from . import months, selectors, services
from .forms import DecisionForm, RuleForm
from .models import ClosureBatch, Proposal, RuleKind


def _municipality(request, permission: Permission) -> tuple[Organisation, list[Organisation]]:
    choices = list(municipalities_for(request.user, permission))
    if not choices:
        raise PermissionDenied
    raw = request.POST.get("gemeente") or request.GET.get("gemeente")
    if not raw:
        return choices[0], choices
    for organisation in choices:
        if str(organisation.pk) == raw:
            return organisation, choices
    raise Http404


def _month(request, default: dt.date) -> tuple[dt.date, str]:
    """The month asked for (``maand=YYYY-MM``) and an error message when it is malformed."""
    raw = request.POST.get("maand") or request.GET.get("maand")
    if not raw:
        return default, ""
    try:
        return services.parse_month(raw), ""
    except services.LifecycleError as error:
        return default, error.message


# --- month-end closure ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def closure(request):
    municipality, choices = _municipality(request, Permission.CLOSE_MONTH)
    today = timezone.localdate()
    month, error = _month(request, selectors.last_closable_month(today))
    status = 400 if error else 200
    if request.method == "POST" and not error:
        try:
            batch = services.close_month(municipality=municipality, month=month, actor=request.user)
        except services.LifecycleError as refused:
            error = refused.message
            status = 409
        else:
            messages.success(
                request,
                _("%(count)d cases of %(month)s are closed.")
                % {"count": batch.case_count, "month": f"{month:%m-%Y}"},
            )
            return redirect("lifecycle:batch", pk=batch.pk)
    not_yet = ""
    try:
        services.check_closable(month, today)
    except services.LifecycleError as refused:
        not_yet = refused.message
    plan = selectors.closure_plan(municipality, month)
    if request.method == "GET" and plan.to_close:
        record(
            actor=request.user,
            action=AuditAction.VIEW,
            object_type="lifecycle.closureplan",
            organisation=municipality,
            detail={"month": f"{month:%Y-%m}", "cases": len(plan.to_close)},
        )
    return render(
        request,
        "lifecycle/closure.html",
        {
            "municipality": municipality,
            "municipalities": choices,
            "month": month,
            "plan": plan,
            "error": error,
            "not_yet": not_yet,
            "closed_batches": selectors.active_batches(municipality, month),
            "history": selectors.batches(municipality)[:24],
            "undo_deadline": months.undo_deadline(month),
        },
        status=status,
    )


def _batch(request, pk: int) -> ClosureBatch:
    return get_for_user(
        request.user,
        ClosureBatch.objects.select_related("municipality", "closed_by", "undone_by"),
        Permission.CLOSE_MONTH,
        pk=pk,
    )


@require_GET
def batch(request, pk: int):
    closure_batch = _batch(request, pk)
    record(actor=request.user, action=AuditAction.VIEW, obj=closure_batch)
    undo_error = ""
    try:
        services.check_undoable(closure_batch, timezone.localdate())
    except services.LifecycleError as refused:
        undo_error = refused.message
    return render(
        request,
        "lifecycle/batch.html",
        {
            "batch": closure_batch,
            "items": selectors.batch_items(closure_batch),
            "counts": [(result, count) for result, count in closure_batch.counts.items()],
            "skipped": [
                (selectors.SKIP_REASONS.get(reason, reason), count)
                for reason, count in closure_batch.skipped.items()
            ],
            "undo_error": undo_error,
            "undo_deadline": months.undo_deadline(closure_batch.month),
            "reasons": selectors.CLOSE_REASONS,
        },
    )


@require_POST
def undo(request, pk: int):
    closure_batch = _batch(request, pk)
    try:
        result = services.undo_closure(batch=closure_batch, actor=request.user)
    except services.LifecycleError as refused:
        messages.error(request, refused.message)
        return redirect("lifecycle:batch", pk=closure_batch.pk)
    if result.kept:
        messages.warning(
            request,
            _(
                "The closure is undone: %(restored)d cases are back where they were; %(kept)d "
                "cases changed after the closure and were left as they are."
            )
            % {"restored": result.restored, "kept": result.kept},
        )
    else:
        messages.success(
            request,
            _("The closure is undone: %(restored)d cases are back where they were.")
            % {"restored": result.restored},
        )
    return redirect("lifecycle:batch", pk=closure_batch.pk)


# --- rules ------------------------------------------------------------------------------------


@require_GET
def rules(request):
    municipality, choices = _municipality(request, Permission.MANAGE_RULES)
    current = selectors.rules(municipality)
    return render(
        request,
        "lifecycle/rules.html",
        {
            "municipality": municipality,
            "municipalities": choices,
            "rules": [(kind, current.get(kind.value)) for kind in RuleKind],
        },
    )


@require_http_methods(["GET", "POST"])
def rule_edit(request, municipality_pk: int, kind: str):
    if kind not in RuleKind.values:
        raise Http404
    if not access_for(request.user).has(Permission.MANAGE_RULES):
        raise PermissionDenied
    if not access_for(request.user).can(Permission.MANAGE_RULES, municipality_pk):
        raise Http404
    municipality = Organisation.objects.get(pk=municipality_pk)
    rule = selectors.rules(municipality).get(kind)
    form = RuleForm(request.POST or None, instance=rule, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_rule(
                municipality=municipality,
                kind=kind,
                values={name: form.cleaned_data[name] for name in form.fields},
                actor=request.user,
            )
        except services.LifecycleError as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("The rule is saved."))
            return redirect(f"{reverse('lifecycle:rules')}?gemeente={municipality.pk}")
    return render(
        request,
        "lifecycle/rule_edit.html",
        {"municipality": municipality, "kind": RuleKind(kind), "form": form, "rule": rule},
        status=400 if form.is_bound and form.errors else 200,
    )


# --- proposals --------------------------------------------------------------------------------


@require_GET
def proposals(request):
    municipality, choices = _municipality(request, Permission.MANAGE_RULES)
    pending = list(selectors.pending_proposals([municipality.pk]))
    decided = list(selectors.decided_proposals([municipality.pk])[:50])
    record(
        actor=request.user,
        action=AuditAction.VIEW,
        object_type=Proposal._meta.label_lower,
        organisation=municipality,
        detail={"list": "proposals", "pending": len(pending), "decided": len(decided)},
    )
    return render(
        request,
        "lifecycle/proposals.html",
        {
            "municipality": municipality,
            "municipalities": choices,
            "pending": pending,
            "decided": decided,
            "active_rules": [r for r in selectors.rules(municipality).values() if r.is_active],
        },
    )


@require_POST
def run_rules(request):
    municipality, _choices = _municipality(request, Permission.MANAGE_RULES)
    made = services.apply_rules(municipality=municipality, actor=request.user)
    if not made:
        messages.warning(request, _("There are no active rules. Set up a rule first."))
    else:
        messages.success(request, _("%(count)d new proposals.") % {"count": sum(made.values())})
    return redirect(f"{reverse('lifecycle:proposals')}?gemeente={municipality.pk}")


@require_http_methods(["GET", "POST"])
def proposal(request, pk: int):
    item = get_for_user(
        request.user,
        Proposal.objects.select_related("rule", "case", "resident", "municipality", "decided_by"),
        Permission.MANAGE_RULES,
        pk=pk,
    )
    form = DecisionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        decision = request.POST.get("decision")
        if decision not in ("confirm", "reject"):
            form.add_error(None, _("Choose confirm or reject."))
        if form.is_valid():
            decide = (
                services.confirm_proposal if decision == "confirm" else services.reject_proposal
            )
            try:
                decide(proposal=item, actor=request.user, note=form.cleaned_data["note"])
            except services.LifecycleError as refused:
                form.add_error(None, refused.message)
                status = 409
            else:
                messages.success(
                    request,
                    _("The proposal is confirmed.")
                    if decision == "confirm"
                    else _("The proposal is rejected."),
                )
                return redirect(f"{reverse('lifecycle:proposals')}?gemeente={item.municipality_id}")
        if status == 200:
            status = 400
    else:
        record(actor=request.user, action=AuditAction.VIEW, obj=item)
    return render(
        request,
        "lifecycle/proposal.html",
        {"proposal": item, "facts": selectors.proposal_facts(item), "form": form},
        status=status,
    )


# --- partner feedback -------------------------------------------------------------------------


def _previous_month() -> dt.date:
    return months.previous_month(timezone.localdate().replace(day=1))


@require_GET
def feedback(request):
    municipality, choices = _municipality(request, Permission.PARTNER_FEEDBACK)
    month, error = _month(request, _previous_month())
    labels = selectors.partner_labels(municipality)
    partner = request.GET.get("partner", "")
    if partner and partner not in labels:
        raise Http404
    summary = None
    if partner:
        result = selectors.partner_feedback(municipality, partner, month)
        summary = {
            "picked_up": sum(1 for _id, status in result.rows if status == selectors.PICKED_UP),
            "not_picked_up": sum(
                1 for _id, status in result.rows if status == selectors.NOT_PICKED_UP
            ),
            "without_id": result.without_id,
        }
    return render(
        request,
        "lifecycle/feedback.html",
        {
            "municipality": municipality,
            "municipalities": choices,
            "month": month,
            "error": error,
            "labels": labels,
            "partner": partner,
            "summary": summary,
            "wrong_numbers": selectors.wrong_numbers(municipality, month),
        },
        status=400 if error else 200,
    )


def _download(download: services.Download) -> HttpResponse:
    response = HttpResponse(download.content, content_type=download.content_type)
    response["Content-Disposition"] = f'attachment; filename="{download.filename}"'
    return response


def _download_month(request) -> dt.date:
    try:
        return services.parse_month(request.GET.get("maand", ""))
    except services.LifecycleError:
        raise Http404 from None


@require_GET
def feedback_download(request):
    municipality, _choices = _municipality(request, Permission.PARTNER_FEEDBACK)
    month = _download_month(request)
    partner = request.GET.get("partner", "")
    if partner not in selectors.partner_labels(municipality):
        raise Http404
    return _download(
        services.export_partner_feedback(
            municipality=municipality,
            partner=partner,
            month=month,
            fmt=request.GET.get("formaat", "csv"),
            actor=request.user,
        )
    )


@require_GET
def wrong_numbers_download(request):
    municipality, _choices = _municipality(request, Permission.PARTNER_FEEDBACK)
    month = _download_month(request)
    return _download(
        services.export_wrong_numbers(
            municipality=municipality,
            month=month,
            fmt=request.GET.get("formaat", "csv"),
            actor=request.user,
        )
    )
