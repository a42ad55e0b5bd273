"""Case pages: tenant isolation, minimal data per role, and the audit of every read."""

import pytest
from django.urls import reverse

from bereik.accounts.roles import Role
from bereik.audit.models import AuditAction, AuditEntry
from tests.factories import CaseFactory, ServiceAgreementFactory, SignalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(municipality):
    return SignalFactory(
        case=CaseFactory(municipality=municipality, resident__bsn="123456782")
    ).case


@pytest.fixture
def foreign_case(other_municipality):
    return SignalFactory(case=CaseFactory(municipality=other_municipality)).case


def test_coordinator_sees_case_of_own_municipality(
    case, municipality, make_member, verified_client
):
    client = verified_client(make_member(Role.COORDINATOR, municipality))
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    assert case.resident.surname in response.text


def test_viewing_a_case_is_audited_without_personal_data(
    case, municipality, make_member, verified_client
):
    user = make_member(Role.COORDINATOR, municipality)
    verified_client(user).get(reverse("cases:detail", args=[case.pk]))
    entry = AuditEntry.objects.get(action=AuditAction.VIEW, object_type="cases.case")
    assert entry.object_id == str(case.pk)
    assert entry.actor == user
    assert entry.organisation == municipality
    assert entry.origin == "127.0.0.1"
    assert case.resident.surname not in entry.canonical()
    assert case.resident.bsn not in entry.canonical()


@pytest.mark.parametrize(
    "role", [Role.COORDINATOR, Role.AGENT, Role.SUPERVISOR, Role.SOCIAL_WORKER]
)
def test_case_of_another_municipality_is_not_found(
    role, foreign_case, municipality, contact_centre, make_member, verified_client
):
    organisation = municipality if role == Role.COORDINATOR else contact_centre
    if role == Role.SOCIAL_WORKER:
        organisation = ServiceAgreementFactory(
            provider__social_work=True, municipality=municipality
        ).provider
    client = verified_client(make_member(role, organisation))
    response = client.get(reverse("cases:detail", args=[foreign_case.pk]))
    assert response.status_code == 404
    assert foreign_case.resident.surname not in response.text
    assert not AuditEntry.objects.filter(action=AuditAction.VIEW).exists()


def test_case_list_shows_only_own_municipality(
    case, foreign_case, municipality, make_member, verified_client
):
    client = verified_client(make_member(Role.COORDINATOR, municipality))
    response = client.get(reverse("cases:list"))
    assert case.reference in response.text
    assert foreign_case.reference not in response.text


def test_contact_centre_reaches_cases_through_its_agreement_only(
    case, foreign_case, contact_centre, make_member, verified_client
):
    client = verified_client(make_member(Role.AGENT, contact_centre))
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    assert client.get(reverse("cases:detail", args=[foreign_case.pk])).status_code == 404


def test_ended_agreement_ends_access(case, municipality, make_member, verified_client):
    agreement = ServiceAgreementFactory(municipality=municipality, ends_on="2021-01-01")
    client = verified_client(make_member(Role.AGENT, agreement.provider))
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 403  # no municipality left where this agent may work
    assert case.resident.surname not in response.text


def test_agent_does_not_see_bsn(case, contact_centre, make_member, verified_client):
    client = verified_client(make_member(Role.AGENT, contact_centre))
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    assert case.resident.bsn not in response.text


def test_coordinator_sees_bsn(case, municipality, make_member, verified_client):
    client = verified_client(make_member(Role.COORDINATOR, municipality))
    assert case.resident.bsn in client.get(reverse("cases:detail", args=[case.pk])).text


def test_functional_admin_cannot_read_cases(case, municipality, make_member, verified_client):
    client = verified_client(make_member(Role.FUNCTIONAL_ADMIN, municipality))
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 403


def test_anonymous_user_is_sent_to_login(case, client):
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_password_only_login_is_not_enough(case, municipality, make_member, client):
    user = make_member(Role.COORDINATOR, municipality)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 302
    assert response.url == reverse("accounts:verify")
