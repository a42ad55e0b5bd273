from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from . import columns
from .models import ImportRun, IntakeSettings, RoutingRule
from .services import DEFAULT_SOURCE

DEFAULT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024


def max_upload_bytes() -> int:
    return getattr(settings, "INTAKE_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES)


_WIDGET_CLASSES = {
    forms.Select: "utrecht-select utrecht-select--html-select",
    forms.CheckboxInput: "utrecht-checkbox utrecht-checkbox--html-input",
    forms.RadioSelect: "utrecht-radio-button utrecht-radio-button--html-input",
    forms.ClearableFileInput: "utrecht-textbox utrecht-textbox--html-input",
    forms.FileInput: "utrecht-textbox utrecht-textbox--html-input",
}


def style_widgets(form) -> None:
    """NL Design System (Utrecht) classes on every widget."""
    for field in form.fields.values():
        widget = field.widget
        css = next(
            (css for kind, css in _WIDGET_CLASSES.items() if type(widget) is kind),
            "utrecht-textbox utrecht-textbox--html-input",
        )
        widget.attrs.setdefault("class", css)


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


class MunicipalityChoiceMixin:
    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
        if municipalities.count() == 1:
            self.fields["municipality"].initial = municipalities.first()


class UploadForm(MunicipalityChoiceMixin, StyledForm):
    municipality = forms.ModelChoiceField(queryset=None, label=_("Municipality"), empty_label=None)
    file = forms.FileField(
        label=_("Signal file"),
        help_text=_("CSV (comma or semicolon), Excel (.xlsx) or DDAS JSON."),
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=100,
        initial=DEFAULT_SOURCE,
        widget=forms.TextInput(attrs={"list": "intake-sources"}),
        help_text=_(
            "Where the file comes from (e.g. RIS, VPS or a partner). A signal already imported "
            "from this source is skipped; a saved column mapping for this source is used."
        ),
    )
    mode = forms.ChoiceField(
        label=_("When rows have errors"),
        choices=ImportRun.Mode.choices,
        initial=ImportRun.Mode.VALID_ROWS,
        widget=forms.RadioSelect,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = max_upload_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _(
                    "The file is %(size)s; files up to %(limit)s can be uploaded here. Split it, "
                    "or import it on the command line (bereik import_signals)."
                )
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload


class MappingProfileForm(MunicipalityChoiceMixin, StyledForm):
    municipality = forms.ModelChoiceField(queryset=None, label=_("Municipality"), empty_label=None)
    source = forms.CharField(label=_("Source"), max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in columns.CANONICAL:
            self.fields[f"col_{name}"] = forms.CharField(
                label=name,
                required=False,
                max_length=200,
                help_text=_("Column header in this source's files; empty: recognised by name."),
            )
        style_widgets(self)

    def mapping(self) -> dict[str, str]:
        return {
            name: self.cleaned_data.get(f"col_{name}", "")
            for name in columns.CANONICAL
            if self.cleaned_data.get(f"col_{name}")
        }


class RoutingRuleForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)

    class Meta:
        model = RoutingRule
        fields = ["position", "condition", "amount", "action", "due_working_days", "is_active"]

    def clean(self):
        cleaned = super().clean()
        condition = cleaned.get("condition")
        amount_conditions = (RoutingRule.Condition.TOTAL_BELOW, RoutingRule.Condition.TOTAL_ABOVE)
        if condition in amount_conditions and cleaned.get("amount") is None:
            self.add_error("amount", _("This condition needs an amount."))
        if cleaned.get("amount") is not None and cleaned["amount"] < 0:
            self.add_error("amount", _("The amount cannot be negative."))
        if cleaned.get("action") == RoutingRule.Action.URGENT and not cleaned.get(
            "due_working_days"
        ):
            self.add_error("due_working_days", _("Say within how many working days."))
        return cleaned


RoutingRuleFormSet = forms.modelformset_factory(
    RoutingRule, form=RoutingRuleForm, extra=1, can_delete=True
)


class IntakeSettingsForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)

    class Meta:
        model = IntakeSettings
        fields = ["recidive_months"]


class EnrichmentAnswerForm(StyledForm):
    file = forms.FileField(
        label=_("Answer file from the enrichment vendor"),
        help_text=_("CSV with the columns case reference (zaaknummer) and phone number(s)."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_upload_bytes():
            raise forms.ValidationError(_("The file is too large."))
        return upload
