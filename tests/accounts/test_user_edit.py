import pytest
from django.urls import reverse

from bereik.accounts.roles import Role
from bereik.audit.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(municipality, admin_of):
    return admin_of(municipality)


@pytest.fixture
def agent(municipality, make_member):
    return make_member(Role.AGENT, municipality, first_name="Anna", email="anna@example.invalid")


def test_name_and_email_can_be_changed(admin, agent, verified_client):
    client = verified_client(admin)
    response = client.post(
        reverse("user_admin:edit", args=[agent.pk]),
        {"first_name": "Anne", "last_name": agent.last_name, "email": "anne@example.invalid"},
    )
    assert response.url == reverse("user_admin:detail", args=[agent.pk])
    agent.refresh_from_db()
    assert (agent.first_name, agent.email) == ("Anne", "anne@example.invalid")
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_id=str(agent.pk))
    assert entry.detail == {"fields": ["first_name", "email"]}
    assert entry.actor == admin


def test_saving_without_changes_writes_no_audit_entry(admin, agent, verified_client):
    verified_client(admin).post(
        reverse("user_admin:edit", args=[agent.pk]),
        {"first_name": agent.first_name, "last_name": agent.last_name, "email": agent.email},
    )
    assert not AuditEntry.objects.filter(action=AuditAction.UPDATE).exists()


def test_empty_name_or_bad_email_is_refused(admin, agent, verified_client):
    response = verified_client(admin).post(
        reverse("user_admin:edit", args=[agent.pk]),
        {"first_name": "", "last_name": "X", "email": "nope"},
    )
    assert response.status_code == 200
    assert {"first_name", "email"} <= set(response.context["form"].errors)
    agent.refresh_from_db()
    assert agent.first_name == "Anna"
