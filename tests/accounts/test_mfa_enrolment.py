"""An account without an authenticator sets one up at its first login."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from bereik.accounts.roles import Role

from .conftest import submit_password

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(municipality, make_member):
    return make_member(Role.AGENT, municipality, totp=False)


def _pending(user) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user, confirmed=False)


def test_first_login_leads_to_enrolment_with_qr_code_and_secret(client, newcomer):
    assert submit_password(client, newcomer.username).url == reverse("accounts:setup_mfa")
    page = client.get(reverse("accounts:setup_mfa"))
    assert page.status_code == 200
    assert "<svg" in page.text
    secret = page.context["secret"].replace(" ", "")
    assert len(secret) >= 16
    assert secret in page.text.replace(" ", "")


def test_right_code_confirms_the_device_and_logs_in(client, newcomer):
    submit_password(client, newcomer.username)
    client.get(reverse("accounts:setup_mfa"))
    code = f"{totp(_pending(newcomer).bin_key):06d}"
    response = client.post(reverse("accounts:setup_mfa"), {"token": code})
    assert response.url == reverse("portal:home")
    assert TOTPDevice.objects.filter(user=newcomer, confirmed=True).count() == 1
    assert client.get(reverse("portal:home")).status_code == 200


def test_wrong_code_does_not_confirm_the_device(client, newcomer):
    submit_password(client, newcomer.username)
    client.get(reverse("accounts:setup_mfa"))
    code = f"{(totp(_pending(newcomer).bin_key) + 1) % 1_000_000:06d}"
    response = client.post(reverse("accounts:setup_mfa"), {"token": code})
    assert response.status_code == 200
    assert "Deze code klopt niet." in response.text
    assert not TOTPDevice.objects.filter(user=newcomer, confirmed=True).exists()
    assert client.get(reverse("portal:home")).status_code == 302


def test_enrolment_keeps_the_same_secret_across_reloads(client, newcomer):
    submit_password(client, newcomer.username)
    first = client.get(reverse("accounts:setup_mfa")).context["secret"]
    assert client.get(reverse("accounts:setup_mfa")).context["secret"] == first
