"""After the password alone, every page sends the user to the code step."""

import pytest
from django.urls import reverse

from bereik.accounts.roles import Role

from .conftest import submit_password

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/dossiers/", "/beheer/gebruikers/", "/django-admin/"])
def test_password_only_user_is_sent_to_the_code_step(client, municipality, make_member, path):
    user = make_member(Role.FUNCTIONAL_ADMIN, municipality)
    submit_password(client, user.username)
    response = client.get(path)
    assert response.status_code == 302
    assert response.url == reverse("accounts:verify")


@pytest.mark.parametrize("path", ["/", "/dossiers/", "/beheer/gebruikers/"])
def test_anonymous_visitor_is_sent_to_the_login_page(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
