import pytest

from bereik.accounts.roles import Role

from .conftest import submit_password

pytestmark = pytest.mark.django_db


def test_wrong_password_shows_a_clear_message_and_logs_nobody_in(client, municipality, make_member):
    user = make_member(Role.AGENT, municipality)
    response = submit_password(client, user.username, "not-the-password")
    assert response.status_code == 200
    assert "Onbekende gebruikersnaam of verkeerd wachtwoord." in response.text
    assert "_auth_user_id" not in client.session


def test_unknown_user_gets_the_same_message(client, db):
    response = submit_password(client, "nobody-by-this-name", "whatever-password")
    assert response.status_code == 200
    assert "Onbekende gebruikersnaam of verkeerd wachtwoord." in response.text
    assert "_auth_user_id" not in client.session
