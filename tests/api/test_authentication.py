"""Tokens: hashed at rest, shown once, expiry, revocation, scopes, rate limit, audit trail."""

import datetime as dt

import pytest
from django.utils import timezone

from bereik.api import services, tokens
from bereik.api.models import ApiToken, Scope
from bereik.api.throttling import TokenRateThrottle
from bereik.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

URL = "/api/v1/cases"


def test_token_is_stored_as_hash_only(municipality, make_token):
    token, secret = make_token(municipality, Scope.CASES_READ)
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret.startswith(f"brk_{stored.prefix}_")
    assert stored.secret_hash == tokens.hash_token(secret)
    assert secret not in {str(value) for value in ApiToken.objects.values_list().get()}


def test_valid_token_is_accepted_and_marked_used(municipality, make_token, api):
    token, secret = make_token(municipality, Scope.CASES_READ)
    response = api(secret).get(URL)
    assert response.status_code == 200
    assert response["API-Version"] == "1.0.0"
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer brk_nonsense", "Token abc", "Bearer brk_0123456789ab_wrong"],
)
def test_missing_or_bad_token_is_401_problem(municipality, api, header):
    client = api()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(URL)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_wrong_secret_with_a_real_prefix_is_401(municipality, make_token, api):
    _token, secret = make_token(municipality, Scope.CASES_READ)
    response = api(secret[:-2] + "xx").get(URL)
    assert response.status_code == 401


def test_expired_token_is_401(municipality, make_token, api):
    token, secret = make_token(municipality, Scope.CASES_READ)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = api(secret).get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"


def test_revoked_token_is_401(municipality, make_token, api):
    token, secret = make_token(municipality, Scope.CASES_READ)
    services.revoke_token(actor=None, token=token)
    response = api(secret).get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "token_revoked"


def test_missing_scope_is_403_problem(municipality, make_token, api):
    _token, secret = make_token(municipality, Scope.SIGNALS_WRITE)
    response = api(secret).get(URL)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert "cases:read" in response.json()["detail"]


def test_every_call_is_in_the_audit_trail_with_the_token_as_actor(municipality, make_token, api):
    token, secret = make_token(municipality, Scope.CASES_READ)
    api(secret).get(URL)
    api(secret).get("/api/v1/callers?phoneNumber=0612345678")
    entries = list(AuditEntry.objects.filter(actor_label=token.audit_label).order_by("pk"))
    assert [(e.detail["path"], e.detail["status"]) for e in entries] == [
        ("/api/v1/cases", 200),
        ("/api/v1/callers", 403),
    ]
    assert entries[0].organisation == municipality
    assert entries[1].action == "access_denied"
    assert "0612345678" not in str(entries[1].detail)


def test_rate_limit_per_token_gives_429_with_retry_after(
    municipality, make_token, api, monkeypatch
):
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "3/minute"})
    _token, secret = make_token(municipality, Scope.CASES_READ)
    _other, other_secret = make_token(municipality, Scope.CASES_READ, name="Ander")
    statuses = [api(secret).get(URL).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = api(secret).get(URL)
    assert limited["Content-Type"] == "application/problem+json"
    assert int(limited["Retry-After"]) > 0
    assert api(other_secret).get(URL).status_code == 200


def test_provider_token_reaches_the_municipalities_of_its_agreements(
    municipality, other_municipality, contact_centre, make_token, api
):
    from tests.factories import CaseFactory

    CaseFactory(municipality=municipality, reference="VS-ALFA")
    CaseFactory(municipality=other_municipality, reference="VS-BETA")
    _token, secret = make_token(contact_centre, Scope.CASES_READ)
    response = api(secret).get(URL)
    assert [case["reference"] for case in response.json()["results"]] == ["VS-ALFA"]
    assert api(secret).get("/api/v1/cases/VS-BETA").status_code == 404


def test_a_portal_session_is_no_api_credential(municipality, make_member, verified_client):
    from bereik.accounts.roles import Role

    coordinator = make_member(Role.COORDINATOR, municipality)
    response = verified_client(coordinator).get(URL)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
