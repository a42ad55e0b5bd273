import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from bereik.accounts.roles import Role

from .factories import (
    MembershipFactory,
    MunicipalityFactory,
    ProviderFactory,
    ServiceAgreementFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def fresh_queue_caches():
    """The call queue's per-process caches (campaigns, calendars, outcome settings, promotion)
    must not carry one test's rows into the next: ids repeat between tests."""
    from bereik.outreach import selectors, services

    selectors.forget_cached_campaigns()
    services._promoted_at.clear()
    yield
    selectors.forget_cached_campaigns()
    services._promoted_at.clear()


def login_verified(client, user):
    """Log a user in on the test client with password and TOTP both passed."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def municipality(db):
    return MunicipalityFactory(name="Gemeente Alfa", municipality_code="0001")


@pytest.fixture
def other_municipality(db):
    return MunicipalityFactory(name="Gemeente Beta", municipality_code="0002")


@pytest.fixture
def contact_centre(municipality):
    centre = ProviderFactory(name="Contactcentrum Alfa")
    ServiceAgreementFactory(provider=centre, municipality=municipality)
    return centre


@pytest.fixture
def make_member(db):
    """``make_member(role, organisation)`` -> a user with that one membership and a TOTP device."""

    def make(role: Role, organisation, **user_fields):
        user = UserFactory(**user_fields)
        MembershipFactory(user=user, organisation=organisation, role=role)
        return user

    return make


@pytest.fixture
def verified_client(client):
    """``verified_client(user)`` -> the test client, logged in with both factors."""

    def login(user):
        return login_verified(client, user)

    return login
