import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from bereik.accounts.roles import Role
from bereik.audit.models import AuditAction, AuditEntry

from .conftest import submit_password

pytestmark = pytest.mark.django_db


def test_admin_lifts_a_lockout(municipality, admin_of, make_member, verified_client):
    agent = make_member(Role.AGENT, municipality)
    agent_client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        submit_password(agent_client, agent.username, "wrong-password")
    assert submit_password(agent_client, agent.username).status_code == 403

    admin_client = verified_client(admin_of(municipality))
    detail = admin_client.get(reverse("user_admin:detail", args=[agent.pk]))
    assert detail.context["managed"].locked_out
    admin_client.post(reverse("user_admin:unlock", args=[agent.pk]))

    assert submit_password(agent_client, agent.username).url == reverse("accounts:verify")
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_id=str(agent.pk))
    assert entry.detail == {"fields": ["lockout"]}
