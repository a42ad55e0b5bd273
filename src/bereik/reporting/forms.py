"""Input of the reporting pages: the dashboard filters, the month of a report, the DDAS period
and the report settings. Dutch error messages come from gettext."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bereik.cases.models import PartnerType

from .figures import month_bounds
from .models import ReportSettings

MAX_PERIOD_DAYS = 366 * 2


def parse_month(value: str) -> tuple[dt.date, dt.date]:
    """``YYYY-MM`` -> first and last day; ValueError when malformed."""
    try:
        year, month = value.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError(value)
        return month_bounds(int(year), int(month))
    except (ValueError, TypeError):
        raise ValueError(value) from None


class PeriodMixin:
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The end date lies before the start date."))
            if (end - start).days > MAX_PERIOD_DAYS:
                raise forms.ValidationError(_("Choose a period of at most two years."))
        return cleaned


class DashboardForm(PeriodMixin, forms.Form):
    municipality = forms.TypedChoiceField(
        label=_("Municipality"), required=False, coerce=int, empty_value=None
    )
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(
        label=_("Up to and including"), widget=forms.DateInput(attrs={"type": "date"})
    )
    partner_type = forms.ChoiceField(
        label=_("Partner type"),
        required=False,
        choices=[("", _("All")), *PartnerType.choices],
    )
    partner_name = forms.CharField(label=_("Partner label"), required=False, max_length=200)
    campaign = forms.TypedChoiceField(
        label=_("Campaign"), required=False, coerce=int, empty_value=None
    )
    agent = forms.TypedChoiceField(label=_("Agent"), required=False, coerce=int, empty_value=None)

    def __init__(self, data, *, municipalities, campaigns, agents):
        today = timezone.localdate()
        first, last = month_bounds(today.year, today.month)
        data = {"start": first.isoformat(), "end": last.isoformat(), **data.dict()}
        super().__init__(data)
        self.fields["municipality"].choices = [("", _("All my municipalities"))] + [
            (m.pk, m.name) for m in municipalities
        ]
        self.fields["campaign"].choices = [("", _("All"))] + [
            (c.pk, f"{c.municipality.name} – {c.name}" if len(municipalities) > 1 else c.name)
            for c in campaigns
        ]
        self.fields["agent"].choices = [("", _("All"))] + [
            (u.pk, u.get_full_name() or u.username) for u in agents
        ]


class PeriodForm(PeriodMixin, forms.Form):
    start = forms.DateField(label=_("From"))
    end = forms.DateField(label=_("Up to and including"))


class ReportSettingsForm(forms.ModelForm):
    class Meta:
        model = ReportSettings
        fields = [
            "price_per_callable_record",
            "monthly_fee",
            "min_cell_count",
            "ddas_supplier_code",
        ]
        localized_fields = ["price_per_callable_record", "monthly_fee"]
