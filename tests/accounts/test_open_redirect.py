import pytest
from django.urls import reverse

from bereik.accounts.roles import Role

from .conftest import current_code, submit_code, submit_password

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "https:evil.example"]
)
def test_next_to_another_site_is_not_followed(client, municipality, make_member, target):
    user = make_member(Role.AGENT, municipality)
    submit_password(client, user.username, next=target)
    response = submit_code(client, current_code(user))
    assert response.url == reverse("portal:home")


def test_login_page_does_not_echo_a_foreign_next(client, db):
    response = client.get(reverse("accounts:login"), {"next": "https://evil.example/"})
    assert "evil.example" not in response.text
