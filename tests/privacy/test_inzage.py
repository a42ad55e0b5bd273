import json

from bereik.audit.models import AuditAction, AuditEntry
from tests.factories import (
    CaseFactory,
    ObjectionFactory,
    PhoneNumberFactory,
    ResidentFactory,
    SignalFactory,
)


def test_inzage_json_holds_every_personal_datum_and_is_audited(
    municipality, coordinator, verified_client
):
    case = CaseFactory(municipality=municipality)
    resident = case.resident
    PhoneNumberFactory(resident=resident, e164="+31687654321")
    SignalFactory(case=case, external_id="RIS-9")
    ObjectionFactory(resident=resident)
    stranger = ResidentFactory(municipality=municipality, surname="Anders")

    response = verified_client(coordinator).post(f"/privacy/inwoners/{resident.pk}/inzage.json")

    assert response.status_code == 200
    data = json.loads(response.content)
    tables = {table["name"]: table["rows"] for table in data["tables"]}
    assert tables["residents"][0]["bsn"] == "111222333"
    assert tables["phone_numbers"][0]["e164"] == "+31687654321"
    assert tables["signals"][0]["external_id"] == "RIS-9"
    assert tables["cases"][0]["reference"] == case.reference
    assert tables["objections"][0]["note"] == "Brief ontvangen"
    assert "Anders" not in response.content.decode()
    assert stranger.pk not in [row["id"] for row in tables["residents"]]
    entry = AuditEntry.objects.get(object_type="cases.resident", object_id=str(resident.pk))
    assert entry.action == AuditAction.EXPORT
    assert entry.detail["format"] == "json"
    assert "111222333" not in str(entry.detail)


def test_inzage_pdf_is_a_pdf_and_is_audited(municipality, coordinator, verified_client):
    case = CaseFactory(municipality=municipality)

    response = verified_client(coordinator).post(f"/privacy/inwoners/{case.resident_id}/inzage.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert (
        AuditEntry.objects.get(
            object_type="cases.resident", object_id=str(case.resident_id)
        ).detail["format"]
        == "pdf"
    )
