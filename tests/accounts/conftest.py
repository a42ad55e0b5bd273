"""Helpers for walking through the login as a browser would: password step, then code step."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from bereik.accounts.roles import Role
from tests.factories import TEST_PASSWORD, MembershipFactory


def current_code(user) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{totp(device.bin_key):06d}"


def wrong_code(user) -> str:
    return f"{(int(current_code(user)) + 500_000) % 1_000_000:06d}"


def submit_password(client, username: str, password: str = TEST_PASSWORD, **extra):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password, **extra}
    )


def submit_code(client, code: str):
    return client.post(reverse("accounts:verify"), {"token": code})


def log_in_fully(client, user):
    submit_password(client, user.username)
    return submit_code(client, current_code(user))


@pytest.fixture
def admin_of(make_member):
    """``admin_of(organisation)`` -> a functional administrator of that organisation."""

    def make(organisation, **user_fields):
        return make_member(Role.FUNCTIONAL_ADMIN, organisation, **user_fields)

    return make


@pytest.fixture
def member_of(db):
    """``member_of(user, organisation, role)`` -> adds a membership to an existing user."""

    def add(user, organisation, role: Role):
        return MembershipFactory(user=user, organisation=organisation, role=role)

    return add
