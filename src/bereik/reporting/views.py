"""The results dashboard, its JSON twin for BI tools, the report and DDAS downloads and the
report settings. Access: ``VIEW_REPORTS`` for figures and reports, ``VIEW_BSN`` for the DDAS
delivery (it holds BSNs), ``MANAGE_RULES`` for the tariff. Another municipality's id: 404."""

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from bereik.accounts.access import require
from bereik.accounts.roles import Permission

from . import selectors, services
from .charts import bar_chart
from .ddas import DeliveryInvalid
from .figures import ATTEMPT_CLASS, ReportFilters, compute
from .forms import DashboardForm, PeriodForm, ReportSettingsForm, parse_month
from .models import ReportSettings
from .report import FORMATS, XLSX_CONTENT_TYPE
from .tables import kpis, tables

CONTENT_TYPES = {"xlsx": XLSX_CONTENT_TYPE, "pdf": "application/pdf"}


def _dashboard_form(request):
    require(request.user, Permission.VIEW_REPORTS)
    municipalities, chosen = selectors.chosen_municipalities(
        request.user, request.GET.get("municipality")
    )
    ids = [m.pk for m in municipalities]
    form = DashboardForm(
        request.GET,
        municipalities=selectors.report_municipalities(request.user),
        campaigns=selectors.campaigns_in(ids),
        agents=selectors.agents_in(ids),
    )
    return form, municipalities, chosen


def _figures(form, municipalities):
    data = form.cleaned_data
    return compute(
        municipality_ids=[m.pk for m in municipalities],
        period_start=data["start"],
        period_end=data["end"],
        filters=ReportFilters(
            partner_type=data["partner_type"],
            partner_name=data["partner_name"].strip(),
            campaign_id=data["campaign"],
            agent_id=data["agent"],
        ),
    )


def dashboard(request):
    form, municipalities, chosen = _dashboard_form(request)
    context = {
        "form": form,
        "municipalities": municipalities,
        "chosen": chosen,
        "query": request.GET.urlencode(),
        "aapor_mapping": _aapor_mapping(),
    }
    if form.is_valid() and municipalities:
        figures = _figures(form, municipalities)
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        context.update(
            figures=figures,
            kpis=kpis(figures),
            sections=[(table, bar_chart(table)) for table in tables(figures)],
            partner_labels=figures["partner_names"]
            if not any(figures["filters"].values())
            else selectors.partner_labels([m.pk for m in municipalities], start, end),
            refreshed_at=parse_datetime(figures["refreshed_at"] or ""),
            report_month=start.strftime("%Y-%m"),
        )
        if chosen is not None:
            context["can_export_ddas"] = _can(request.user, Permission.VIEW_BSN, chosen)
            context["can_edit_settings"] = _can(request.user, Permission.MANAGE_RULES, chosen)
    return render(request, "reporting/dashboard.html", context)


def _can(user, permission, municipality) -> bool:
    from bereik.accounts.access import access_for

    return access_for(user).can(permission, municipality.pk)


def _aapor_mapping() -> list[dict]:
    """Which outcome codes fall in which AAPOR class, for the explanation on the page."""
    from bereik.outreach.models import AaporClass, OutcomeCode

    labels = dict(AaporClass.choices)
    codes: dict[str, list[str]] = {}
    for code in OutcomeCode.objects.filter(is_active=True).order_by("position"):
        codes.setdefault(code.aapor_class, []).append(code.label)
    return [
        {"class": name, "label": labels[name], "codes": codes.get(name, [])}
        for name in ATTEMPT_CLASS
    ]


def figures_json(request):
    """The dashboard's figures as JSON for the municipality's own BI tools (session login)."""
    form, municipalities, _chosen = _dashboard_form(request)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    figures = _figures(form, municipalities)
    services.record_figures_export(
        actor=request.user,
        municipality_ids=[m.pk for m in municipalities],
        period_start=form.cleaned_data["start"],
        period_end=form.cleaned_data["end"],
    )
    return JsonResponse(figures, json_dumps_params={"ensure_ascii": False})


def _single_municipality(request, permission):
    require(request.user, permission)
    _municipalities, chosen = selectors.chosen_municipalities(
        request.user, request.GET.get("municipality"), permission
    )
    return chosen


def _bad_request(request, message: str, status: int = 400):
    return render(request, "reporting/error.html", {"message": message}, status=status)


def report_download(request):
    """One click: the monthly report as Excel or PDF (``?municipality=&month=YYYY-MM&format=``)."""
    municipality = _single_municipality(request, Permission.VIEW_REPORTS)
    if municipality is None:
        return _bad_request(request, _("Choose one municipality for the report."))
    try:
        start, end = parse_month(request.GET.get("month", ""))
    except ValueError:
        return _bad_request(request, _("Give the month as YYYY-MM, e.g. 2026-10."))
    file_format = request.GET.get("format", "xlsx")
    if file_format not in FORMATS:
        return _bad_request(request, _("Choose the format xlsx or pdf."))
    content = services.export_report(
        municipality=municipality,
        period_start=start,
        period_end=end,
        file_format=file_format,
        actor=request.user,
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
    name = f"bereik-rapportage-{municipality.municipality_code}-{start:%Y-%m}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def ddas_download(request):
    """The DDAS delivery for ``?municipality=&start=&end=``, only when schema-valid."""
    municipality = _single_municipality(request, Permission.VIEW_BSN)
    if municipality is None:
        return _bad_request(request, _("Choose one municipality for the DDAS delivery."))
    form = PeriodForm(request.GET)
    if not form.is_valid():
        messages_ = [str(e) for errors in form.errors.values() for e in errors]
        return _bad_request(request, " ".join(messages_))
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    try:
        content = services.export_ddas(
            municipality=municipality, date_from=start, date_to=end, actor=request.user
        )
    except DeliveryInvalid as exc:
        return render(
            request,
            "reporting/ddas_errors.html",
            {"errors": exc.errors, "municipality": municipality, "start": start, "end": end},
            status=422,
        )
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    name = f"ddas-{municipality.municipality_code}-{start:%Y%m%d}-{end:%Y%m%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def report_settings(request):
    """The coordinator's tariff (cost figures), minimum count and DDAS supplier code."""
    municipality = _single_municipality(request, Permission.MANAGE_RULES)
    if municipality is None:
        return _bad_request(request, _("Choose one municipality."))
    instance = ReportSettings.objects.filter(municipality=municipality).first() or ReportSettings(
        municipality=municipality
    )
    form = ReportSettingsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.save_report_settings(
            municipality=municipality, actor=request.user, **form.cleaned_data
        )
        messages.success(request, _("The report settings have been saved."))
        return redirect(f"{reverse('reporting:dashboard')}?municipality={municipality.pk}")
    return render(
        request, "reporting/settings_form.html", {"form": form, "municipality": municipality}
    )
