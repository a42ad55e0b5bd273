"""The upload page, live progress, result page, history and error report; access and audit."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from bereik.accounts.roles import Role
from bereik.audit.models import AuditAction, AuditEntry
from bereik.intake.models import ImportRun, MappingProfile

from .conftest import csv_file, csv_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator_client(municipality, make_member, verified_client):
    return verified_client(make_member(Role.COORDINATOR, municipality))


def _upload(client, municipality, content, **extra):
    data = {
        "municipality": municipality.pk,
        "source": "RIS",
        "mode": "valid_rows",
        "file": SimpleUploadedFile("signalen.csv", content, content_type="text/csv"),
        **extra,
    }
    return client.post(reverse("intake:upload"), data)


def test_upload_runs_the_import_and_shows_the_result(coordinator_client, municipality):
    attack = '=HYPERLINK("http://kwaad.example","klik")'
    content = csv_file(
        csv_row(),
        csv_row(signaal_id="S2", bsn="123456789"),
        csv_row(signaal_id="S3", bsn="123456782", telefoonnummer=attack),
    )
    response = _upload(coordinator_client, municipality, content)
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("intake:run_detail", args=[run.pk])
    assert (run.status, run.imported, run.rejected) == ("done", 2, 1)
    assert run.stored_file == ""  # the upload is deleted once processed
    page = coordinator_client.get(response.url)
    assert "11-proef" in page.text
    assert "Foutenrapport" in page.text
    history = coordinator_client.get(reverse("intake:run_list"))
    assert "signalen.csv" in history.text


def test_error_report_is_csv_injection_safe_and_audited(coordinator_client, municipality):
    attack = '=HYPERLINK("http://kwaad.example","klik")'
    _upload(coordinator_client, municipality, csv_file(csv_row(telefoonnummer=attack)))
    run = ImportRun.objects.get()
    response = coordinator_client.get(reverse("intake:error_report", args=[run.pk]))
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert "rij;kolom;soort;melding" in text
    assert "“=HYPERLINK" in text  # quoted inside a message, not at the start of a cell
    for line in text.splitlines()[1:]:
        for cell in line.split(";"):
            assert not cell.lstrip('"').startswith(("=", "+", "-", "@"))
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.object_id == str(run.pk)
    assert "HYPERLINK" not in entry.canonical()


def test_column_starting_with_a_formula_is_escaped_in_the_report(coordinator_client, municipality):
    header = "=cmd|' /C calc'!A0;" + csv_file(csv_row()).decode().split("\n")[0]
    content = (header + "\nx;" + csv_row() + "\n").encode()
    _upload(coordinator_client, municipality, content)
    run = ImportRun.objects.get()
    text = coordinator_client.get(reverse("intake:error_report", args=[run.pk])).content.decode()
    assert "'=cmd" in text


def test_progress_partial_polls_until_done(coordinator_client, municipality):
    run = ImportRun.objects.create(municipality=municipality, source="x", file_name="a.csv")
    response = coordinator_client.get(reverse("intake:run_progress", args=[run.pk]))
    assert 'hx-trigger="every 1s"' in response.text
    assert "HX-Refresh" not in response
    run.status = ImportRun.Status.DONE
    run.save()
    response = coordinator_client.get(reverse("intake:run_progress", args=[run.pk]))
    assert response["HX-Refresh"] == "true"


@override_settings(INTAKE_MAX_UPLOAD_BYTES=1000)
def test_too_large_upload_gets_a_clear_message(coordinator_client, municipality):
    content = csv_file(*(csv_row(signaal_id=f"S{i}") for i in range(20)))
    response = _upload(coordinator_client, municipality, content)
    assert response.status_code == 200
    assert "opdrachtregel" in response.text
    assert not ImportRun.objects.exists()


def test_empty_upload_gets_a_clear_message(coordinator_client, municipality):
    response = _upload(coordinator_client, municipality, b"")
    assert response.status_code == 200
    assert not ImportRun.objects.exists()


def test_agent_may_not_import(municipality, make_member, verified_client):
    client = verified_client(make_member(Role.AGENT, municipality))
    assert client.get(reverse("intake:upload")).status_code == 403
    assert client.get(reverse("intake:run_list")).status_code == 403


def test_runs_of_another_municipality_are_not_found(coordinator_client, other_municipality):
    run = ImportRun.objects.create(municipality=other_municipality, source="x", file_name="b.csv")
    for name in ("run_detail", "run_progress", "error_report"):
        assert coordinator_client.get(reverse(f"intake:{name}", args=[run.pk])).status_code == 404
    assert "b.csv" not in coordinator_client.get(reverse("intake:run_list")).text


def test_cannot_upload_for_another_municipality(coordinator_client, other_municipality):
    response = _upload(coordinator_client, other_municipality, csv_file(csv_row()))
    assert response.status_code == 200
    assert not ImportRun.objects.exists()


def test_mapping_profile_is_saved_from_the_ui(coordinator_client, municipality):
    response = coordinator_client.post(
        reverse("intake:profile_new"),
        {"municipality": municipality.pk, "source": "Woonpartner", "col_bedrag": "Saldo"},
    )
    assert response.status_code == 302
    profile = MappingProfile.objects.get()
    assert profile.mapping == {"bedrag": "Saldo"}
    assert coordinator_client.get(reverse("intake:profiles")).status_code == 200
    coordinator_client.post(reverse("intake:profile_delete", args=[profile.pk]))
    assert not MappingProfile.objects.exists()


def test_menu_shows_import_for_importers(coordinator_client):
    page = coordinator_client.get(reverse("portal:home"))
    assert reverse("intake:run_list") in page.text
    assert reverse("intake:rules") in page.text


@pytest.mark.parametrize(
    "name", ["run_list", "upload", "profiles", "profile_new", "rules", "enrichment"]
)
def test_pages_render_for_the_coordinator(coordinator_client, name):
    response = coordinator_client.get(reverse(f"intake:{name}"))
    assert response.status_code == 200
    assert 'lang="nl"' in response.text


# --- bad parameters: a clear 404, never a 500 ------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "1.5", "-1", "٣", "99999999999999999999999"])
def test_rules_page_with_a_bad_municipality_parameter_is_not_found(coordinator_client, value):
    response = coordinator_client.get(reverse("intake:rules"), {"municipality": value})
    assert response.status_code == 404


@pytest.mark.parametrize("value", ["abc", "1.5", "٣"])
def test_enrichment_page_with_a_bad_municipality_parameter_is_not_found(coordinator_client, value):
    response = coordinator_client.get(reverse("intake:enrichment"), {"municipality": value})
    assert response.status_code == 404


def test_enrichment_export_with_a_bad_municipality_is_not_found(coordinator_client):
    response = coordinator_client.post(reverse("intake:enrichment_export"), {"municipality": "abc"})
    assert response.status_code == 404


def test_enrichment_export_with_a_bad_batch_is_not_found(coordinator_client):
    response = coordinator_client.post(reverse("intake:enrichment_export"), {"batch": "abc"})
    assert response.status_code == 404


def test_the_result_page_names_the_routing_outcomes_in_dutch(coordinator_client, municipality):
    content = csv_file(
        csv_row(),  # valid phone: call queue
        csv_row(signaal_id="S2", bsn="123456782", bedrag="10,00"),  # below EUR 75: closed
        csv_row(signaal_id="S3", bsn="999999990", telefoonnummer=""),  # no phone: enrichment
    )
    _upload(coordinator_client, municipality, content)
    run = ImportRun.objects.get()
    assert set(run.routing) == {"call_queue", "closed_unjustified", "enrichment"}
    page = coordinator_client.get(reverse("intake:run_detail", args=[run.pk])).text
    assert "Gerouteerd: In de belwachtrij" in page
    assert "Gerouteerd: Niet opgepakt: onterecht signaal" in page
    assert "Gerouteerd: Wacht op verrijking" in page
    for key in run.routing:
        assert f": {key}<" not in page


# --- audit of reading row messages -----------------------------------------------------------


def test_reading_a_finished_runs_messages_is_audited(coordinator_client, municipality):
    _upload(
        coordinator_client, municipality, csv_file(csv_row(), csv_row(signaal_id="S2", bsn="1"))
    )
    run = ImportRun.objects.get()
    user = coordinator_client.get(reverse("intake:run_detail", args=[run.pk])).wsgi_request.user
    entry = AuditEntry.objects.get(action=AuditAction.VIEW, object_id=str(run.pk))
    assert entry.object_type == "intake.importrun"
    assert entry.actor == user
    assert entry.detail == {"issues_shown": 1}
    assert "Vries" not in entry.canonical() and "111222333" not in entry.canonical()


def test_looking_at_an_unfinished_run_is_not_a_view_of_its_messages(
    coordinator_client, municipality
):
    run = ImportRun.objects.create(
        municipality=municipality, source="x", file_name="a.csv", status="validating"
    )
    coordinator_client.get(reverse("intake:run_detail", args=[run.pk]))
    assert not AuditEntry.objects.filter(action=AuditAction.VIEW).exists()


# --- tenant isolation -----------------------------------------------------------------------


def test_rules_of_another_municipality_are_not_found(
    coordinator_client, municipality, other_municipality
):
    from bereik.intake.models import IntakeSettings, RoutingRule

    page = coordinator_client.get(reverse("intake:rules"), {"municipality": other_municipality.pk})
    assert page.status_code == 404
    assert not RoutingRule.objects.filter(municipality=other_municipality).exists()  # not seeded
    response = coordinator_client.post(
        f"{reverse('intake:rules')}?municipality={other_municipality.pk}",
        {
            "form-TOTAL_FORMS": 0,
            "form-INITIAL_FORMS": 0,
            "form-MIN_NUM_FORMS": 0,
            "form-MAX_NUM_FORMS": 1000,
            "recidive_months": 12,
        },
    )
    assert response.status_code == 404
    assert not IntakeSettings.objects.filter(municipality=other_municipality).exists()
    own = coordinator_client.get(reverse("intake:rules"), {"municipality": municipality.pk})
    assert own.status_code == 200


def test_enrichment_of_another_municipality_is_not_shown_or_exported(
    coordinator_client, municipality, other_municipality
):
    from bereik.intake.models import EnrichmentBatch

    page = coordinator_client.get(
        reverse("intake:enrichment"), {"municipality": other_municipality.pk}
    )
    assert page.status_code == 404
    response = coordinator_client.post(
        reverse("intake:enrichment_export"), {"municipality": other_municipality.pk}
    )
    assert response.status_code == 404
    assert not EnrichmentBatch.objects.exists()
    own = coordinator_client.get(reverse("intake:enrichment"), {"municipality": municipality.pk})
    assert own.status_code == 200


def test_the_answer_for_another_municipalitys_batch_is_not_found(
    coordinator_client, other_municipality
):
    from bereik.intake.models import EnrichmentBatch

    batch = EnrichmentBatch.objects.create(municipality=other_municipality, case_count=0)
    response = coordinator_client.post(
        reverse("intake:enrichment_answer", args=[batch.pk]),
        {"file": SimpleUploadedFile("a.csv", b"zaaknummer;telefoon\n")},
    )
    assert response.status_code == 404
    batch.refresh_from_db()
    assert batch.answered_at is None
    assert not AuditEntry.objects.filter(object_type="intake.enrichmentbatch").exists()


def test_mapping_profiles_of_another_municipality_cannot_be_edited_or_deleted(
    coordinator_client, municipality, other_municipality
):
    theirs = MappingProfile.objects.create(
        municipality=other_municipality, source="Woonpartner", mapping={"bedrag": "Saldo"}
    )
    assert coordinator_client.get(reverse("intake:profile_edit", args=[theirs.pk])).status_code == (
        404
    )
    response = coordinator_client.post(
        reverse("intake:profile_edit", args=[theirs.pk]),
        {"municipality": municipality.pk, "source": "Woonpartner", "col_bedrag": "Anders"},
    )
    assert response.status_code == 404
    response = coordinator_client.post(reverse("intake:profile_delete", args=[theirs.pk]))
    assert response.status_code == 404
    assert MappingProfile.objects.get().mapping == {"bedrag": "Saldo"}
    assert MappingProfile.objects.get().municipality == other_municipality
    assert "Woonpartner" not in coordinator_client.get(reverse("intake:profiles")).text


def test_a_mapping_profile_cannot_be_saved_for_another_municipality(
    coordinator_client, other_municipality
):
    response = coordinator_client.post(
        reverse("intake:profile_new"),
        {"municipality": other_municipality.pk, "source": "Woonpartner", "col_bedrag": "Saldo"},
    )
    assert response.status_code == 200  # the form refuses the choice
    assert not MappingProfile.objects.exists()
