"""An administrator of organisation A never sees or touches users of organisation B."""

import pytest
from django.urls import reverse

from bereik.accounts.models import Membership
from bereik.accounts.roles import Role

pytestmark = pytest.mark.django_db

USER_URLS = [
    ("get", "user_admin:detail"),
    ("get", "user_admin:edit"),
    ("post", "user_admin:edit"),
    ("post", "user_admin:membership_add"),
    ("post", "user_admin:deactivate"),
    ("post", "user_admin:reactivate"),
    ("post", "user_admin:reset_mfa"),
    ("post", "user_admin:unlock"),
    ("post", "user_admin:send_password_email"),
]


@pytest.fixture
def admin_a(municipality, admin_of):
    return admin_of(municipality)


@pytest.fixture
def user_b(other_municipality, make_member):
    return make_member(Role.COORDINATOR, other_municipality, first_name="Bertha")


@pytest.mark.parametrize(("method", "url_name"), USER_URLS)
def test_user_of_another_organisation_does_not_exist_for_the_admin(
    admin_a, user_b, verified_client, method, url_name
):
    client = verified_client(admin_a)
    url = reverse(url_name, args=[user_b.pk])
    response = getattr(client, method)(url, {"first_name": "X", "last_name": "Y", "email": "x@y.z"})
    assert response.status_code == 404
    user_b.refresh_from_db()
    assert user_b.is_active
    assert user_b.first_name == "Bertha"


def test_membership_of_another_organisation_cannot_be_removed(admin_a, user_b, verified_client):
    membership = user_b.memberships.get()
    url = reverse("user_admin:membership_remove", args=[user_b.pk, membership.pk])
    assert verified_client(admin_a).post(url).status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_list_and_search_show_only_own_users(
    admin_a, user_b, municipality, make_member, verified_client
):
    own = make_member(Role.AGENT, municipality, first_name="Bertha")
    client = verified_client(admin_a)
    listed = list(client.get(reverse("user_admin:list"), {"q": "Bertha"}).context["page"])
    assert listed == [own]


def test_role_in_another_organisation_cannot_be_granted(
    admin_a, municipality, other_municipality, make_member, verified_client
):
    own = make_member(Role.AGENT, municipality)
    response = verified_client(admin_a).post(
        reverse("user_admin:membership_add", args=[own.pk]),
        {"organisation": other_municipality.pk, "role": Role.COORDINATOR},
    )
    assert response.status_code == 400
    assert not own.memberships.filter(organisation=other_municipality).exists()


def test_user_cannot_be_created_in_another_organisation(
    admin_a, other_municipality, verified_client
):
    response = verified_client(admin_a).post(
        reverse("user_admin:create"),
        {
            "username": "intruder",
            "first_name": "In",
            "last_name": "Truder",
            "email": "intruder@example.invalid",
            "organisation": other_municipality.pk,
            "roles": [Role.COORDINATOR],
        },
    )
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors


@pytest.mark.parametrize(
    "url_name",
    ["user_admin:edit", "user_admin:deactivate", "user_admin:reset_mfa", "user_admin:unlock"],
)
def test_shared_user_account_changes_are_refused(
    admin_a, user_b, municipality, member_of, verified_client, url_name
):
    """A user who also works for B is visible to A, but A cannot change the account as a whole."""
    member_of(user_b, municipality, Role.AGENT)
    client = verified_client(admin_a)
    assert client.get(reverse("user_admin:detail", args=[user_b.pk])).status_code == 200
    assert client.post(reverse(url_name, args=[user_b.pk])).status_code == 403
    user_b.refresh_from_db()
    assert user_b.is_active


def test_shared_user_detail_shows_only_own_memberships(
    admin_a, user_b, municipality, member_of, verified_client
):
    member_of(user_b, municipality, Role.AGENT)
    response = verified_client(admin_a).get(reverse("user_admin:detail", args=[user_b.pk]))
    assert "Gemeente Beta" not in response.text
    assert [m.organisation for m in response.context["managed"].memberships] == [municipality]
