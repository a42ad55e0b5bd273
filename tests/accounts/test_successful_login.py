import pytest
from django.urls import reverse

from bereik.accounts.roles import Role

from .conftest import current_code, submit_code, submit_password

pytestmark = pytest.mark.django_db


def test_password_and_code_reach_the_start_page(client, municipality, make_member):
    user = make_member(Role.COORDINATOR, municipality)
    response = submit_password(client, user.username)
    assert response.url == reverse("accounts:verify")
    response = submit_code(client, current_code(user))
    assert response.url == reverse("portal:home")
    home = client.get(reverse("portal:home"))
    assert home.status_code == 200
    assert "Gemeente Alfa" in home.text


def test_next_page_on_this_site_is_followed_after_both_steps(client, municipality, make_member):
    user = make_member(Role.COORDINATOR, municipality)
    submit_password(client, user.username, next="/dossiers/")
    response = submit_code(client, current_code(user))
    assert response.url == "/dossiers/"
