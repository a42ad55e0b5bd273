"""Import error reports quote row values (a rejected phone number, a BSN failing the 11-proef):
the daily purge deletes them once past the municipality's term for import reports."""

import datetime

import pytest

from bereik.intake.models import ImportRun, RowIssue
from bereik.privacy import services

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 1)


def _run(municipality, *, imported_on: datetime.date, status=ImportRun.Status.DONE):
    run = ImportRun.objects.create(
        municipality=municipality, source="energie", file_name="signalen.csv", status=status
    )
    at = datetime.datetime.combine(imported_on, datetime.time(10), tzinfo=datetime.UTC)
    ImportRun.objects.filter(pk=run.pk).update(created_at=at)
    RowIssue.objects.create(
        run=run, row=7, column="telefoon", message="“06-123” is not a valid phone number"
    )
    RowIssue.objects.create(run=run, row=9, column="bsn", message="BSN 123456789 fails")
    return run


def test_reports_past_the_term_are_deleted_and_counted(municipality):
    old = _run(municipality, imported_on=datetime.date(2025, 11, 30))
    recent = _run(municipality, imported_on=datetime.date(2025, 12, 2))

    run = services.purge_municipality(municipality=municipality, today=TODAY)

    assert not RowIssue.objects.filter(run=old).exists()
    assert RowIssue.objects.filter(run=recent).count() == 2
    assert ImportRun.objects.filter(pk=old.pk).exists()  # the run and its counts stay
    assert run.counts["intake.import_reports"] == 1
    assert run.counts["intake.import_report_rows"] == 2


def test_the_municipalitys_own_term_applies(municipality, make_member):
    from bereik.accounts.roles import Role

    coordinator = make_member(Role.COORDINATOR, municipality)
    services.set_retention_terms(
        municipality=municipality, terms={"import_reports": 6}, actor=coordinator
    )
    kept = _run(municipality, imported_on=datetime.date(2025, 11, 30))

    services.purge_municipality(municipality=municipality, today=TODAY)

    assert RowIssue.objects.filter(run=kept).count() == 2


def test_another_municipalitys_reports_and_unfinished_runs_are_left(
    municipality, other_municipality
):
    elsewhere = _run(other_municipality, imported_on=datetime.date(2025, 1, 1))
    running = _run(
        municipality, imported_on=datetime.date(2025, 1, 1), status=ImportRun.Status.STORING
    )

    services.purge_municipality(municipality=municipality, today=TODAY)

    assert RowIssue.objects.filter(run=elsewhere).count() == 2
    assert RowIssue.objects.filter(run=running).count() == 2


def test_a_second_purge_finds_nothing_more(municipality):
    _run(municipality, imported_on=datetime.date(2025, 1, 1))
    services.purge_municipality(municipality=municipality, today=TODAY)

    again = services.purge_municipality(municipality=municipality, today=TODAY)

    assert "intake.import_reports" not in again.counts
