import datetime

import pytest

from bereik.accounts.roles import Role
from bereik.privacy import registry

# The purge measures terms against this date in the tests.
TODAY = datetime.date(2026, 3, 1)


@pytest.fixture
def coordinator(make_member, municipality):
    return make_member(Role.COORDINATOR, municipality, username="coord-alfa")


@pytest.fixture
def functional_admin(make_member, municipality):
    return make_member(Role.FUNCTIONAL_ADMIN, municipality, username="beheer-alfa")


@pytest.fixture
def agent(make_member, contact_centre):
    return make_member(Role.AGENT, contact_centre, username="beller-alfa")


@pytest.fixture
def clean_registry():
    """Registrations made by a test are removed afterwards."""
    before_purgers = registry.purgers()
    before_exporters = registry.exporters()
    yield registry
    for name in set(registry.purgers()) - set(before_purgers):
        registry.unregister(name)
    for name in set(registry.exporters()) - set(before_exporters):
        registry.unregister(name)
