import pytest

from bereik.accounts.roles import Role
from tests.factories import (
    AppointmentSlotFactory,
    HandoverFactory,
    ProviderFactory,
    ServiceAgreementFactory,
    SignalFactory,
)
from tests.outreach.conftest import (  # noqa: F401  (fixtures shared with outreach's tests)
    agent,
    campaign,
    make_entry,
    outcomes,
)
from tests.outreach.test_workspace import entry, frozen  # noqa: F401  (the workspace's fixtures)


@pytest.fixture
def social_work(municipality):
    organisation = ProviderFactory(social_work=True, name="Sociaal Werk Alfa")
    ServiceAgreementFactory(provider=organisation, municipality=municipality)
    return organisation


@pytest.fixture
def other_social_work(other_municipality):
    organisation = ProviderFactory(social_work=True, name="Sociaal Werk Beta")
    ServiceAgreementFactory(provider=organisation, municipality=other_municipality)
    return organisation


@pytest.fixture
def social_worker(make_member, social_work):
    return make_member(Role.SOCIAL_WORKER, social_work, first_name="Hanna", last_name="Hulp")


@pytest.fixture
def colleague(make_member, social_work):
    return make_member(Role.SOCIAL_WORKER, social_work, first_name="Sam", last_name="Collega")


@pytest.fixture
def outsider(make_member, other_social_work):
    """A social worker of another municipality's social-work organisation."""
    return make_member(Role.SOCIAL_WORKER, other_social_work)


@pytest.fixture
def coordinator(make_member, municipality):
    return make_member(Role.COORDINATOR, municipality)


@pytest.fixture
def handover(municipality, social_work):
    made = HandoverFactory(case__municipality=municipality, social_work=social_work)
    SignalFactory(case=made.case)
    return made


@pytest.fixture
def make_slot(social_work, social_worker):
    def make(**fields):
        fields.setdefault("organisation", social_work)
        fields.setdefault("social_worker", social_worker)
        return AppointmentSlotFactory(**fields)

    return make
