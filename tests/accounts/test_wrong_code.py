import pytest
from django.urls import reverse

from bereik.accounts.roles import Role

from .conftest import submit_code, submit_password, wrong_code

pytestmark = pytest.mark.django_db


def test_wrong_code_shows_a_clear_message_and_does_not_verify(client, municipality, make_member):
    user = make_member(Role.AGENT, municipality)
    submit_password(client, user.username)
    response = submit_code(client, wrong_code(user))
    assert response.status_code == 200
    assert "Deze code klopt niet." in response.text
    assert client.get(reverse("portal:home")).url == reverse("accounts:verify")


def test_code_with_letters_is_refused_with_a_message(client, municipality, make_member):
    user = make_member(Role.AGENT, municipality)
    submit_password(client, user.username)
    response = submit_code(client, "12a456")
    assert response.status_code == 200
    assert "De code bestaat alleen uit cijfers." in response.text
