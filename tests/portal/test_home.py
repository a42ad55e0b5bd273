import pytest
from django.urls import reverse

from bereik.accounts.roles import Role

pytestmark = pytest.mark.django_db


def test_home_names_the_users_roles(municipality, make_member, verified_client):
    client = verified_client(make_member(Role.COORDINATOR, municipality))
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert "Gemeente Alfa" in response.text


def test_user_without_memberships_is_told_what_to_do(verified_client):
    from tests.factories import UserFactory

    response = verified_client(UserFactory()).get(reverse("portal:home"))
    assert response.status_code == 200
    assert response.context["memberships"] == []


def test_unknown_url_gives_the_not_found_page(municipality, make_member, verified_client):
    client = verified_client(make_member(Role.COORDINATOR, municipality))
    response = client.get("/dossiers/999999/")
    assert response.status_code == 404


def test_skip_link_and_language(municipality, make_member, verified_client):
    client = verified_client(make_member(Role.COORDINATOR, municipality))
    html = client.get(reverse("portal:home")).text
    assert 'href="#main"' in html
    assert '<html lang="nl"' in html
