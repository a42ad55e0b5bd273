"""The planner's form: it parses and explains; the forecast itself is ``services.plan_reach``."""

import datetime as dt
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bereik.outreach.scheduling import DayPart

from . import selectors
from .services import PLANNER_HORIZON_DAYS

MAX_SIGNALS = 100_000
MAX_AGENTS = Decimal(500)
DEFAULT_TARGET = 70
# How far from today a campaign may start: its calendar (holidays) must be one we can compute.
START_DATE_RANGE = dt.timedelta(days=366)

AGENT_FIELDS = {
    DayPart.MORNING: ("agents_morning", _("Agents in the morning (08:30-12:00)")),
    DayPart.AFTERNOON: ("agents_afternoon", _("Agents in the afternoon (12:00-18:00)")),
    DayPart.EVENING: ("agents_evening", _("Agents in the evening (18:00-21:00)")),
    DayPart.SATURDAY: ("agents_saturday", _("Agents on Saturday (09:00-17:00)")),
}


def _agents_field(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=0,
        max_value=MAX_AGENTS,
        decimal_places=1,
        initial=2,
        widget=forms.NumberInput(attrs={"class": "utrecht-textbox", "step": "0.5", "min": "0"}),
        error_messages={
            "required": _("Enter the number of agents (0 if nobody calls then)."),
            "min_value": _("The number of agents cannot be negative."),
            "max_value": _("At most %(limit_value)s agents per day-part."),
            "invalid": _("Enter a number, e.g. 2 or 1.5."),
            "max_decimal_places": _("Use at most one decimal, e.g. 1.5."),
        },
    )


class PlannerForm(forms.Form):
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=None,
        empty_label=None,
        widget=forms.Select(attrs={"class": "utrecht-select"}),
    )
    signals = forms.IntegerField(
        label=_("Number of signals this month"),
        help_text=_("The residents to be called, e.g. the signals of one matching month."),
        min_value=1,
        max_value=MAX_SIGNALS,
        initial=1000,
        widget=forms.NumberInput(attrs={"class": "utrecht-textbox", "min": "1"}),
        error_messages={
            "required": _("Enter the number of signals."),
            "min_value": _("The number of signals must be a positive number."),
            "max_value": _("At most %(limit_value)s signals per forecast."),
            "invalid": _("Enter a whole number of signals."),
        },
    )
    start_date = forms.DateField(
        label=_("First calling day"),
        widget=forms.DateInput(attrs={"class": "utrecht-textbox", "type": "date"}),
        error_messages={
            "required": _("Enter the first calling day."),
            "invalid": _("Enter a date, e.g. 2026-03-02."),
        },
    )
    agents_morning = _agents_field(AGENT_FIELDS[DayPart.MORNING][1])
    agents_afternoon = _agents_field(AGENT_FIELDS[DayPart.AFTERNOON][1])
    agents_evening = _agents_field(AGENT_FIELDS[DayPart.EVENING][1])
    agents_saturday = _agents_field(AGENT_FIELDS[DayPart.SATURDAY][1])
    day = forms.IntegerField(
        label=_("Reach by day"),
        min_value=1,
        max_value=PLANNER_HORIZON_DAYS,
        initial=28,
        widget=forms.NumberInput(attrs={"class": "utrecht-textbox", "min": "1"}),
        error_messages={
            "required": _("Enter the day for which you want to know the reach."),
            "invalid": _("Enter a whole number of days."),
        },
    )
    target = forms.IntegerField(
        label=_("Target reach (%)"),
        min_value=1,
        max_value=99,
        initial=DEFAULT_TARGET,
        widget=forms.NumberInput(attrs={"class": "utrecht-textbox", "min": "1", "max": "99"}),
        error_messages={
            "required": _("Enter a target reach."),
            "min_value": _("The target must be between 1 and 99 percent."),
            "max_value": _("The target must be between 1 and 99 percent."),
            "invalid": _("Enter a whole percentage, e.g. 70."),
        },
    )
    policy = forms.ChoiceField(
        label=_("Way of calling"),
        choices=[
            ("baseline", _("Today's practice (fixed rotation over day-parts)")),
            ("adaptive", _("Learning schedule (adaptive)")),
        ],
        initial="baseline",
        widget=forms.Select(attrs={"class": "utrecht-select"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = selectors.planner_municipalities(user)
        self.fields["start_date"].initial = timezone.localdate()
        horizon = {"max": PLANNER_HORIZON_DAYS}
        day = self.fields["day"]
        day.help_text = (
            gettext("Calendar days from the first calling day (day 1), at most %(max)s.") % horizon
        )
        out_of_range = gettext("Choose a day between 1 and %(max)s.") % horizon
        day.error_messages.update(min_value=out_of_range, max_value=out_of_range)

    def clean_start_date(self):
        value = self.cleaned_data["start_date"]
        today = timezone.localdate()
        if abs(value - today) > START_DATE_RANGE:
            raise ValidationError(
                _("Choose a first calling day within a year from today."), code="out_of_range"
            )
        return value

    def clean(self):
        cleaned = super().clean()
        values = [cleaned.get(name) for name, _label in AGENT_FIELDS.values()]
        if all(value is not None for value in values) and sum(values) <= 0:
            raise ValidationError(
                _("Plan at least one agent in one of the day-parts."), code="no_agents"
            )
        return cleaned

    @property
    def agents(self) -> dict[DayPart, float]:
        return {part: float(self.cleaned_data[name]) for part, (name, _l) in AGENT_FIELDS.items()}
