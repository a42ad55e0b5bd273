from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Organisation, User
from .roles import Role

TEXTBOX = {"class": "utrecht-textbox utrecht-textbox--html-input"}
SELECT = {"class": "utrecht-select utrecht-select--html-select"}


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Unknown user name or wrong password."),
        "inactive": _("This account has been deactivated."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("User name")
        self.fields["username"].widget.attrs.update(
            {"class": "utrecht-textbox utrecht-textbox--html-input", "autocomplete": "username"}
        )
        self.fields["password"].label = _("Password")
        self.fields["password"].widget.attrs.update(
            {
                "class": "utrecht-textbox utrecht-textbox--html-input",
                "autocomplete": "current-password",
            }
        )

    def clean(self):
        try:
            return super().clean()
        except ValidationError as error:
            # Only someone who knows the password learns that the account is deactivated.
            if error.code == "invalid_login" and self.is_deactivated_account():
                raise ValidationError(self.error_messages["inactive"], code="inactive") from None
            raise

    def is_deactivated_account(self) -> bool:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        user = User.objects.filter(username=username, is_active=False).first()
        return user is not None and bool(password) and user.check_password(password)


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "class": "utrecht-textbox utrecht-textbox--html-input",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
            }
        ),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError(_("The code consists of digits only."))
        return token


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.get_kind_display().lower()})"


class UserCreateForm(forms.Form):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Letters, digits and @ . + - _ only. Used to log in; cannot be changed."),
        widget=forms.TextInput(attrs=TEXTBOX | {"autocomplete": "off"}),
    )
    first_name = forms.CharField(
        label=_("First name"), max_length=150, widget=forms.TextInput(attrs=TEXTBOX)
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=150, widget=forms.TextInput(attrs=TEXTBOX)
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("The user receives a link at this address to choose a password."),
        widget=forms.EmailInput(attrs=TEXTBOX),
    )
    organisation = OrganisationChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        empty_label=_("Choose an organisation"),
        widget=forms.Select(SELECT),
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple(
            attrs={"class": "utrecht-checkbox utrecht-checkbox--html-input"}
        ),
        help_text=_(
            "Coordinators work only in a municipality; agents, supervisors and quality managers "
            "in a contact centre or municipality; social workers in a social-work organisation or "
            "municipality."
        ),
    )

    def __init__(self, *args, organisations: list[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            pk__in=[o.pk for o in organisations]
        )
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0]


class UserEditForm(forms.Form):
    first_name = forms.CharField(
        label=_("First name"), max_length=150, widget=forms.TextInput(attrs=TEXTBOX)
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=150, widget=forms.TextInput(attrs=TEXTBOX)
    )
    email = forms.EmailField(label=_("E-mail address"), widget=forms.EmailInput(attrs=TEXTBOX))


class MembershipForm(forms.Form):
    organisation = OrganisationChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        empty_label=_("Choose an organisation"),
        widget=forms.Select(SELECT),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, widget=forms.Select(SELECT))

    def __init__(self, *args, organisations: list[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            pk__in=[o.pk for o in organisations]
        )
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0]


class UserFilterForm(forms.Form):
    STATUS_CHOICES = [("", _("All")), ("active", _("Active")), ("inactive", _("Deactivated"))]

    q = forms.CharField(
        label=_("Search by name, user name or e-mail"),
        required=False,
        widget=forms.TextInput(attrs=TEXTBOX | {"type": "search"}),
    )
    organisation = OrganisationChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("All"),
        widget=forms.Select(SELECT),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[("", _("All")), *Role.choices],
        required=False,
        widget=forms.Select(SELECT),
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=STATUS_CHOICES, required=False, widget=forms.Select(SELECT)
    )

    def __init__(self, *args, organisations: list[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            pk__in=[o.pk for o in organisations]
        )
        if len(organisations) == 1:
            del self.fields["organisation"]

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        status = data.get("status")
        return {
            "query": data.get("q", "").strip(),
            "organisation": data.get("organisation"),
            "role": data.get("role", ""),
            "active": {"active": True, "inactive": False}.get(status),
        }
