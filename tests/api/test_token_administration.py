"""The functional administrator's token screens, the delivery log and the command."""

import io

import pytest
from django.core.management import CommandError, call_command

from bereik.accounts.roles import Role
from bereik.api import tokens
from bereik.api.models import ApiToken, Scope
from bereik.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(municipality, make_member):
    return make_member(Role.FUNCTIONAL_ADMIN, municipality)


def test_admin_creates_a_token_that_is_shown_once_and_works(
    municipality, admin, verified_client, api
):
    client = verified_client(admin)
    response = client.post(
        "/api/beheer/nieuw/",
        {
            "name": "RIS koppeling",
            "organisation": municipality.pk,
            "scopes": [Scope.SIGNALS_WRITE, Scope.CASES_READ],
            "expires_on": "2099-01-01",
        },
    )
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret in response.content.decode()
    token = ApiToken.objects.get()
    assert token.secret_hash == tokens.hash_token(secret)
    assert token.created_by == admin
    assert AuditEntry.objects.filter(object_type="api.apitoken", action="create").exists()
    listing = client.get("/api/beheer/").content.decode()
    assert "RIS koppeling" in listing
    assert secret not in listing
    assert api(secret).get("/api/v1/cases").status_code == 200


def test_a_past_expiry_date_is_refused(municipality, admin, verified_client):
    response = verified_client(admin).post(
        "/api/beheer/nieuw/",
        {
            "name": "X",
            "organisation": municipality.pk,
            "scopes": ["cases:read"],
            "expires_on": "2001-01-01",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["expires_on"]
    assert not ApiToken.objects.exists()


def test_admin_revokes_a_token(municipality, admin, verified_client, make_token, api):
    token, secret = make_token(municipality, Scope.CASES_READ)
    response = verified_client(admin).post(f"/api/beheer/{token.pk}/intrekken/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_by == admin
    assert api(secret).get("/api/v1/cases").status_code == 401


def test_another_organisations_token_cannot_be_revoked(
    other_municipality, admin, verified_client, make_token
):
    token, _secret = make_token(other_municipality, Scope.CASES_READ)
    response = verified_client(admin).post(f"/api/beheer/{token.pk}/intrekken/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_an_admin_cannot_make_a_token_for_another_organisation(
    other_municipality, admin, verified_client
):
    response = verified_client(admin).post(
        "/api/beheer/nieuw/",
        {"name": "X", "organisation": other_municipality.pk, "scopes": ["cases:read"]},
    )
    assert response.context["form"].errors["organisation"]
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("path", ["/api/beheer/", "/api/beheer/nieuw/", "/api/beheer/webhooks/"])
def test_other_roles_get_403(municipality, make_member, verified_client, path):
    coordinator = make_member(Role.COORDINATOR, municipality)
    assert verified_client(coordinator).get(path).status_code == 403


def test_the_administration_needs_a_login(client):
    response = client.get("/api/beheer/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_delivery_log_shows_attempts_of_own_organisation_only(
    municipality, other_municipality, admin, verified_client
):
    from django.utils import timezone

    from bereik.api.models import WebhookAttempt, WebhookDelivery, WebhookSubscription

    mine = WebhookSubscription.objects.create(
        organisation=municipality,
        url="https://alfa.example.nl/h",
        events=["case.closed"],
        secret="s",
    )
    theirs = WebhookSubscription.objects.create(
        organisation=other_municipality, url="https://beta.example.nl/h", events=[], secret="s"
    )
    delivery = WebhookDelivery.objects.create(
        subscription=mine, municipality=municipality, event="case.closed", attempts=1
    )
    WebhookAttempt.objects.create(delivery=delivery, attempted_at=timezone.now(), status_code=503)
    WebhookDelivery.objects.create(
        subscription=theirs, municipality=other_municipality, event="case.closed"
    )
    page = verified_client(admin).get("/api/beheer/webhooks/").content.decode()
    assert "alfa.example.nl" in page
    assert "HTTP 503" in page
    assert "beta.example.nl" not in page


def test_command_creates_a_token(municipality):
    out = io.StringIO()
    call_command(
        "create_api_token",
        "--name=Telefonie",
        "--municipality-code=0001",
        "--scope=attempts:write",
        "--scope=callers:read",
        stdout=out,
    )
    secret = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert token.scopes == ["attempts:write", "callers:read"]
    assert tokens.matches(secret, token.secret_hash)
    assert token.expires_at is not None


def test_command_refuses_an_unknown_organisation(db):
    with pytest.raises(CommandError):
        call_command(
            "create_api_token", "--name=X", "--municipality-code=9999", "--scope=cases:read"
        )
