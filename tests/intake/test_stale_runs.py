"""A run whose process was killed does not stay "in progress" for ever: after a time without
progress it is marked failed, its upload is deleted, and the page says what to do."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from bereik.accounts.roles import Role
from bereik.intake.models import ImportRun
from bereik.intake.services import fail_stale_runs

from .conftest import csv_file, csv_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator_client(municipality, make_member, verified_client):
    return verified_client(make_member(Role.COORDINATOR, municipality))


def _run(municipality, *, status, minutes_ago, content=None):
    stored = default_storage.save("intake/test.csv", ContentFile(content or b"x"))
    run = ImportRun.objects.create(
        municipality=municipality,
        source="RIS",
        file_name="signalen.csv",
        stored_file=stored,
        status=status,
        started_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
        rows=3,
    )
    ImportRun.objects.filter(pk=run.pk).update(
        updated_at=timezone.now() - datetime.timedelta(minutes=minutes_ago)
    )
    return run


def test_a_run_left_storing_is_marked_failed_and_the_page_says_so(coordinator_client, municipality):
    run = _run(municipality, status=ImportRun.Status.STORING, minutes_ago=45)
    stored = run.stored_file
    page = coordinator_client.get(reverse("intake:run_detail", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    assert run.finished_at is not None
    assert "geen voortgang" in run.message and "30 minuten" in run.message
    assert "Er is niets opgeslagen" in page.text
    assert "bestand opnieuw" in page.text  # no file left to run again: upload it again
    assert 'hx-trigger="every 1s"' not in page.text  # the polling stops
    assert run.stored_file == ""
    assert not default_storage.exists(stored)


def test_the_progress_partial_of_a_stale_run_stops_polling(coordinator_client, municipality):
    run = _run(municipality, status=ImportRun.Status.VALIDATING, minutes_ago=45)
    response = coordinator_client.get(reverse("intake:run_progress", args=[run.pk]))
    assert response["HX-Refresh"] == "true"
    assert ImportRun.objects.get(pk=run.pk).status == ImportRun.Status.FAILED


def test_a_recent_run_is_left_alone(coordinator_client, municipality):
    run = _run(municipality, status=ImportRun.Status.STORING, minutes_ago=5)
    response = coordinator_client.get(reverse("intake:run_progress", args=[run.pk]))
    assert "HX-Refresh" not in response
    page = coordinator_client.get(reverse("intake:run_detail", args=[run.pk]))
    assert 'hx-trigger="every 1s"' in page.text
    coordinator_client.get(reverse("intake:run_list"))
    run.refresh_from_db()
    assert (run.status, run.message) == (ImportRun.Status.STORING, "")
    assert default_storage.exists(run.stored_file)


def test_the_history_page_sweeps_only_the_users_own_runs(
    coordinator_client, municipality, other_municipality
):
    ours = _run(municipality, status=ImportRun.Status.VALIDATING, minutes_ago=120)
    theirs = _run(other_municipality, status=ImportRun.Status.VALIDATING, minutes_ago=120)
    page = coordinator_client.get(reverse("intake:run_list"))
    assert "Mislukt" in page.text
    assert ImportRun.objects.get(pk=ours.pk).status == ImportRun.Status.FAILED
    assert ImportRun.objects.get(pk=theirs.pk).status == ImportRun.Status.VALIDATING


@pytest.mark.parametrize(
    ("status", "minutes_ago", "marked"),
    [
        (ImportRun.Status.QUEUED, 120, 0),  # waiting for the worker is not a sign of death
        (ImportRun.Status.DONE, 120, 0),
        (ImportRun.Status.STORING, 11, 1),
        (ImportRun.Status.STORING, 9, 0),
    ],
)
@override_settings(INTAKE_STALE_RUN_MINUTES=10)
def test_the_time_without_progress_is_a_setting(municipality, status, minutes_ago, marked):
    run = _run(municipality, status=status, minutes_ago=minutes_ago)
    assert fail_stale_runs() == marked
    assert (ImportRun.objects.get(pk=run.pk).status == ImportRun.Status.FAILED) == bool(marked)
    if marked:
        assert "10 minuten" in ImportRun.objects.get(pk=run.pk).message


def test_a_run_that_progressed_meanwhile_is_not_marked(municipality):
    """The sweep marks a run only if it did not move between reading and marking it."""
    run = _run(municipality, status=ImportRun.Status.VALIDATING, minutes_ago=45)
    stale = ImportRun.objects.filter(pk=run.pk)

    class MovesWhenRead:
        """The run's process writes progress right after the sweep has read the run."""

        def filter(self, **lookup):
            self.lookup = lookup
            return self

        def select_related(self, *fields):
            return self

        def only(self, *fields):
            found = list(stale.filter(**self.lookup).only(*fields))
            ImportRun.objects.filter(pk=run.pk).update(updated_at=timezone.now())
            return found

    assert fail_stale_runs(MovesWhenRead()) == 0
    assert ImportRun.objects.get(pk=run.pk).status == ImportRun.Status.VALIDATING


def test_a_new_import_sweeps_stale_runs(coordinator_client, municipality):
    stale = _run(municipality, status=ImportRun.Status.STORING, minutes_ago=45)
    coordinator_client.post(
        reverse("intake:upload"),
        {
            "municipality": municipality.pk,
            "source": "RIS",
            "mode": "valid_rows",
            "file": ContentFile(csv_file(csv_row()), name="nieuw.csv"),
        },
    )
    assert ImportRun.objects.get(pk=stale.pk).status == ImportRun.Status.FAILED
    assert ImportRun.objects.get(file_name="nieuw.csv").status == ImportRun.Status.DONE


def test_a_queued_run_whose_file_is_gone_fails_with_a_message(coordinator_client, municipality):
    from bereik.intake.services import start_run

    run = _run(municipality, status=ImportRun.Status.QUEUED, minutes_ago=1)
    default_storage.delete(run.stored_file)
    run = start_run(run)
    assert run.status == ImportRun.Status.FAILED
    assert run.stored_file == ""
    page = coordinator_client.get(reverse("intake:run_detail", args=[run.pk]))
    assert "niet meer beschikbaar" in page.text
    assert page.text.count("opnieuw in") == 1  # the advice to import it again, once
