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


@pytest.mark.parametrize("where", ["header", "row"])
def test_answer_with_a_field_too_large_for_csv(
    waiting, municipality, make_member, verified_client, where
):
    """A field beyond the csv module's field size limit is a clear message, not a 500."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = verified_client(make_member(Role.COORDINATOR, municipality))
    client.post(reverse("intake:enrichment_export"), {"municipality": municipality.pk})
    batch = EnrichmentBatch.objects.get()
    huge = '"' + "x" * (2 * 1024 * 1024) + '"'
    if where == "header":
        content = f"zaaknummer;telefoon;{huge}\n{waiting[0].reference};0612345678;x\n"
    else:
        content = f"zaaknummer;telefoon\n{waiting[0].reference};0612345678\nZ;{huge}\n"
    response = client.post(
        reverse("intake:enrichment_answer", args=[batch.pk]),
        {"file": SimpleUploadedFile("a.csv", content.encode())},
        follow=True,
    )
    assert response.status_code == 200
    assert "niet worden gelezen" in response.text
    batch.refresh_from_db()
    assert batch.answered_at is None
    assert set(Case.objects.values_list("state", flat=True)) == {"enrichment"}


def _answer(case, number="06-87654321") -> bytes:
    return f"zaaknummer;telefoonnummer\n{case.reference};{number}\n".encode()


def test_the_service_refuses_a_second_import_of_a_batch(waiting, municipality):
    from bereik.intake.enrichment import AlreadyAnswered, create_batch, import_answers

    batch, _content = create_batch(municipality=municipality, actor=None)
    import_answers(batch=batch, content=_answer(waiting[0]), actor=None)
    stale = EnrichmentBatch.objects.get(pk=batch.pk)
    stale.answered_at = None  # as a second request read it before the first one finished
    with pytest.raises(AlreadyAnswered) as refused:
        import_answers(batch=stale, content=_answer(waiting[1], "06-11112222"), actor=None)
    assert "al ingelezen" in refused.value.message
    assert Case.objects.get(pk=waiting[0].pk).state == "call_queue"
    assert Case.objects.get(pk=waiting[1].pk).state == "letter_or_visit"  # not re-routed
    resident = Case.objects.get(pk=waiting[1].pk).resident
    assert not resident.phone_numbers.filter(source="enrichment").exists()
    assert EnrichmentBatch.objects.get(pk=batch.pk).found_count == 1
    assert (
        AuditEntry.objects.filter(
            action=AuditAction.UPDATE, object_type="intake.enrichmentbatch"
        ).count()
        == 1
    )


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_answer_at_once_store_it_once(waiting, municipality):
    """Two requests with the same answer at the same moment: the batch row lock makes the second
    wait for the first and then refuse."""
    import threading

    from django.db import connection, connections

    from bereik.intake.enrichment import AlreadyAnswered, create_batch, import_answers

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serialises the writers anyway")
    batch, _content = create_batch(municipality=municipality, actor=None)
    barrier = threading.Barrier(2)
    outcomes = []

    def answer():
        try:
            copy = EnrichmentBatch.objects.get(pk=batch.pk)
            barrier.wait()
            import_answers(batch=copy, content=_answer(waiting[0]), actor=None)
            outcomes.append("imported")
        except AlreadyAnswered:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["imported", "refused"]
    resident = Case.objects.get(pk=waiting[0].pk).resident
    assert resident.phone_numbers.filter(source="enrichment").count() == 1
    assert Case.objects.get(pk=waiting[0].pk).transitions.filter(to_state="call_queue").count() == 1


def test_export_again_and_the_answer_are_audited_without_personal_data(
    waiting, municipality, make_member, verified_client
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    user = make_member(Role.COORDINATOR, municipality)
    client = verified_client(user)
    client.post(reverse("intake:enrichment_export"), {"municipality": municipality.pk})
    batch = EnrichmentBatch.objects.get()
    again = client.post(reverse("intake:enrichment_export"), {"batch": batch.pk})
    assert waiting[0].reference in again.content.decode("utf-8-sig")
    exports = AuditEntry.objects.filter(
        action=AuditAction.EXPORT, object_type="intake.enrichmentbatch", object_id=str(batch.pk)
    ).order_by("pk")
    assert [entry.detail.get("again") for entry in exports] == [None, True]
    assert exports[1].actor == user
    assert exports[1].detail["cases"] == 2 and exports[1].detail["fields"] == EXPORT_HEADER
    assert "Vries" not in exports[1].canonical()

    client.post(
        reverse("intake:enrichment_answer", args=[batch.pk]),
        {"file": SimpleUploadedFile("a.csv", _answer(waiting[0]))},
    )
    answered = AuditEntry.objects.get(
        action=AuditAction.UPDATE, object_type="intake.enrichmentbatch", object_id=str(batch.pk)
    )
    assert answered.actor == user
    assert answered.detail == {"found": 1, "not_found": 1, "unknown_references": 0}
    assert "87654321" not in answered.canonical() and waiting[0].reference not in str(
        answered.detail
    )
