"""The access helper: which municipalities each kind of membership reaches, per permission."""

import pytest

from bereik.accounts.access import access_for
from bereik.accounts.roles import Permission, Role
from tests.factories import MembershipFactory, ServiceAgreementFactory

pytestmark = pytest.mark.django_db


def test_municipal_coordinator_reaches_only_own_municipality(
    municipality, other_municipality, make_member
):
    access = access_for(make_member(Role.COORDINATOR, municipality))
    assert access.municipality_ids(Permission.VIEW_RESIDENT) == {municipality.pk}
    assert access.can(Permission.VIEW_BSN, municipality.pk)
    assert not access.can(Permission.VIEW_RESIDENT, other_municipality.pk)


def test_contact_centre_reaches_every_contracted_municipality(
    municipality, other_municipality, contact_centre, make_member
):
    ServiceAgreementFactory(provider=contact_centre, municipality=other_municipality)
    access = access_for(make_member(Role.AGENT, contact_centre))
    assert access.municipality_ids(Permission.VIEW_RESIDENT) == {
        municipality.pk,
        other_municipality.pk,
    }
    assert not access.municipality_ids(Permission.VIEW_BSN)


def test_future_agreement_grants_nothing_yet(municipality, make_member):
    agreement = ServiceAgreementFactory(municipality=municipality, starts_on="2999-01-01")
    access = access_for(make_member(Role.AGENT, agreement.provider))
    assert not access.municipality_ids(Permission.VIEW_RESIDENT)


def test_inactive_membership_grants_nothing(municipality, make_member):
    user = make_member(Role.COORDINATOR, municipality)
    user.memberships.update(is_active=False)
    assert not access_for(user).has(Permission.VIEW_RESIDENT)


def test_deactivated_municipality_grants_nothing(municipality, contact_centre, make_member):
    user = make_member(Role.AGENT, contact_centre)
    municipality.is_active = False
    municipality.save()
    assert not access_for(user).municipality_ids(Permission.VIEW_RESIDENT)


def test_permissions_follow_the_role_not_the_user(municipality, contact_centre, make_member):
    user = make_member(Role.AGENT, contact_centre)
    MembershipFactory(user=user, organisation=municipality, role=Role.FUNCTIONAL_ADMIN)
    access = access_for(user)
    assert access.has(Permission.MANAGE_USERS)
    assert access.has(Permission.WORK_CALL_QUEUE)
    assert not access.has(Permission.VIEW_BSN)
