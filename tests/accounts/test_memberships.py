import pytest
from django.urls import reverse

from bereik.accounts.models import Membership
from bereik.accounts.roles import Role
from bereik.audit.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(municipality, admin_of):
    return admin_of(municipality)


@pytest.fixture
def agent(municipality, make_member):
    return make_member(Role.AGENT, municipality)


def _add(client, user, organisation, role):
    return client.post(
        reverse("user_admin:membership_add", args=[user.pk]),
        {"organisation": organisation.pk, "role": role},
    )


def test_role_is_added_and_audited(admin, agent, municipality, verified_client):
    response = _add(verified_client(admin), agent, municipality, Role.SUPERVISOR)
    assert response.url == reverse("user_admin:detail", args=[agent.pk])
    assert agent.memberships.filter(role=Role.SUPERVISOR, organisation=municipality).exists()
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_id=str(agent.pk))
    assert entry.detail == {"fields": ["memberships"], "added_role": "supervisor"}
    assert entry.organisation == municipality


def test_role_that_does_not_fit_is_refused_with_a_message(
    contact_centre, admin_of, make_member, verified_client
):
    admin = admin_of(contact_centre)
    agent = make_member(Role.AGENT, contact_centre)
    response = _add(verified_client(admin), agent, contact_centre, Role.SOCIAL_WORKER)
    assert response.status_code == 400
    assert "De rol Hulpverlener past niet bij een contactcentrum." in response.text
    assert not agent.memberships.filter(role=Role.SOCIAL_WORKER).exists()


def test_duplicate_role_is_refused(admin, agent, municipality, verified_client):
    response = _add(verified_client(admin), agent, municipality, Role.AGENT)
    assert response.status_code == 400
    assert "Deze gebruiker heeft deze rol al in deze organisatie." in response.text


def test_switched_off_role_is_switched_on_again(admin, agent, municipality, verified_client):
    agent.memberships.update(is_active=False)
    _add(verified_client(admin), agent, municipality, Role.AGENT)
    assert agent.memberships.get().is_active


def test_role_is_removed_and_audited(admin, agent, verified_client):
    membership = agent.memberships.get()
    client = verified_client(admin)
    client.post(reverse("user_admin:membership_remove", args=[agent.pk, membership.pk]))
    assert not Membership.objects.filter(pk=membership.pk).exists()
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_id=str(agent.pk))
    assert entry.detail == {"fields": ["memberships"], "removed_role": "agent"}


def test_user_whose_last_role_is_removed_stays_in_the_list(admin, agent, verified_client):
    client = verified_client(admin)
    membership = agent.memberships.get()
    client.post(reverse("user_admin:membership_remove", args=[agent.pk, membership.pk]))
    assert agent in client.get(reverse("user_admin:list")).context["page"]


def test_admin_cannot_remove_own_admin_role(admin, verified_client):
    membership = admin.memberships.get()
    client = verified_client(admin)
    response = client.post(
        reverse("user_admin:membership_remove", args=[admin.pk, membership.pk]), follow=True
    )
    assert "U kunt uw eigen beheerdersrol niet intrekken." in response.text
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_unknown_role_value_is_a_form_error(admin, agent, municipality, verified_client):
    response = _add(verified_client(admin), agent, municipality, "emperor")
    assert response.status_code == 400
    assert "role" in response.context["membership_form"].errors
