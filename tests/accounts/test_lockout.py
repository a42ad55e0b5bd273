"""Too many failures lock the account; password and code failures count together."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from bereik.accounts.roles import Role

from .conftest import current_code, submit_code, submit_password, wrong_code

pytestmark = pytest.mark.django_db

LIMIT = settings.AXES_FAILURE_LIMIT


@pytest.fixture
def agent(municipality, make_member):
    return make_member(Role.AGENT, municipality)


def test_repeated_wrong_passwords_lock_the_account(client, agent):
    for _ in range(LIMIT - 1):
        assert submit_password(client, agent.username, "wrong-password").status_code == 200
    response = submit_password(client, agent.username, "wrong-password")
    assert response.status_code == 403
    assert "Account tijdelijk geblokkeerd" in response.text


def test_locked_account_refuses_even_the_right_password(client, agent):
    for _ in range(LIMIT):
        submit_password(client, agent.username, "wrong-password")
    response = submit_password(client, agent.username)
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_repeated_wrong_codes_lock_the_account_and_end_the_half_login(client, agent):
    submit_password(client, agent.username)
    for _ in range(LIMIT - 1):
        assert submit_code(client, wrong_code(agent)).status_code == 200
    response = submit_code(client, wrong_code(agent))
    assert response.status_code == 403
    assert "Account tijdelijk geblokkeerd" in response.text
    assert "_auth_user_id" not in client.session


def test_password_and_code_failures_count_together(client, agent):
    for _ in range(LIMIT - 2):
        submit_password(client, agent.username, "wrong-password")
    submit_password(client, agent.username)
    submit_code(client, wrong_code(agent))
    response = submit_code(client, wrong_code(agent))
    assert response.status_code == 403


def test_right_password_does_not_restart_the_count_of_code_failures(client, agent):
    """Otherwise whoever knows the password could guess codes in endless rounds."""
    submit_password(client, agent.username)
    for _ in range(LIMIT - 1):
        submit_code(client, wrong_code(agent))
    client.post(reverse("accounts:logout"))
    assert submit_password(client, agent.username).status_code == 302
    assert submit_code(client, wrong_code(agent)).status_code == 403


def test_lock_expires_after_the_cool_off(client, agent):
    start = timezone.now()
    with freeze_time(start):
        for _ in range(LIMIT):
            submit_password(client, agent.username, "wrong-password")
        assert submit_password(client, agent.username).status_code == 403
    later = start + datetime.timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1)
    with freeze_time(later):
        assert submit_password(client, agent.username).url == reverse("accounts:verify")
        assert submit_code(client, current_code(agent)).url == reverse("portal:home")


def test_full_login_clears_earlier_failures(client, agent):
    for _ in range(LIMIT - 1):
        submit_password(client, agent.username, "wrong-password")
    submit_password(client, agent.username)
    submit_code(client, current_code(agent))
    client.post(reverse("accounts:logout"))
    for _ in range(LIMIT - 1):
        assert submit_password(client, agent.username, "wrong-password").status_code == 200
