"""The interface speaks Dutch: LANGUAGE_CODE is nl and the translations are compiled."""

import pytest
from django.urls import reverse

from bereik.accounts.roles import Role

from .conftest import submit_password

pytestmark = pytest.mark.django_db


def test_login_page_is_in_dutch(client):
    response = client.get(reverse("accounts:login"))
    assert '<html lang="nl"' in response.text
    assert "Inloggen" in response.text
    assert "Gebruikersnaam" in response.text
    assert "Wachtwoord vergeten?" in response.text


def test_code_step_is_in_dutch(client, municipality, make_member):
    user = make_member(Role.AGENT, municipality)
    submit_password(client, user.username)
    assert "Vul uw code in" in client.get(reverse("accounts:verify")).text


def test_start_page_shell_is_in_dutch(municipality, make_member, verified_client):
    client = verified_client(make_member(Role.COORDINATOR, municipality))
    html = client.get(reverse("portal:home")).text
    assert "Uitloggen" in html
    assert "Naar de hoofdinhoud" in html
