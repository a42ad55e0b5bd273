import re

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from bereik.accounts.models import User
from bereik.accounts.roles import Role
from bereik.audit.models import AuditAction, AuditEntry

from .conftest import submit_password

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-fresh-and-long-password-42"


@pytest.fixture
def admin_client(municipality, admin_of, verified_client):
    return verified_client(admin_of(municipality))


def _create(client, organisation, **overrides):
    data = {
        "username": "pjansen",
        "first_name": "Piet",
        "last_name": "Jansen",
        "email": "piet.jansen@example.invalid",
        "organisation": organisation.pk,
        "roles": [Role.AGENT, Role.SUPERVISOR],
        **overrides,
    }
    return client.post(reverse("user_admin:create"), data)


def test_new_user_gets_roles_and_no_usable_password(admin_client, municipality):
    response = _create(admin_client, municipality)
    user = User.objects.get(username="pjansen")
    assert response.url == reverse("user_admin:detail", args=[user.pk])
    assert not user.has_usable_password()
    assert user.managing_organisation == municipality
    assert set(user.memberships.values_list("role", flat=True)) == {Role.AGENT, Role.SUPERVISOR}


def test_new_user_chooses_a_password_via_the_mail_then_enrols(admin_client, municipality, client):
    _create(admin_client, municipality)
    assert mail.outbox[-1].to == ["piet.jansen@example.invalid"]
    assert "pjansen" in mail.outbox[-1].body
    link = re.search(r"https?://[^/\s]+(/\S+)", mail.outbox[-1].body).group(1)
    admin_client.logout()
    form_url = client.get(link).url
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    response = submit_password(client, "pjansen", NEW_PASSWORD)
    assert response.url == reverse("accounts:setup_mfa")


def test_creation_is_audited_without_personal_data(admin_client, municipality):
    _create(admin_client, municipality)
    user = User.objects.get(username="pjansen")
    entry = AuditEntry.objects.get(action=AuditAction.CREATE, object_id=str(user.pk))
    assert entry.organisation == municipality
    assert "email" in entry.detail["fields"]
    for personal in ("Piet", "Jansen", "piet.jansen", "pjansen"):
        assert personal not in str(entry.detail)


def test_role_that_does_not_fit_the_organisation_is_refused_with_a_message(
    municipality, contact_centre, admin_of, verified_client
):
    client = verified_client(admin_of(contact_centre))
    response = _create(client, contact_centre, roles=[Role.COORDINATOR])
    assert response.status_code == 200
    assert "De rol Gemeentelijk coördinator past niet bij een contactcentrum." in response.text
    assert not User.objects.filter(username="pjansen").exists()


def test_taken_user_name_is_refused_whatever_its_case(admin_client, municipality, make_member):
    make_member(Role.AGENT, municipality, username="PJansen")
    response = _create(admin_client, municipality)
    assert response.status_code == 200
    assert "Deze gebruikersnaam is al in gebruik." in response.text


def test_missing_fields_and_bad_email_are_reported(admin_client, municipality):
    response = _create(admin_client, municipality, email="not-an-address", roles=[], username="")
    errors = response.context["form"].errors
    assert {"email", "roles", "username"} <= set(errors)


def test_failing_mail_still_creates_the_account_and_says_so(
    admin_client, municipality, monkeypatch
):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError

    monkeypatch.setattr("bereik.accounts.services.send_mail", refuse)
    response = _create(admin_client, municipality)
    assert User.objects.filter(username="pjansen").exists()
    page = admin_client.get(response.url)
    assert "de e-mail kon niet worden verstuurd" in page.text


def test_created_user_has_no_authenticator_until_enrolment(admin_client, municipality):
    _create(admin_client, municipality)
    assert not TOTPDevice.objects.filter(user__username="pjansen").exists()
