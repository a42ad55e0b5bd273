from django import forms
from django.utils.translation import gettext_lazy as _

from .models import LifecycleRule, RuleKind

TEXTAREA = {"rows": 4, "class": "utrecht-textarea"}


class RuleForm(forms.ModelForm):
    class Meta:
        model = LifecycleRule
        fields = ["purpose", "is_active", "months", "arrears_threshold", "refer_to"]
        widgets = {
            "purpose": forms.Textarea(attrs=TEXTAREA),
            "months": forms.NumberInput(attrs={"class": "utrecht-textbox"}),
            "arrears_threshold": forms.NumberInput(attrs={"class": "utrecht-textbox"}),
            "refer_to": forms.TextInput(attrs={"class": "utrecht-textbox"}),
        }

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["purpose"].required = True
        if kind == RuleKind.RE_APPROACH_REFUSER:
            self.fields["months"].label = _("Re-approach after (months without a new signal)")
            del self.fields["arrears_threshold"]
            del self.fields["refer_to"]
        elif kind == RuleKind.REFER_UNREACHED:
            self.fields["months"].label = _("Not reached in this many consecutive months")
            self.fields["months"].min_value = 2
            del self.fields["arrears_threshold"]
        else:
            del self.fields["months"]
            self.fields["arrears_threshold"].required = True
            self.fields["arrears_threshold"].help_text = _(
                "A resident who refused help is proposed when the arrears of a later signal "
                "exceed this amount and are higher than at the refusal."
            )
        if "refer_to" in self.fields:
            self.fields["refer_to"].required = True

    def clean_months(self):
        months = self.cleaned_data["months"]
        if self.kind == RuleKind.REFER_UNREACHED and months < 2:
            raise forms.ValidationError(_("At least 2 months."))
        return months

    def clean_arrears_threshold(self):
        amount = self.cleaned_data["arrears_threshold"]
        if amount is not None and amount <= 0:
            raise forms.ValidationError(_("The threshold must be more than zero."))
        return amount


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "utrecht-textarea"}),
        help_text=_("Why you confirm or reject this proposal. Stored with your name."),
    )
