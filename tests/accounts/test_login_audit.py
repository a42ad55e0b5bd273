"""Logins, logouts and failed logins are in the audit trail, without the typed credentials."""

import json

import pytest
from django.urls import reverse

from bereik.accounts.roles import Role
from bereik.audit.models import AuditAction, AuditEntry, AuditResult

from .conftest import log_in_fully, submit_code, submit_password, wrong_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(municipality, make_member):
    return make_member(Role.AGENT, municipality)


def test_login_and_logout_are_recorded(client, agent):
    log_in_fully(client, agent)
    client.post(reverse("accounts:logout"))
    actions = list(AuditEntry.objects.filter(actor=agent).values_list("action", flat=True))
    assert AuditAction.LOGIN in actions
    assert AuditAction.LOGOUT in actions


def test_wrong_password_is_recorded_against_the_account(client, agent):
    submit_password(client, agent.username, "typed-secret-by-mistake")
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert entry.result == AuditResult.FAILED
    assert entry.object_id == str(agent.pk)
    assert entry.detail == {"step": "password"}
    assert "typed-secret-by-mistake" not in json.dumps(entry.detail)


def test_failure_for_an_unknown_name_does_not_store_what_was_typed(client, db):
    submit_password(client, "maybe-a-password-typed-as-name", "x" * 12)
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert entry.object_id == ""
    assert "maybe-a-password" not in entry.canonical()


def test_wrong_code_is_recorded(client, agent):
    submit_password(client, agent.username)
    submit_code(client, wrong_code(agent))
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert entry.actor == agent
    assert entry.detail == {"step": "totp"}


def test_attempt_on_a_deactivated_account_is_recorded_with_the_reason(
    client, municipality, make_member
):
    user = make_member(Role.AGENT, municipality, is_active=False)
    submit_password(client, user.username)
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert entry.object_id == str(user.pk)
    assert entry.detail == {"step": "password", "reason": "deactivated"}
