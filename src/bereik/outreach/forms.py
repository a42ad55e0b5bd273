"""Forms of outreach. They parse and explain; the rules themselves live in ``services``."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from bereik.accounts.access import municipalities_for
from bereik.accounts.roles import Permission
from bereik.handover.models import AppointmentSlot
from bereik.handover.selectors import social_work_for

from . import selectors, services
from .models import (
    TUNABLE_OUTCOME_FIELDS,
    Campaign,
    ContactAttempt,
    MessageTemplate,
    OutcomeCode,
    OutcomeSetting,
    Script,
    ScriptVersion,
    Weekday,
)
from .placeholders import KNOWN, unknown_placeholders
from .scheduling import Window

YES_NO = [("", "–"), ("yes", _("Yes")), ("no", _("No"))]
PLACEHOLDER_HELP = format_lazy(
    "{} {}", _("Placeholders you can use:"), ", ".join(f"{{{k}}}" for k in KNOWN)
)


class OutcomeSelect(forms.Select):
    """Each option carries the code's flags so the page can show only the questions that apply."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"].update(
                {
                    "data-right-party": "1" if instance.right_party_contact else "0",
                    "data-final": "1" if instance.is_final else "0",
                    "data-callback": "1" if instance.local_requires_callback else "0",
                    "data-note": "1" if instance.local_needs_note else "0",
                }
            )
        return option


class OutcomeForm(forms.Form):
    outcome = forms.ModelChoiceField(
        label=_("Outcome"),
        queryset=OutcomeCode.objects.none(),
        widget=OutcomeSelect(attrs={"data-testid": "outcome-select", "autofocus": True}),
        empty_label=_("– choose the outcome –"),
    )
    phone_number = forms.ModelChoiceField(
        label=_("Number called"), queryset=None, required=False, empty_label=_("– none –")
    )
    help_requested = forms.TypedChoiceField(
        label=_("Does the resident want help?"),
        choices=YES_NO,
        coerce=lambda v: v == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect(attrs={"data-testid": "help-requested"}),
    )
    no_help_reason = forms.ChoiceField(
        label=_("If not, why not?"),
        choices=[("", "–"), *ContactAttempt.NoHelpReason.choices],
        required=False,
    )
    preferred_contact_time = forms.CharField(
        label=_("Preferred time for the social worker's call"),
        max_length=200,
        required=False,
        help_text=_("E.g. “Tuesday afternoon after 14:00”."),
    )
    summary = forms.CharField(
        label=_("Short description of the situation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    callback_at = forms.DateTimeField(
        label=_("Call back at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    callback_only_me = forms.BooleanField(label=_("Only I call back"), required=False)
    appointment_slot = forms.ModelChoiceField(
        label=_("Appointment with a social worker"),
        queryset=AppointmentSlot.objects.none(),
        required=False,
        help_text=_("Optional: book a free time with the resident; tell them the date and time."),
    )
    objection = forms.BooleanField(label=_("The resident objects to further calls"), required=False)
    token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    script_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, entry, now: dt.datetime | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.entry = entry
        self.now = now or timezone.now()
        self.fields["outcome"].queryset = selectors.outcome_codes(entry.municipality_id)
        self.fields["phone_number"].queryset = entry.case.resident.phone_numbers.all()
        # Every slot of the receiving organisation validates; the service refuses a past or taken
        # one with a clear message. The page offers only the free ones.
        organisation = social_work_for(entry.case.municipality)
        if organisation is not None:
            self.fields["appointment_slot"].queryset = AppointmentSlot.objects.filter(
                organisation=organisation
            )

    def clean(self):
        cleaned = super().clean()
        if self.errors or not cleaned.get("outcome"):
            return cleaned
        version_id = cleaned.get("script_version")
        version = None
        if version_id and self.entry.campaign.script_id:
            version = ScriptVersion.objects.filter(
                pk=version_id, script_id=self.entry.campaign.script_id
            ).first()
        self.data_input = services.OutcomeInput(
            outcome=cleaned["outcome"],
            phone_number=cleaned.get("phone_number"),
            direction=(
                ContactAttempt.Direction.INBOUND
                if self.entry.locked_inbound
                else ContactAttempt.Direction.OUTBOUND
            ),
            help_requested=cleaned.get("help_requested"),
            no_help_reason=cleaned.get("no_help_reason") or "",
            preferred_contact_time=cleaned.get("preferred_contact_time") or "",
            summary=cleaned.get("summary") or "",
            objection=bool(cleaned.get("objection")),
            callback_at=cleaned.get("callback_at"),
            callback_only_me=bool(cleaned.get("callback_only_me")),
            script_version=version,
            appointment_slot=cleaned.get("appointment_slot"),
        )
        for field, message in services.validate_outcome(
            self.data_input, self.entry.campaign, self.now
        ).items():
            self.add_error(field, message)
        return cleaned


class NumberForm(forms.Form):
    number = forms.CharField(label=_("Phone number"), max_length=40)


class InboundForm(forms.Form):
    nummer = forms.CharField(
        label=_("Caller's number"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autofocus": True, "inputmode": "tel", "data-testid": "inbound-number"}
        ),
    )

    def clean_nummer(self):
        raw = self.cleaned_data["nummer"]
        try:
            return selectors.normalise_number(raw)
        except selectors.UnparsableNumber:
            raise ValidationError(
                _(
                    "“%(raw)s” is not a valid phone number. "
                    "Use e.g. 06-12345678 or +31 79 123 4567."
                ),
                params={"raw": raw},
            ) from None


class SendMessageForm(forms.Form):
    template = forms.ModelChoiceField(label=_("Text"), queryset=MessageTemplate.objects.none())

    def __init__(self, *args, municipality_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = selectors.message_templates_for(municipality_id)


class CampaignForm(forms.ModelForm):
    """The campaign and its calling window per weekday (empty = no calls that day)."""

    class Meta:
        model = Campaign
        fields = [
            "municipality",
            "name",
            "starts_on",
            "ends_on",
            "is_active",
            "max_attempts_per_number",
            "max_attempts_per_day",
            "caller_id",
            "script",
            "sms_before_first_attempt",
            "prenotification_template",
            "lock_minutes",
            "scheduling_policy",
            "exploration_percent",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        municipalities = municipalities_for(user, Permission.MANAGE_CAMPAIGNS)
        self.fields["municipality"].queryset = municipalities
        self.fields["script"].queryset = Script.objects.filter(municipality__in=municipalities)
        self.fields["prenotification_template"].queryset = MessageTemplate.objects.filter(
            municipality__in=municipalities, channel="sms"
        )
        if self.instance.pk:
            self.fields["municipality"].disabled = True
        windows = {w.weekday: w for w in self.instance.windows.all()} if self.instance.pk else {}
        for day, label in Weekday.choices:
            window = windows.get(day)
            self.fields[f"window_{day}_start"] = forms.TimeField(
                label=_("%(day)s from") % {"day": label},
                required=False,
                initial=window.starts_at if window else None,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )
            self.fields[f"window_{day}_end"] = forms.TimeField(
                label=_("%(day)s until") % {"day": label},
                required=False,
                initial=window.ends_at if window else None,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )
        if not self.instance.pk:
            for window in services.DEFAULT_WINDOWS:
                self.fields[f"window_{window.weekday}_start"].initial = window.starts
                self.fields[f"window_{window.weekday}_end"].initial = window.ends

    def clean(self):
        cleaned = super().clean()
        municipality = cleaned.get("municipality")
        if municipality is None and self.instance.municipality_id:
            municipality = self.instance.municipality
        for field in ("script", "prenotification_template"):
            value = cleaned.get(field)
            if value is not None and municipality and value.municipality_id != municipality.pk:
                self.add_error(field, _("Choose one of this municipality's own."))
        per_day, per_number = (
            cleaned.get("max_attempts_per_day"),
            cleaned.get("max_attempts_per_number"),
        )
        if per_day and per_number and per_day > per_number:
            self.add_error(
                "max_attempts_per_day", _("Cannot be more than the maximum attempts per number.")
            )
        if cleaned.get("sms_before_first_attempt") and not cleaned.get("prenotification_template"):
            self.add_error(
                "prenotification_template", _("Choose the text of the SMS before the first call.")
            )
        ends_on = cleaned.get("ends_on")
        if ends_on and cleaned.get("starts_on") and ends_on < cleaned["starts_on"]:
            self.add_error("ends_on", _("The campaign cannot end before it starts."))
        self.windows = []
        for day, label in Weekday.choices:
            start = cleaned.get(f"window_{day}_start")
            end = cleaned.get(f"window_{day}_end")
            if start is None and end is None:
                continue
            if start is None or end is None:
                self.add_error(
                    f"window_{day}_end",
                    _("Give both a start and an end time for %(day)s, or neither.")
                    % {"day": label},
                )
                continue
            if end <= start:
                self.add_error(
                    f"window_{day}_end",
                    _("The calling window on %(day)s ends (%(end)s) before it starts (%(start)s).")
                    % {
                        "day": label,
                        "end": end.strftime("%H:%M"),
                        "start": start.strftime("%H:%M"),
                    },
                )
                continue
            self.windows.append(Window(day, start, end))
        if not self.errors and not self.windows:
            raise ValidationError(_("Give at least one calling window."))
        return cleaned


class OutcomeSettingForm(forms.ModelForm):
    """A municipality's handling of one outcome code; what the code means is not editable here."""

    class Meta:
        model = OutcomeSetting
        fields = list(TUNABLE_OUTCOME_FIELDS)

    def __init__(self, *args, outcome: OutcomeCode, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome = outcome

    def clean(self):
        cleaned = super().clean()
        if self.outcome.is_final and cleaned.get("requires_callback"):
            self.add_error("requires_callback", _("A final outcome cannot need a callback."))
        return cleaned


class ScriptForm(forms.Form):
    municipality = forms.ModelChoiceField(label=_("Municipality"), queryset=None)
    name = forms.CharField(label=_("Name"), max_length=200)
    body = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 16}), help_text=PLACEHOLDER_HELP
    )

    def __init__(self, *args, user, script=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities_for(user, Permission.MANAGE_RULES)
        if script is not None:
            del self.fields["municipality"]
            self.fields["name"].disabled = True

    def clean_body(self):
        body = self.cleaned_data["body"]
        unknown = unknown_placeholders(body)
        if unknown:
            raise ValidationError(
                _("Unknown placeholder(s): %(names)s."),
                params={"names": ", ".join(f"{{{n}}}" for n in unknown)},
            )
        return body


class MessageTemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["municipality", "name", "channel", "subject", "body", "is_active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 5})}
        help_texts = {"body": PLACEHOLDER_HELP}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities_for(user, Permission.MANAGE_RULES)
        if self.instance.pk:
            self.fields["municipality"].disabled = True

    def clean(self):
        cleaned = super().clean()
        unknown = unknown_placeholders(cleaned.get("body") or "")
        if unknown:
            self.add_error(
                "body",
                _("Unknown placeholder(s): %(names)s.")
                % {"names": ", ".join(f"{{{n}}}" for n in unknown)},
            )
        if cleaned.get("channel") == "email" and not cleaned.get("subject"):
            self.add_error("subject", _("An e-mail needs a subject."))
        return cleaned
