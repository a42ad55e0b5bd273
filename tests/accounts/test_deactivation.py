import pytest
from django.urls import reverse

from bereik.accounts.roles import Role
from bereik.audit.models import AuditAction, AuditEntry

from .conftest import submit_password

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(municipality, admin_of):
    return admin_of(municipality)


@pytest.fixture
def agent(municipality, make_member):
    return make_member(Role.AGENT, municipality)


def test_deactivated_user_cannot_log_in(admin, agent, verified_client, client):
    verified_client(admin).post(reverse("user_admin:deactivate", args=[agent.pk]))
    agent.refresh_from_db()
    assert not agent.is_active
    client.logout()
    response = submit_password(client, agent.username)
    assert "Dit account is gedeactiveerd." in response.text
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_id=str(agent.pk))
    assert entry.detail == {"fields": ["is_active"]}


def test_reactivated_user_can_log_in_again(admin, agent, verified_client, client):
    agent.is_active = False
    agent.save()
    verified_client(admin).post(reverse("user_admin:reactivate", args=[agent.pk]))
    client.logout()
    assert submit_password(client, agent.username).url == reverse("accounts:verify")


def test_admin_cannot_deactivate_themselves(admin, verified_client):
    response = verified_client(admin).post(
        reverse("user_admin:deactivate", args=[admin.pk]), follow=True
    )
    assert "U kunt uw eigen account niet deactiveren." in response.text
    admin.refresh_from_db()
    assert admin.is_active


def test_deactivation_needs_post(admin, agent, verified_client):
    response = verified_client(admin).get(reverse("user_admin:deactivate", args=[agent.pk]))
    assert response.status_code == 405
