from bereik.audit.models import AuditAction
from bereik.audit.services import record

from .conftest import raw_update


def _entries_of_a(actor, municipality, count=3):
    return [
        record(
            actor=actor,
            action=AuditAction.VIEW,
            object_type="cases.case",
            object_id=n,
            organisation=municipality,
        )
        for n in range(count)
    ]


def test_detail_shows_hashes_and_that_the_chain_verifies(
    admin_a, coordinator_a, municipality, verified_client
):
    entries = _entries_of_a(coordinator_a, municipality)

    response = verified_client(admin_a).get(f"/audit/{entries[1].pk}/")

    content = response.content.decode()
    assert entries[1].entry_hash in content
    assert entries[0].entry_hash in content  # its previous hash
    assert response.context["hash_matches"]
    assert response.context["verification"].intact
    assert response.context["verification"].checked == 2


def test_detail_of_a_tampered_entry_shows_the_break(
    admin_a, coordinator_a, municipality, verified_client, without_triggers
):
    entries = _entries_of_a(coordinator_a, municipality)
    raw_update(entries[1].pk, "object_id", "999")
    client = verified_client(admin_a)

    tampered = client.get(f"/audit/{entries[1].pk}/")
    before = client.get(f"/audit/{entries[0].pk}/")

    assert not tampered.context["hash_matches"]
    assert tampered.context["verification"].first_broken_id == entries[1].pk
    assert before.context["verification"].intact


def test_verify_page_runs_only_on_post(admin_a, verified_client):
    response = verified_client(admin_a).get("/audit/verify/")

    assert response.status_code == 200
    assert response.context["verification"] is None


def test_verify_reports_an_intact_chain(admin_a, coordinator_a, municipality, verified_client):
    _entries_of_a(coordinator_a, municipality)

    response = verified_client(admin_a).post("/audit/verify/")

    assert response.context["verification"].intact
    assert response.context["verification"].checked == 3
    assert 'data-testid="chain-status"' in response.content.decode()


def test_verify_names_the_first_broken_entry(
    admin_a, coordinator_a, municipality, verified_client, without_triggers
):
    entries = _entries_of_a(coordinator_a, municipality)
    raw_update(entries[2].pk, "detail", '{"forged": true}')

    response = verified_client(admin_a).post("/audit/verify/")

    assert response.context["verification"].first_broken_id == entries[2].pk
    assert response.context["first_broken_visible"]
    assert f'href="/audit/{entries[2].pk}/"' in response.content.decode()
