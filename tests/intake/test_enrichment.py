"""The enrichment round-trip."""

import pytest
from django.urls import reverse

from bereik.accounts.roles import Role
from bereik.audit.models import AuditAction, AuditEntry
from bereik.cases.models import Case
from bereik.intake.enrichment import EXPORT_HEADER
from bereik.intake.models import EnrichmentBatch

from .conftest import csv_file, csv_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(run_import):
    run_import(
        csv_file(
            csv_row(signaal_id="A", telefoonnummer=""),
            csv_row(
                signaal_id="B", bsn="123456782", telefoonnummer="onbekend", achternaam="Bakker"
            ),
        )
    )
    return list(Case.objects.order_by("pk"))


def test_round_trip(waiting, municipality, make_member, verified_client):
    client = verified_client(make_member(Role.COORDINATOR, municipality))
    assert {case.state for case in waiting} == {"enrichment"}
    page = client.get(reverse("intake:enrichment"))
    assert "2 zaken wachten" in page.text

    export = client.post(reverse("intake:enrichment_export"), {"municipality": municipality.pk})
    text = export.content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == ";".join(EXPORT_HEADER)
    assert "111222333" not in text and "123456782" not in text  # no BSN leaves the house
    assert "250" not in text  # nor amounts
    assert waiting[0].reference in text
    batch = EnrichmentBatch.objects.get()
    assert batch.case_count == 2
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT, object_type="intake.enrichmentbatch")
    assert "Vries" not in entry.canonical()

    answer = f"zaaknummer;telefoonnummer\n{waiting[0].reference};06-87654321\nONBEKEND-1;0612\n"
    response = client.post(
        reverse("intake:enrichment_answer", args=[batch.pk]),
        {"file": __import__("io").BytesIO(answer.encode())},
    )
    assert response.status_code == 302
    first, second = (Case.objects.get(pk=case.pk) for case in waiting)
    assert first.state == "call_queue"
    assert first.resident.phone_numbers.filter(source="enrichment", e164="+31687654321").exists()
    assert second.state == "letter_or_visit"
    batch.refresh_from_db()
    assert (batch.found_count, batch.success_rate) == (1, 0.5)


def test_a_batch_is_answered_once(waiting, municipality, make_member, verified_client):
    client = verified_client(make_member(Role.COORDINATOR, municipality))
    client.post(reverse("intake:enrichment_export"), {"municipality": municipality.pk})
    batch = EnrichmentBatch.objects.get()
    from django.core.files.uploadedfile import SimpleUploadedFile

    def answer():
        return SimpleUploadedFile("a.csv", b"zaaknummer;telefoon\n")

    client.post(reverse("intake:enrichment_answer", args=[batch.pk]), {"file": answer()})
    client.post(reverse("intake:enrichment_answer", args=[batch.pk]), {"file": answer()})
    assert set(Case.objects.values_list("state", flat=True)) == {"letter_or_visit"}


def test_answer_without_the_needed_columns(waiting, municipality, make_member, verified_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = verified_client(make_member(Role.COORDINATOR, municipality))
    client.post(reverse("intake:enrichment_export"), {"municipality": municipality.pk})
    batch = EnrichmentBatch.objects.get()
    response = client.post(
        reverse("intake:enrichment_answer", args=[batch.pk]),
        {"file": SimpleUploadedFile("a.csv", b"naam;adres\nx;y\n")},
        follow=True,
    )
    assert "zaaknummer" in response.text
    assert EnrichmentBatch.objects.get().answered_at is None


def test_enrichment_of_another_municipality_is_not_found(
    waiting, other_municipality, make_member, verified_client
):
    client = verified_client(make_member(Role.COORDINATOR, other_municipality))
    batch = EnrichmentBatch.objects.create(municipality=waiting[0].municipality, case_count=0)
    response = client.post(reverse("intake:enrichment_export"), {"batch": batch.pk})
    assert response.status_code == 404
