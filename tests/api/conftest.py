import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from bereik.api import services
from bereik.api.models import Scope


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_token(db):
    """``make_token(organisation, *scopes, expires_in_days=30)`` -> (ApiToken, secret)."""

    def make(organisation, *scopes, expires_in_days: int | None = 30, name="Koppeling"):
        expires_at = (
            timezone.now() + dt.timedelta(days=expires_in_days) if expires_in_days else None
        )
        return services.create_token(
            actor=None,
            organisation=organisation,
            name=name,
            scopes=list(scopes or Scope.values),
            expires_at=expires_at,
        )

    return make


@pytest.fixture
def api():
    """``api(secret)`` -> a DRF test client sending that bearer token."""

    def client_for(secret: str | None = None) -> APIClient:
        client = APIClient()
        if secret:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        return client

    return client_for


def signal(signal_id: str, **fields) -> dict:
    """One valid signal as the API takes it."""
    item = {
        "signalId": signal_id,
        "partnerType": "Zorg",
        "partnerName": "Zorgverzekeraar Oost",
        "amount": "412.50",
        "signalDate": "2026-11-02",
        "bsn": "111222333",
        "initials": "J.",
        "surname": "Jansen",
        "birthDate": "1980-04-01",
        "street": "Dorpsstraat",
        "houseNumber": 12,
        "postcode": "1234AB",
        "city": "Alfa",
        "phoneNumbers": ["06-12345678"],
    }
    item.update(fields)
    return item
