import pytest
from django.urls import reverse

from bereik.accounts.models import User
from bereik.accounts.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(municipality, admin_of):
    return admin_of(municipality, first_name="Ada", last_name="Admin")


def _listed(client, **params):
    return list(client.get(reverse("user_admin:list"), params).context["page"])


def test_list_shows_users_with_their_roles(admin, municipality, make_member, verified_client):
    agent = make_member(Role.AGENT, municipality, first_name="Anna", last_name="Agent")
    response = verified_client(admin).get(reverse("user_admin:list"))
    assert response.status_code == 200
    assert "Anna Agent" in response.text
    assert "Beller" in response.text
    assert set(response.context["page"]) == {admin, agent}


def test_search_by_name_username_or_email(admin, municipality, make_member, verified_client):
    agent = make_member(Role.AGENT, municipality, username="jdevries", last_name="De Vries")
    client = verified_client(admin)
    assert _listed(client, q="vries") == [agent]
    assert _listed(client, q="jdevr") == [agent]
    assert _listed(client, q=agent.email) == [agent]


def test_filter_by_role_and_status(admin, municipality, make_member, verified_client):
    agent = make_member(Role.AGENT, municipality)
    gone = make_member(Role.AGENT, municipality, is_active=False)
    client = verified_client(admin)
    assert set(_listed(client, role=Role.AGENT)) == {agent, gone}
    assert _listed(client, role=Role.AGENT, status="active") == [agent]
    assert _listed(client, status="inactive") == [gone]


def test_filter_by_organisation_when_administering_several(
    admin, municipality, contact_centre, member_of, make_member, verified_client
):
    member_of(admin, contact_centre, Role.FUNCTIONAL_ADMIN)
    agent = make_member(Role.AGENT, contact_centre)
    listed = _listed(verified_client(admin), organisation=contact_centre.pk)
    assert set(listed) == {admin, agent}


def test_account_without_memberships_stays_visible_to_its_creators(
    admin, municipality, other_municipality, verified_client
):
    orphan = User.objects.create(username="orphan", managing_organisation=municipality)
    foreign = User.objects.create(username="foreign", managing_organisation=other_municipality)
    listed = _listed(verified_client(admin))
    assert orphan in listed
    assert foreign not in listed


def test_bad_filter_values_do_not_break_the_page(admin, verified_client):
    response = verified_client(admin).get(
        reverse("user_admin:list"), {"role": "emperor", "status": "x", "page": "abc"}
    )
    assert response.status_code == 200
