from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bereik.accounts.access import get_for_user, require
from bereik.accounts.roles import Permission
from bereik.audit.models import AuditAction
from bereik.audit.services import record
from bereik.portal.downloads import csv_bytes
from bereik.portal.params import optional_id

from . import columns, services
from . import enrichment as enrichment_service
from .forms import (
    EnrichmentAnswerForm,
    IntakeSettingsForm,
    MappingProfileForm,
    RoutingRuleFormSet,
    UploadForm,
)
from .models import EnrichmentBatch, ImportRun, IntakeSettings, MappingProfile
from .readers import UnreadableFile
from .routing import ensure_default_rules
from .selectors import (
    batches_for,
    enrichment_queue,
    municipalities_for,
    profiles_for,
    routing_outcomes,
    rules_of,
    runs_for,
)

ISSUES_SHOWN = 200


def run_list(request):
    require(request.user, Permission.IMPORT_SIGNALS)
    services.fail_stale_runs(runs_for(request.user))
    page = Paginator(runs_for(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "intake/run_list.html", {"page": page})


def upload(request):
    require(request.user, Permission.IMPORT_SIGNALS)
    municipalities = municipalities_for(request.user, Permission.IMPORT_SIGNALS)
    form = UploadForm(request.POST or None, request.FILES or None, municipalities=municipalities)
    if request.method == "POST" and form.is_valid():
        upload_ = form.cleaned_data["file"]
        run = services.create_run(
            municipality=form.cleaned_data["municipality"],
            uploaded=upload_,
            file_name=upload_.name,
            source=form.cleaned_data["source"],
            mode=form.cleaned_data["mode"],
            actor=request.user,
        )
        services.start_run(run)
        return redirect("intake:run_detail", pk=run.pk)
    sources = profiles_for(request.user).values_list("source", flat=True).distinct()
    return render(request, "intake/upload.html", {"form": form, "sources": sources})


def _run(request, pk, *, sweep: bool = False):
    run = get_for_user(request.user, ImportRun.objects.all(), Permission.IMPORT_SIGNALS, pk=pk)
    if sweep and not run.is_finished and services.fail_stale_runs(ImportRun.objects.filter(pk=pk)):
        run.refresh_from_db()
    return run


def run_detail(request, pk: int):
    run = _run(request, pk, sweep=True)
    issues = run.issues.all()[:ISSUES_SHOWN] if run.is_finished else []
    if run.is_finished:
        # Row messages quote the values they are about: reading them reads personal data.
        record(
            actor=request.user,
            action=AuditAction.VIEW,
            obj=run,
            detail={"issues_shown": len(issues)},
        )
    return render(
        request,
        "intake/run_detail.html",
        {
            "run": run,
            "issues": issues,
            "issue_count": run.issues.count(),
            "routing": routing_outcomes(run),
        },
    )


def run_progress(request, pk: int):
    """The progress block, polled by htmx; when the run is done the page reloads itself."""
    run = _run(request, pk, sweep=True)
    response = render(request, "intake/_progress.html", {"run": run})
    if run.is_finished:
        response["HX-Refresh"] = "true"
    return response


def error_report(request, pk: int):
    run = _run(request, pk)
    issues = run.issues.order_by("pk").values_list("row", "column", "severity", "message")
    severity = {"error": _("error: not imported"), "warning": _("warning: imported")}
    content = csv_bytes(
        [_("row"), _("column"), _("kind"), _("message")],
        (
            (row or "", column, severity.get(kind, kind), message)
            for row, column, kind, message in issues
        ),
    )
    record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=run,
        detail={"issues": run.issues.count(), "fields": ["row", "column", "kind", "message"]},
    )
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="foutenrapport-{run.pk}.csv"'
    return response


# --- mapping profiles ----------------------------------------------------------------------


def profile_list(request):
    require(request.user, Permission.IMPORT_SIGNALS)
    return render(request, "intake/profile_list.html", {"profiles": profiles_for(request.user)})


def profile_edit(request, pk: int | None = None):
    require(request.user, Permission.IMPORT_SIGNALS)
    profile = (
        get_for_user(request.user, MappingProfile.objects.all(), Permission.IMPORT_SIGNALS, pk=pk)
        if pk
        else None
    )
    municipalities = municipalities_for(request.user, Permission.IMPORT_SIGNALS)
    initial = {}
    if profile:
        initial = {"municipality": profile.municipality, "source": profile.source}
        initial.update({f"col_{k}": v for k, v in profile.mapping.items()})
    form = MappingProfileForm(request.POST or None, initial=initial, municipalities=municipalities)
    if request.method == "POST" and form.is_valid():
        if profile and (
            profile.source != form.cleaned_data["source"]
            or profile.municipality != form.cleaned_data["municipality"]
        ):
            services.delete_mapping_profile(profile=profile, actor=request.user)
        services.save_mapping_profile(
            municipality=form.cleaned_data["municipality"],
            source=form.cleaned_data["source"],
            mapping=form.mapping(),
            actor=request.user,
        )
        messages.success(request, _("The column mapping is saved."))
        return redirect("intake:profiles")
    return render(
        request,
        "intake/profile_edit.html",
        {"form": form, "profile": profile, "canonical": columns.CANONICAL},
    )


@require_POST
def profile_delete(request, pk: int):
    profile = get_for_user(
        request.user, MappingProfile.objects.all(), Permission.IMPORT_SIGNALS, pk=pk
    )
    services.delete_mapping_profile(profile=profile, actor=request.user)
    messages.success(request, _("The column mapping is deleted."))
    return redirect("intake:profiles")


# --- routing rules -------------------------------------------------------------------------


def _chosen_municipality(request, permission):
    municipalities = municipalities_for(request.user, permission)
    chosen = request.GET.get("municipality") or request.POST.get("municipality")
    if chosen:
        municipality = municipalities.filter(pk=optional_id(chosen)).first()
        if municipality is None:
            raise Http404
        return municipality, municipalities
    municipality = municipalities.first()
    if municipality is None:
        raise Http404
    return municipality, municipalities


def rules(request):
    require(request.user, Permission.MANAGE_RULES)
    municipality, municipalities = _chosen_municipality(request, Permission.MANAGE_RULES)
    ensure_default_rules(municipality)
    intake_settings, _created = IntakeSettings.objects.get_or_create(municipality=municipality)
    formset = RoutingRuleFormSet(request.POST or None, queryset=rules_of(municipality))
    settings_form = IntakeSettingsForm(request.POST or None, instance=intake_settings)
    if request.method == "POST" and formset.is_valid() and settings_form.is_valid():
        saved = formset.save(commit=False)
        services.save_routing_rules(
            municipality=municipality,
            rules=saved,
            deleted=formset.deleted_objects,
            actor=request.user,
        )
        services.save_intake_settings(
            municipality=municipality,
            recidive_months=settings_form.cleaned_data["recidive_months"],
            actor=request.user,
        )
        messages.success(request, _("The routing rules are saved."))
        return redirect(f"{request.path}?municipality={municipality.pk}")
    return render(
        request,
        "intake/rules.html",
        {
            "formset": formset,
            "settings_form": settings_form,
            "municipality": municipality,
            "municipalities": municipalities,
        },
    )


# --- enrichment ----------------------------------------------------------------------------


def enrichment(request):
    require(request.user, Permission.IMPORT_SIGNALS)
    municipality, municipalities = _chosen_municipality(request, Permission.IMPORT_SIGNALS)
    return render(
        request,
        "intake/enrichment.html",
        {
            "municipality": municipality,
            "municipalities": municipalities,
            "waiting": enrichment_queue(municipality).count(),
            "batches": batches_for(request.user).filter(municipality=municipality),
            "answer_form": EnrichmentAnswerForm(),
        },
    )


@require_POST
def enrichment_export(request):
    require(request.user, Permission.IMPORT_SIGNALS)
    batch_id = request.POST.get("batch")
    if batch_id:
        batch = get_for_user(
            request.user,
            EnrichmentBatch.objects.all(),
            Permission.IMPORT_SIGNALS,
            pk=optional_id(batch_id),
        )
        content = enrichment_service.export_again(batch=batch, actor=request.user)
    else:
        municipality, _all = _chosen_municipality(request, Permission.IMPORT_SIGNALS)
        if not enrichment_queue(municipality).exists():
            messages.info(request, _("No cases are waiting for enrichment."))
            return redirect(f"{_enrichment_url()}?municipality={municipality.pk}")
        batch, content = enrichment_service.create_batch(
            municipality=municipality, actor=request.user
        )
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="verrijking-{batch.pk}.csv"'
    return response


def _enrichment_url():
    from django.urls import reverse

    return reverse("intake:enrichment")


@require_POST
def enrichment_answer(request, pk: int):
    batch = get_for_user(
        request.user, EnrichmentBatch.objects.all(), Permission.IMPORT_SIGNALS, pk=pk
    )
    form = EnrichmentAnswerForm(request.POST, request.FILES)
    target = f"{_enrichment_url()}?municipality={batch.municipality_id}"
    if batch.answered_at:
        messages.error(request, _("The answer of this batch was imported already."))
        return redirect(target)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(target)
    try:
        counts = enrichment_service.import_answers(
            batch=batch, content=form.cleaned_data["file"].read(), actor=request.user
        )
    except (UnreadableFile, enrichment_service.AlreadyAnswered) as exc:
        messages.error(request, exc.message)
        return redirect(target)
    messages.success(
        request,
        _(
            "%(found)d cases enriched and moved to the call queue; %(not_found)d to letter or "
            "home visit."
        )
        % counts,
    )
    return redirect(target)
