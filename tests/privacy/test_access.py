"""Every privacy URL: 404 for another municipality's objects, 403 for roles without the right."""

import pytest

from bereik.accounts.roles import Role
from tests.factories import ClosedCaseFactory, PurgeRunFactory


@pytest.fixture
def objects_of(municipality, other_municipality):
    def make(organisation):
        case = ClosedCaseFactory(municipality=organisation)
        run = PurgeRunFactory(municipality=organisation)
        return [
            ("get", f"/privacy/gemeenten/{organisation.pk}/"),
            ("get", f"/privacy/gemeenten/{organisation.pk}/bewaartermijnen/"),
            ("post", f"/privacy/gemeenten/{organisation.pk}/export/"),
            ("get", f"/privacy/opschoningen/{run.pk}/"),
            ("get", f"/privacy/opschoningen/{run.pk}/csv/"),
            ("get", f"/privacy/dossiers/{case.pk}/bewaarplicht/"),
            ("get", f"/privacy/inwoners/{case.resident_id}/bezwaar/"),
            ("get", f"/privacy/inwoners/{case.resident_id}/inzage/"),
            ("post", f"/privacy/inwoners/{case.resident_id}/inzage.json"),
            ("post", f"/privacy/inwoners/{case.resident_id}/inzage.pdf"),
        ]

    return {"own": make(municipality), "other": make(other_municipality)}


def test_coordinator_reaches_every_url_of_own_municipality(
    coordinator, objects_of, verified_client
):
    client = verified_client(coordinator)
    for method, url in objects_of["own"]:
        assert getattr(client, method)(url).status_code == 200, url


def test_another_municipalitys_objects_are_not_found(coordinator, objects_of, verified_client):
    client = verified_client(coordinator)
    for method, url in objects_of["other"]:
        assert getattr(client, method)(url).status_code == 404, url


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.QUALITY_MANAGER])
def test_contact_centre_roles_are_forbidden(
    role, make_member, contact_centre, objects_of, verified_client
):
    client = verified_client(make_member(role, contact_centre))
    assert client.get("/privacy/").status_code == 403
    for method, url in objects_of["own"]:
        assert getattr(client, method)(url).status_code == 403, url


def test_contact_centre_functional_admin_is_forbidden(
    make_member, contact_centre, objects_of, verified_client
):
    client = verified_client(make_member(Role.FUNCTIONAL_ADMIN, contact_centre))
    for method, url in objects_of["own"]:
        assert getattr(client, method)(url).status_code == 403, url


def test_social_worker_of_the_municipality_is_forbidden(
    make_member, municipality, objects_of, verified_client
):
    client = verified_client(make_member(Role.SOCIAL_WORKER, municipality))
    for method, url in objects_of["own"]:
        assert getattr(client, method)(url).status_code == 403, url


def test_privacy_home_lists_or_redirects(coordinator, municipality, verified_client):
    response = verified_client(coordinator).get("/privacy/")

    assert response.status_code == 302
    assert response.url == f"/privacy/gemeenten/{municipality.pk}/"
