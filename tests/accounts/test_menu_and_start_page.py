import pytest
from django.urls import reverse

from bereik.accounts.roles import Role

pytestmark = pytest.mark.django_db


def test_admin_sees_the_users_menu_item_and_card(
    municipality, other_municipality, admin_of, make_member, verified_client
):
    make_member(Role.AGENT, municipality)
    make_member(Role.AGENT, municipality, is_active=False)
    make_member(Role.AGENT, other_municipality)
    response = verified_client(admin_of(municipality)).get(reverse("portal:home"))
    labels = [item["label"] for item in response.context["menu"]]
    assert "Gebruikers" in labels
    card = next(c for c in response.context["cards"] if c.title == "Actieve gebruikers")
    assert card.figure == 2  # the administrator and the active agent


def test_other_roles_do_not_see_the_menu_item(municipality, make_member, verified_client):
    response = verified_client(make_member(Role.AGENT, municipality)).get(reverse("portal:home"))
    assert "Gebruikers" not in [item["label"] for item in response.context["menu"]]
