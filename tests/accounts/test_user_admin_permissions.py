"""Only functional administrators reach user management."""

import pytest
from django.urls import reverse

from bereik.accounts.roles import Role

pytestmark = pytest.mark.django_db

NON_ADMIN_ROLES = [r for r in Role if r != Role.FUNCTIONAL_ADMIN]


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
@pytest.mark.parametrize("url_name", ["user_admin:index", "user_admin:list", "user_admin:create"])
def test_other_roles_get_403(municipality, make_member, verified_client, role, url_name):
    client = verified_client(make_member(role, municipality))
    response = client.get(reverse(url_name))
    assert response.status_code == 403
    assert "Geen toegang" in response.text


def test_other_roles_cannot_post_changes(municipality, make_member, verified_client):
    colleague = make_member(Role.AGENT, municipality)
    client = verified_client(make_member(Role.SUPERVISOR, municipality))
    response = client.post(reverse("user_admin:deactivate", args=[colleague.pk]))
    assert response.status_code == 403
    colleague.refresh_from_db()
    assert colleague.is_active


def test_switched_off_admin_membership_grants_nothing(municipality, admin_of, verified_client):
    admin = admin_of(municipality)
    admin.memberships.update(is_active=False)
    assert verified_client(admin).get(reverse("user_admin:list")).status_code == 403


def test_admin_reaches_the_list_from_the_index(municipality, admin_of, verified_client):
    client = verified_client(admin_of(municipality))
    assert client.get(reverse("user_admin:index")).url == reverse("user_admin:list")
