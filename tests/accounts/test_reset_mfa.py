import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from bereik.accounts.roles import Role
from bereik.audit.models import AuditAction, AuditEntry

from .conftest import submit_password

pytestmark = pytest.mark.django_db


def test_reset_authenticator_means_enrolment_at_next_login(
    municipality, admin_of, make_member, verified_client, client
):
    agent = make_member(Role.AGENT, municipality)
    verified_client(admin_of(municipality)).post(reverse("user_admin:reset_mfa", args=[agent.pk]))
    assert not TOTPDevice.objects.filter(user=agent).exists()
    assert AuditEntry.objects.filter(action=AuditAction.MFA_RESET, object_id=str(agent.pk)).exists()
    client.logout()
    assert submit_password(client, agent.username).url == reverse("accounts:setup_mfa")
