from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Scope


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Application"),
        max_length=100,
        help_text=_("Which system uses the token, e.g. “RIS koppeling” or “Telefonie”."),
    )
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=None)
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Give only what the application needs."),
    )
    expires_on = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "utrecht-textbox"}),
        help_text=_("Leave empty for no expiry date (not recommended)."),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["name"].widget.attrs["class"] = "utrecht-textbox"
        self.fields["organisation"].widget.attrs["class"] = "utrecht-select"

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        if day is not None and day <= timezone.localdate():
            raise forms.ValidationError(_("Choose a date in the future."))
        return day
