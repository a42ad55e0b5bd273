import pytest
from django.urls import reverse

from bereik.accounts.roles import Role

from .conftest import log_in_fully, submit_password

pytestmark = pytest.mark.django_db


def test_deactivated_user_cannot_log_in_and_is_told_why(client, municipality, make_member):
    user = make_member(Role.AGENT, municipality, is_active=False)
    response = submit_password(client, user.username)
    assert response.status_code == 200
    assert "Dit account is gedeactiveerd." in response.text
    assert "_auth_user_id" not in client.session


def test_wrong_password_on_a_deactivated_account_reveals_nothing(client, municipality, make_member):
    user = make_member(Role.AGENT, municipality, is_active=False)
    response = submit_password(client, user.username, "wrong-password")
    assert "gedeactiveerd" not in response.text
    assert "Onbekende gebruikersnaam of verkeerd wachtwoord." in response.text


def test_running_session_ends_when_the_account_is_deactivated(client, municipality, make_member):
    user = make_member(Role.AGENT, municipality)
    log_in_fully(client, user)
    user.is_active = False
    user.save()
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
