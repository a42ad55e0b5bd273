"""Outreach pages. Each view parses input, obtains objects through the access helper and calls one
service; every page that shows a resident records the read in the audit trail."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bereik.accounts.access import access_for, get_for_user, municipalities_for, require
from bereik.accounts.roles import Permission
from bereik.audit.models import AuditAction
from bereik.audit.services import record
from bereik.cases.models import Case
from bereik.handover import selectors as handover_selectors
from bereik.portal.params import optional_id

from . import learning, selectors, services
from .forms import (
    CampaignForm,
    InboundForm,
    MessageTemplateForm,
    NumberForm,
    OutcomeForm,
    OutcomeSettingForm,
    ScriptForm,
    SendMessageForm,
)
from .models import (
    TUNABLE_OUTCOME_FIELDS,
    Campaign,
    MessageTemplate,
    OutboundMessage,
    OutcomeCode,
    QueueEntry,
    Script,
)
from .placeholders import fill

WORK = Permission.WORK_CALL_QUEUE
MANAGE = Permission.MANAGE_CAMPAIGNS
RULES = Permission.MANAGE_RULES

ENTRY_DETAILS = QueueEntry.objects.select_related(
    "case__resident", "case__municipality", "campaign__script", "current_number"
)


# --- the agent's queue and workspace -----------------------------------------------------------


def queue(request):
    require(request.user, WORK)
    now = timezone.now()
    return render(
        request,
        "outreach/queue.html",
        {
            "held": selectors.entry_held_by(request.user, now),
            "open_campaigns": selectors.open_campaigns(request.user, now),
            "callbacks": selectors.my_callbacks(request.user, now)[:20],
            "inbound_form": InboundForm(),
            "now": now,
        },
    )


def _next_or_queue(request):
    entry = services.claim_next(agent=request.user)
    if entry is None:
        messages.info(
            request,
            _(
                "Nobody can be called right now: no calling window is open, or every resident "
                "is waiting for the time of their next attempt."
            ),
        )
        return redirect("outreach:queue")
    return redirect("outreach:workspace", pk=entry.pk)


@require_POST
def next_resident(request):
    require(request.user, WORK)
    return _next_or_queue(request)


def _entry_for(request, pk: int) -> QueueEntry:
    return get_for_user(request.user, ENTRY_DETAILS, WORK, pk=pk)


def _holds(entry: QueueEntry, user, now) -> bool:
    return (
        entry.locked_by_id == user.pk
        and entry.locked_until is not None
        and (entry.locked_until > now)
    )


def _render_workspace(request, entry: QueueEntry, form=None, *, status=200, can_reclaim=False):
    case = entry.case
    resident = case.resident
    # Reading a resident's record is itself an event the municipality must be able to account for.
    record(actor=request.user, action=AuditAction.VIEW, obj=case)
    campaign = entry.campaign
    version = selectors.latest_script_version(campaign)
    script_html = ""
    if version is not None:
        filled = fill(version.body, selectors.script_values(case, campaign, request.user))
        script_html = mark_safe(linebreaks(escape(filled)))  # escaped first
    if form is None:
        form = OutcomeForm(
            entry=entry,
            initial={
                "token": entry.lock_token,
                "script_version": version.pk if version else None,
                "phone_number": entry.current_number_id,
            },
        )
    numbers = [
        {"number": n, "failed": selectors.failed_attempts_on(n)}
        for n in resident.phone_numbers.all()
    ]
    return render(
        request,
        "outreach/workspace.html",
        {
            "entry": entry,
            "case": case,
            "resident": resident,
            "age": selectors.resident_age(resident.birth_date, timezone.localdate()),
            "numbers": numbers,
            "signals": case.signals.order_by("signal_date"),
            "attempts": selectors.attempts_for(case).order_by("-occurred_at"),
            "campaign": campaign,
            "script_version": version,
            "script_html": script_html,
            "form": form,
            "number_form": NumberForm(),
            "message_form": SendMessageForm(municipality_id=case.municipality_id),
            "inbound": entry.locked_inbound,
            "can_reclaim": can_reclaim,
            "free_slots": handover_selectors.free_slots_for_municipality(
                request.user, case.municipality, timezone.now()
            ),
            "appointments": handover_selectors.appointments_of_case(case).filter(
                cancelled_at__isnull=True
            ),
        },
        status=status,
    )


@require_GET
def workspace(request, pk: int):
    entry = _entry_for(request, pk)
    if refused := _refuse_unless_held(request, entry):
        return refused
    return _render_workspace(request, entry)


@require_POST
def save_outcome(request, pk: int):
    entry = _entry_for(request, pk)
    now = timezone.now()
    form = OutcomeForm(request.POST, entry=entry, now=now)
    if not form.is_valid():
        return _render_workspace(request, entry, form, status=400)
    try:
        services.record_outcome(
            agent=request.user,
            entry=entry,
            token=form.cleaned_data.get("token"),
            data=form.data_input,
            now=now,
            reclaim=request.POST.get("reclaim") == "1",
        )
    except services.AlreadySaved as refused:
        earlier = refused.attempt
        same = (
            earlier.agent_id == request.user.pk
            and earlier.outcome_id == form.data_input.outcome.pk
            and earlier.summary == form.data_input.summary.strip()
        )
        if same:  # a double click: the first save counts, carry on
            messages.info(request, refused.message)
            return _next_or_queue(request)
        form.add_error(None, refused.message + " " + _("This entry was not saved."))
        return _render_workspace(request, entry, form, status=409)
    except services.ReservationLost as refused:
        form.add_error(None, refused.message)
        entry.refresh_from_db()
        token = form.cleaned_data.get("token")
        can_reclaim = (
            entry.locked_by_id == request.user.pk
            and token is not None
            and entry.lock_token == token
        )
        return _render_workspace(request, entry, form, status=409, can_reclaim=can_reclaim)
    except ValidationError as invalid:
        for field, errors in invalid.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _render_workspace(request, entry, form, status=400)
    messages.success(request, _("Saved."))
    return _next_or_queue(request)


@require_POST
def release_resident(request, pk: int):
    entry = _entry_for(request, pk)
    services.release(agent=request.user, entry=entry)
    messages.info(request, _("The resident is back in the queue."))
    return redirect("outreach:queue")


def _refuse_unless_held(request, entry: QueueEntry):
    if _holds(entry, request.user, timezone.now()):
        return None
    messages.warning(
        request, _("You do not hold this resident (any more). Take the next resident.")
    )
    return redirect("outreach:queue")


@require_POST
def add_number(request, pk: int):
    entry = _entry_for(request, pk)
    if refused := _refuse_unless_held(request, entry):
        return refused
    form = NumberForm(request.POST)
    if form.is_valid():
        try:
            services.add_phone_number(
                actor=request.user, case=entry.case, raw=form.cleaned_data["number"]
            )
            messages.success(request, _("Number added."))
        except ValidationError as invalid:
            messages.error(request, " ".join(invalid.messages))
    else:
        messages.error(request, _("Type a phone number."))
    return redirect("outreach:workspace", pk=entry.pk)


@require_POST
def send_text(request, pk: int):
    entry = _entry_for(request, pk)
    if refused := _refuse_unless_held(request, entry):
        return refused
    form = SendMessageForm(request.POST, municipality_id=entry.municipality_id)
    result = {"ok": False, "text": _("Choose a text.")}
    if form.is_valid():
        try:
            message = services.send_message(
                actor=request.user, case=entry.case, template=form.cleaned_data["template"]
            )
            # The provider's or configuration's technical reason stays in the log and on the
            # message record (supervisor, admin); the agent gets what to do.
            sent = message.status == OutboundMessage.Status.SENT
            result = {
                "ok": sent,
                "text": _("Message sent.")
                if sent
                else _(
                    "The message could not be sent. Try again later, or contact your "
                    "administrator if it keeps failing."
                ),
            }
        except services.OutreachError as refused:
            result = {"ok": False, "text": refused.message}
    if request.htmx:
        return render(request, "outreach/_send_result.html", result)
    (messages.success if result["ok"] else messages.error)(request, result["text"])
    return redirect("outreach:workspace", pk=entry.pk)


# --- inbound -----------------------------------------------------------------------------------


def _matches(request, e164: str) -> list[Case]:
    cases = selectors.inbound_matches(request.user, e164)
    for case in cases:
        record(actor=request.user, action=AuditAction.VIEW, obj=case, detail={"via": "inbound"})
    return cases


def inbound(request):
    require(request.user, WORK)
    form = InboundForm(request.GET or None)
    cases = _matches(request, form.cleaned_data["nummer"]) if form.is_valid() else None
    template = "outreach/_inbound_results.html" if request.htmx else "outreach/inbound.html"
    return render(request, template, {"form": form, "cases": cases})


@require_GET
def inbound_lookup(request):
    """For a telephony system or softphone: ``?nummer=...`` -> the caller's open cases (JSON)."""
    require(request.user, WORK)
    form = InboundForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"error": " ".join(form.errors.get("nummer", []))}, status=400)
    e164 = form.cleaned_data["nummer"]
    return JsonResponse(
        {
            "number": e164,
            "cases": [
                {
                    "id": case.pk,
                    "reference": case.reference,
                    "municipality": case.municipality.name,
                    "name": case.resident.display_name,
                    "state": case.state,
                    "take_call_url": request.build_absolute_uri(
                        reverse("outreach:inbound_start", args=[case.pk])
                    ),
                }
                for case in _matches(request, e164)
            ],
        }
    )


@require_POST
def inbound_start(request, case_pk: int):
    case = get_for_user(
        request.user,
        Case.objects.select_related("resident", "municipality"),
        WORK,
        pk=case_pk,
        state__in=selectors.INBOUND_STATES,
    )
    try:
        entry = services.start_inbound(agent=request.user, case=case)
    except services.OutreachError as refused:
        messages.error(request, refused.message)
        return redirect("outreach:inbound")
    return redirect("outreach:workspace", pk=entry.pk)


# --- supervisor --------------------------------------------------------------------------------


def progress(request):
    require(request.user, MANAGE)
    now = timezone.now()
    campaigns = selectors.campaigns_for(request.user)
    municipalities = {c.municipality for c in campaigns}
    campaign_id = optional_id(request.GET.get("campaign"))
    municipality_id = optional_id(request.GET.get("municipality"))
    figures = selectors.progress(
        request.user, now, campaign_id=campaign_id, municipality_id=municipality_id
    )
    # The learning schedule's honest comparison: answer rates of its attempts and of the random
    # day-part sample, over the last four weeks.
    municipality_ids = (
        [municipality_id]
        if municipality_id in {m.pk for m in municipalities}
        else [m.pk for m in municipalities]
    )
    schedule_rates = learning.evaluation(
        municipality_ids, campaign_id=campaign_id, since=now - dt.timedelta(days=28)
    )
    context = {
        "figures": figures,
        "schedule_rates": [r for r in schedule_rates.values() if r.attempts],
        "campaigns": campaigns,
        "municipalities": sorted(municipalities, key=lambda m: m.name),
        "campaign_id": campaign_id,
        "municipality_id": municipality_id,
        "query": request.GET.urlencode(),
        "now": now,
        "grace": selectors.CALLBACK_GRACE,
        "missed_before": now - selectors.CALLBACK_GRACE,
    }
    template = "outreach/_progress.html" if request.htmx else "outreach/progress.html"
    return render(request, template, context)


def campaign_list(request):
    require(request.user, MANAGE)
    campaigns = selectors.campaigns_for(request.user).order_by("-starts_on", "name")
    return render(request, "outreach/campaign_list.html", {"campaigns": campaigns})


def campaign_edit(request, pk: int | None = None):
    campaign = get_for_user(request.user, Campaign, MANAGE, pk=pk) if pk else None
    if campaign is None:
        require(request.user, MANAGE)
    form = CampaignForm(request.POST or None, instance=campaign, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if not k.startswith("window_")}
        if campaign is None:
            municipality = data.pop("municipality")
            name = data.pop("name")
            starts_on = data.pop("starts_on")
            campaign = services.create_campaign(
                actor=request.user,
                municipality=municipality,
                name=name,
                starts_on=starts_on,
                **data,
            )
            services.set_windows(actor=request.user, campaign=campaign, windows=form.windows)
        else:
            data.pop("municipality", None)
            services.update_campaign(
                actor=request.user, campaign=campaign, windows=form.windows, fields=data
            )
        messages.success(request, _("Campaign saved."))
        return redirect("outreach:campaigns")
    return render(request, "outreach/campaign_form.html", {"form": form, "campaign": campaign})


@require_POST
def campaign_enqueue(request, pk: int):
    campaign = get_for_user(request.user, Campaign, MANAGE, pk=pk)
    result = services.enqueue_cases(actor=request.user, campaign=campaign)
    messages.success(
        request,
        _(
            "%(added)s cases added to the queue; %(enrichment)s without a usable number sent "
            "to enrichment; %(objected)s not called because of an objection."
        )
        % {
            "added": result.added,
            "enrichment": result.without_number,
            "objected": result.objected,
        },
    )
    return redirect("outreach:campaigns")


def _managed_municipality(request, pk: int | None):
    """A municipality whose calling practice the user may set (404 outside their own)."""
    municipalities = municipalities_for(request.user, MANAGE)
    if pk is None:
        municipality = municipalities.first()
        if municipality is None:
            raise Http404
        return municipality, municipalities
    return get_object_or_404(municipalities, pk=pk), municipalities


def outcome_list(request):
    require(request.user, MANAGE)
    municipality, municipalities = _managed_municipality(
        request, optional_id(request.GET.get("gemeente"))
    )
    return render(
        request,
        "outreach/outcome_list.html",
        {
            "municipality": municipality,
            "municipalities": municipalities,
            "outcomes": selectors.outcome_settings_of(municipality.pk),
        },
    )


def outcome_edit(request, municipality_pk: int, pk: int):
    require(request.user, MANAGE)
    municipality, _municipalities = _managed_municipality(request, municipality_pk)
    outcome = get_object_or_404(OutcomeCode, pk=pk)
    applied = selectors.with_local_settings(outcome, municipality.pk)
    initial = {name: getattr(applied, name) for name in TUNABLE_OUTCOME_FIELDS}
    form = OutcomeSettingForm(request.POST or None, initial=initial, outcome=outcome)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_outcome_setting(
                actor=request.user,
                municipality_id=municipality.pk,
                outcome=outcome,
                values={name: form.cleaned_data[name] for name in form.changed_data},
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Outcome code saved."))
            return redirect(f"{reverse('outreach:outcomes')}?gemeente={municipality.pk}")
    return render(
        request,
        "outreach/outcome_form.html",
        {"form": form, "outcome": outcome, "municipality": municipality},
    )


# --- scripts and texts (municipal coordinator) -------------------------------------------------


def script_list(request):
    require(request.user, RULES)
    ids = access_for(request.user).municipality_ids(RULES)
    return render(
        request,
        "outreach/script_list.html",
        {
            "scripts": selectors.scripts_for(request.user).prefetch_related("versions"),
            "templates": MessageTemplate.objects.filter(municipality_id__in=ids)
            .select_related("municipality")
            .order_by("municipality__name", "name"),
        },
    )


def script_edit(request, pk: int | None = None):
    script = get_for_user(request.user, Script, RULES, pk=pk) if pk else None
    if script is None:
        require(request.user, RULES)
    latest = script.versions.order_by("-number").first() if script else None
    initial = {"name": script.name, "body": latest.body if latest else ""} if script else None
    form = ScriptForm(request.POST or None, user=request.user, script=script, initial=initial)
    if request.method == "POST" and form.is_valid():
        if script is None:
            services.create_script(
                actor=request.user,
                municipality=form.cleaned_data["municipality"],
                name=form.cleaned_data["name"],
                body=form.cleaned_data["body"],
            )
            messages.success(request, _("Script saved as version 1."))
        elif latest is None or form.cleaned_data["body"] != latest.body:
            version = services.publish_script_version(
                actor=request.user, script=script, body=form.cleaned_data["body"]
            )
            messages.success(
                request, _("Script saved as version %(number)s.") % {"number": version.number}
            )
        else:
            messages.info(request, _("Nothing changed."))
        return redirect("outreach:scripts")
    versions = script.versions.select_related("created_by") if script else []
    return render(
        request,
        "outreach/script_form.html",
        {"form": form, "script": script, "versions": versions},
    )


def template_edit(request, pk: int | None = None):
    template = get_for_user(request.user, MessageTemplate, RULES, pk=pk) if pk else None
    if template is None:
        require(request.user, RULES)
    form = MessageTemplateForm(request.POST or None, instance=template, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.save_message_template(actor=request.user, template=form.instance)
        messages.success(request, _("Text saved."))
        return redirect("outreach:scripts")
    return render(request, "outreach/template_form.html", {"form": form, "template": template})
