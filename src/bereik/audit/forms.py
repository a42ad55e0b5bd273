from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from .models import AuditAction, AuditResult
from .selectors import AuditCriteria, object_types_in, organisations_visible_to

_TEXT = {"class": "utrecht-textbox utrecht-textbox--html-input"}
_SELECT = {"class": "utrecht-select utrecht-select--html-select"}


def _blank(choices) -> list[tuple[str, str]]:
    return [("", _("All")), *choices]


def _object_type_label(label: str) -> str:
    """``cases.case`` as the model's own name (``Case (cases.case)``), so admins recognise it."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return label
    return f"{str(model._meta.verbose_name).capitalize()} ({label})"


class AuditFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={**_TEXT, "type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={**_TEXT, "type": "date"})
    )
    actor = forms.CharField(
        label=_("Actor (user name)"), required=False, max_length=150, widget=forms.TextInput(_TEXT)
    )
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=_blank(AuditAction.choices),
        widget=forms.Select(_SELECT),
    )
    object_type = forms.ChoiceField(
        label=_("Object type"), required=False, widget=forms.Select(_SELECT)
    )
    object_id = forms.CharField(
        label=_("Object id"), required=False, max_length=64, widget=forms.TextInput(_TEXT)
    )
    result = forms.ChoiceField(
        label=_("Result"),
        required=False,
        choices=_blank(AuditResult.choices),
        widget=forms.Select(_SELECT),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        required=False,
        queryset=None,
        empty_label=_("All"),
        widget=forms.Select(_SELECT),
    )

    def __init__(self, *args, user, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations_visible_to(user)
        self.fields["object_type"].choices = _blank(
            (t, _object_type_label(t)) for t in object_types_in(entries)
        )

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("The end date lies before the start date."))
        return cleaned

    def criteria(self) -> AuditCriteria:
        """The filters as typed in; call only on a valid form."""
        data = self.cleaned_data
        return AuditCriteria(
            date_from=data["date_from"],
            date_to=data["date_to"],
            actor=data["actor"].strip(),
            action=data["action"],
            object_type=data["object_type"],
            object_id=data["object_id"].strip(),
            result=data["result"],
            organisation=data["organisation"],
        )
