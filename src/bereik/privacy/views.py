"""Privacy pages for coordinators and the municipality's functional administrators.

Every object is fetched through ``selectors.get_managed``: 403 without the right anywhere, 404 for
another municipality's objects.
"""

import csv
import tempfile

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bereik.cases.models import Case, Resident
from bereik.portal.downloads import safe_cell

from . import exports, selectors, services
from .forms import LegalHoldForm, ObjectionForm, RetentionTermsForm, WithdrawalForm
from .models import PurgeRun, RetentionCategory


def _resident_case(resident):
    return resident.cases.order_by("-matching_period", "-pk").first()


@require_GET
def home(request):
    if not selectors.can_manage_privacy(request.user):
        raise PermissionDenied
    municipalities = list(selectors.managed_municipalities(request.user))
    if len(municipalities) == 1:
        return redirect("privacy:municipality", pk=municipalities[0].pk)
    return render(request, "privacy/home.html", {"municipalities": municipalities})


@require_GET
def municipality(request, pk: int):
    organisation = selectors.get_municipality(request.user, pk)
    terms = selectors.retention_terms(organisation)
    return render(
        request,
        "privacy/municipality.html",
        {
            "municipality": organisation,
            "terms": [(category.label, terms[category]) for category in RetentionCategory],
            "runs": selectors.purge_runs(organisation)[:20],
            "holds": selectors.cases_on_hold(organisation),
            "objections": selectors.active_objections(organisation)[:50],
        },
    )


@require_http_methods(["GET", "POST"])
def retention_terms(request, pk: int):
    organisation = selectors.get_municipality(request.user, pk)
    form = RetentionTermsForm(request.POST or None, terms=selectors.retention_terms(organisation))
    if request.method == "POST" and form.is_valid():
        services.set_retention_terms(
            municipality=organisation, terms=form.terms(), actor=request.user
        )
        messages.success(request, _("The retention terms are saved."))
        return redirect("privacy:municipality", pk=organisation.pk)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "privacy/retention_terms.html",
        {"municipality": organisation, "form": form},
        status=status,
    )


@require_POST
def export_municipality(request, pk: int):
    organisation = selectors.get_municipality(request.user, pk)
    spool = tempfile.TemporaryFile()  # noqa: SIM115  (closed by FileResponse)
    exports.write_municipality_export(municipality=organisation, target=spool, actor=request.user)
    spool.seek(0)
    filename = f"bereik-export-{organisation.municipality_code}-{timezone.localdate():%Y%m%d}.zip"
    return FileResponse(
        spool, as_attachment=True, filename=filename, content_type="application/zip"
    )


@require_GET
def purge_run(request, pk: int):
    run = selectors.get_managed(
        request.user, PurgeRun.objects.select_related("municipality"), pk=pk
    )
    return render(
        request,
        "privacy/purge_run.html",
        {
            "run": run,
            "counts": sorted(run.counts.items()),
            "by_category": [
                (category.label, run.by_category.get(category.value, 0))
                for category in RetentionCategory
            ],
        },
    )


@require_GET
def purge_run_csv(request, pk: int):
    run = selectors.get_managed(
        request.user, PurgeRun.objects.select_related("municipality"), pk=pk
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="opschoning-{run.pk}-{run.started_at:%Y%m%d}.csv"'
    )
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_("category"), _("count")])
    rows = [
        ("started_at", timezone.localtime(run.started_at).isoformat(timespec="seconds")),
        ("reference_date", run.reference_date.isoformat()),
        ("status", run.status),
        ("cases_purged", run.cases_purged),
        ("skipped_legal_hold", run.skipped_legal_hold),
        *((f"cases.{key}", value) for key, value in sorted(run.by_category.items())),
        *sorted(run.counts.items()),
    ]
    for key, value in rows:
        writer.writerow([safe_cell(key), safe_cell(value)])
    return response


@require_http_methods(["GET", "POST"])
def legal_hold(request, case_pk: int):
    case = selectors.get_managed(
        request.user, Case.objects.select_related("municipality"), pk=case_pk
    )
    active = selectors.active_legal_hold(case)
    form = LegalHoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        try:
            if active is None:
                services.place_legal_hold(case=case, reason=reason, actor=request.user)
                messages.success(request, _("The case is under a legal hold."))
            else:
                services.lift_legal_hold(case=case, reason=reason, actor=request.user)
                messages.success(request, _("The legal hold is lifted."))
        except services.PrivacyError as error:
            form.add_error(None, str(error))
        else:
            return redirect("privacy:legal_hold", case_pk=case.pk)
    return render(
        request,
        "privacy/legal_hold.html",
        {
            "case": case,
            "active": active,
            "holds": selectors.legal_holds_of(case),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def objection(request, resident_pk: int):
    resident = selectors.get_managed(
        request.user, Resident.objects.select_related("municipality"), pk=resident_pk
    )
    active = selectors.active_objection(resident)
    form_class = WithdrawalForm if active else ObjectionForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if active is None:
                services.record_objection(
                    resident=resident,
                    received_on=data["date"],
                    channel=data["channel"],
                    note=data["note"],
                    actor=request.user,
                )
                messages.success(request, _("The objection is recorded."))
            else:
                services.withdraw_objection(
                    resident=resident,
                    withdrawn_on=data["date"],
                    channel=data["channel"],
                    note=data["note"],
                    actor=request.user,
                )
                messages.success(request, _("The withdrawal of the objection is recorded."))
        except services.PrivacyError as error:
            form.add_error(None, str(error))
        else:
            return redirect("privacy:objection", resident_pk=resident.pk)
    return render(
        request,
        "privacy/objection.html",
        {
            "resident": resident,
            "case": _resident_case(resident),
            "active": active,
            "objections": selectors.objections_of(resident),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@require_GET
def inzage(request, resident_pk: int):
    resident = selectors.get_managed(
        request.user, Resident.objects.select_related("municipality"), pk=resident_pk
    )
    return render(
        request,
        "privacy/inzage.html",
        {"resident": resident, "case": _resident_case(resident)},
    )


@require_POST
def inzage_download(request, resident_pk: int, fmt: str):
    resident = selectors.get_managed(
        request.user, Resident.objects.select_related("municipality"), pk=resident_pk
    )
    stamp = f"{timezone.localdate():%Y%m%d}"
    if fmt == "pdf":
        content = exports.inzage_pdf(resident, actor=request.user)
        content_type = "application/pdf"
    else:
        content = exports.inzage_json(resident, actor=request.user)
        content_type = "application/json"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="inzage-{resident.pk}-{stamp}.{fmt}"'
    return response
