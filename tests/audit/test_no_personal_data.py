from bereik.accounts.roles import Role
from bereik.audit.models import AuditAction, AuditEntry
from tests.factories import CaseFactory


def test_viewing_a_case_records_the_view_without_personal_data(
    make_member, municipality, verified_client
):
    coordinator = make_member(Role.COORDINATOR, municipality)
    case = CaseFactory(
        municipality=municipality,
        resident__surname="Verhoeven",
        resident__bsn="123456782",
        resident__street="Kerkpad",
        resident__postcode="9999ZZ",
    )
    client = verified_client(coordinator)

    response = client.get(f"/dossiers/{case.pk}/")

    assert response.status_code == 200
    assert "123456782" in response.content.decode()  # the page shows it; the audit must not
    entry = AuditEntry.objects.filter(action=AuditAction.VIEW).latest("pk")
    assert entry.object_type == "cases.case"
    assert entry.object_id == str(case.pk)
    assert entry.organisation == municipality
    assert entry.actor == coordinator
    assert entry.origin == "127.0.0.1"
    canonical = entry.canonical()
    for personal in ("Verhoeven", "123456782", "Kerkpad", "9999ZZ", "1980-05-17"):
        assert personal not in canonical
