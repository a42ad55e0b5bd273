import pytest

from bereik.accounts.roles import Role
from bereik.audit.models import AuditAction
from bereik.audit.selectors import entries_visible_to
from bereik.audit.services import record
from tests.factories import ProviderFactory, ServiceAgreementFactory

AUDIT_URLS = ["/audit/", "/audit/verify/"]


@pytest.fixture
def entries_a_and_b(coordinator_a, coordinator_b, municipality, other_municipality):
    about_a = record(
        actor=coordinator_a,
        action=AuditAction.VIEW,
        object_type="cases.case",
        object_id=1,
        organisation=municipality,
    )
    about_b = record(
        actor=coordinator_b,
        action=AuditAction.VIEW,
        object_type="cases.case",
        object_id=2,
        organisation=other_municipality,
    )
    login_a = record(actor=coordinator_a, action=AuditAction.LOGIN, obj=coordinator_a)
    login_b = record(actor=coordinator_b, action=AuditAction.LOGIN, obj=coordinator_b)
    return {"about_a": about_a, "about_b": about_b, "login_a": login_a, "login_b": login_b}


def test_admin_sees_own_municipality_and_own_members_only(admin_a, entries_a_and_b):
    visible = set(entries_visible_to(admin_a))

    assert visible == {entries_a_and_b["about_a"], entries_a_and_b["login_a"]}


def test_list_of_admin_a_never_shows_entries_of_b(admin_a, entries_a_and_b, verified_client):
    response = verified_client(admin_a).get("/audit/")

    assert response.status_code == 200
    shown = set(response.context["page"].object_list)
    assert entries_a_and_b["about_a"] in shown
    assert entries_a_and_b["about_b"] not in shown
    assert entries_a_and_b["login_b"] not in shown
    assert "coord-beta" not in response.content.decode()


def test_detail_of_another_organisations_entry_is_not_found(
    admin_a, entries_a_and_b, verified_client
):
    client = verified_client(admin_a)

    assert client.get(f"/audit/{entries_a_and_b['about_a'].pk}/").status_code == 200
    assert client.get(f"/audit/{entries_a_and_b['about_b'].pk}/").status_code == 404
    assert client.get(f"/audit/{entries_a_and_b['login_b'].pk}/").status_code == 404


def test_contact_centre_admin_sees_its_municipalities_and_its_staff(
    make_member, contact_centre, municipality, other_municipality, entries_a_and_b
):
    admin = make_member(Role.FUNCTIONAL_ADMIN, contact_centre)
    agent = make_member(Role.AGENT, contact_centre)
    agent_login = record(actor=agent, action=AuditAction.LOGIN, obj=agent)
    other_centre = ProviderFactory()
    ServiceAgreementFactory(provider=other_centre, municipality=other_municipality)
    stranger = make_member(Role.AGENT, other_centre)
    stranger_login = record(actor=stranger, action=AuditAction.LOGIN, obj=stranger)

    visible = set(entries_visible_to(admin))

    assert entries_a_and_b["about_a"] in visible
    assert agent_login in visible
    assert entries_a_and_b["about_b"] not in visible
    assert stranger_login not in visible


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.AGENT, Role.SUPERVISOR])
@pytest.mark.parametrize("url", AUDIT_URLS)
def test_other_roles_are_forbidden(make_member, municipality, verified_client, role, url):
    user = make_member(role, municipality)

    assert verified_client(user).get(url).status_code == 403


def test_other_roles_cannot_open_an_entry_or_export(
    coordinator_a, entries_a_and_b, verified_client
):
    client = verified_client(coordinator_a)

    assert client.get(f"/audit/{entries_a_and_b['about_a'].pk}/").status_code == 403
    assert client.post("/audit/export/").status_code == 403


def test_anonymous_users_are_sent_to_the_login(client, db):
    response = client.get("/audit/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_menu_item_and_start_page_card_for_the_administrator(
    admin_a, entries_a_and_b, verified_client
):
    response = verified_client(admin_a).get("/")

    assert 'href="/audit/"' in response.content.decode()
    (card,) = [c for c in response.context["cards"] if c.url.startswith("/audit/")]
    # Today's entries the admin may see: the view about A and the login of their colleague.
    assert card.figure == 2


def test_no_menu_item_for_other_roles(coordinator_a, verified_client):
    response = verified_client(coordinator_a).get("/")

    assert 'href="/audit/"' not in response.content.decode()
    assert not [c for c in response.context["cards"] if c.url.startswith("/audit/")]
