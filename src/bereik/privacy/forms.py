from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import MAX_TERM_MONTHS, ObjectionChannel, RetentionCategory
from .services import validate_term


class RetentionTermsForm(forms.Form):
    """One field per retention category, in months."""

    def __init__(self, *args, terms: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        for category in RetentionCategory:
            self.fields[category.value] = forms.IntegerField(
                label=category.label,
                initial=terms[category],
                max_value=MAX_TERM_MONTHS,
                help_text=_("Months; at least 1."),
                validators=[validate_term],
            )

    def terms(self) -> dict[str, int]:
        return {category.value: self.cleaned_data[category.value] for category in RetentionCategory}


class LegalHoldForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "class": "utrecht-textarea"}),
        help_text=_("E.g. the objection or court case the data is needed for. No personal data."),
    )


class ObjectionForm(forms.Form):
    date = forms.DateField(
        label=_("Received on"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date", "class": "utrecht-textbox"}),
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=ObjectionChannel.choices)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "utrecht-textarea"}),
    )


class WithdrawalForm(ObjectionForm):
    date = forms.DateField(
        label=_("Withdrawn on"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date", "class": "utrecht-textbox"}),
    )
