"""Forms of the handover app. They parse and explain; the rules live in ``services``."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bereik.accounts.models import Organisation, User
from bereik.cases.results import FOLLOW_UP_RESULTS, EndResult
from bereik.outreach.models import ContactAttempt

from .models import AppointmentChannel
from .services import MAX_SERIES_WEEKS

YES_NO = [("yes", _("Yes")), ("no", _("No"))]

# The contact kinds a social worker uses (DDAS EnumContactsoort, without the automated ones).
WORKER_CONTACT_KINDS = [
    (kind.value, kind.label)
    for kind in (
        ContactAttempt.Kind.PHONE,
        ContactAttempt.Kind.HOME_VISIT,
        ContactAttempt.Kind.MAIL,
        ContactAttempt.Kind.SMS,
        ContactAttempt.Kind.LETTER,
        ContactAttempt.Kind.CARD,
        ContactAttempt.Kind.OTHER,
    )
]


class AssignForm(forms.Form):
    colleague = forms.ModelChoiceField(label=_("Colleague"), queryset=None)

    def __init__(self, *args, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["colleague"].queryset = User.objects.filter(pk__in=[u.pk for u in colleagues])
        self.fields["colleague"].label_from_instance = lambda u: u.get_full_name() or u.username


class ContactForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of contact"), choices=WORKER_CONTACT_KINDS)
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=ContactAttempt.Direction.choices,
        initial=ContactAttempt.Direction.OUTBOUND,
    )
    occurred_at = forms.DateTimeField(
        label=_("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reached = forms.TypedChoiceField(
        label=_("Did you reach the resident?"),
        choices=YES_NO,
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect(attrs={"data-testid": "contact-reached"}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "initial",
            {"occurred_at": timezone.localtime().replace(second=0, microsecond=0)},
        )
        super().__init__(*args, **kwargs)


class ResultForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Follow-up result"),
        choices=[("", _("– choose the result –"))]
        + [(r.value, EndResult(r).label) for r in FOLLOW_UP_RESULTS],
        widget=forms.Select(attrs={"data-testid": "follow-up-result"}),
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you return it?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. “not for us: the resident lives in another municipality”."),
    )


class RerouteForm(forms.Form):
    social_work = forms.ModelChoiceField(label=_("Send to"), queryset=None)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["social_work"].queryset = Organisation.objects.filter(
            pk__in=[o.pk for o in choices]
        )


class CloseForm(forms.Form):
    end_result = forms.ChoiceField(label=_("End result"), choices=[("", "–"), *EndResult.choices])


class SlotForm(forms.Form):
    """One slot, or a weekly series: the first date and time, repeated for N weeks."""

    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    time = forms.TimeField(
        label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=5, max_value=480, initial=45
    )
    weeks = forms.IntegerField(
        label=_("Repeat weekly for (weeks)"),
        min_value=1,
        max_value=MAX_SERIES_WEEKS,
        initial=1,
        help_text=_("1 = only this date; 4 = this weekday and time for four weeks."),
    )
    channel = forms.ChoiceField(
        label=_("Kind of appointment"),
        choices=AppointmentChannel.choices,
        initial=AppointmentChannel.PHONE,
    )
    location = forms.CharField(label=_("Location"), max_length=200, required=False)

    def first_start(self) -> dt.datetime:
        return timezone.make_aware(
            dt.datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"])
        )
