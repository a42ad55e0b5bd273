"""Re-importing the same or an overlapping file creates no duplicate signals."""

import pytest

from bereik.cases.models import Case, PhoneNumber, Resident, Signal

from .conftest import csv_file, csv_row

pytestmark = pytest.mark.django_db


def test_reimport_is_a_no_op(run_import):
    content = csv_file(csv_row(), csv_row(signaal_id="S2", bsn="123456782"))
    run_import(content)
    counts = (
        Signal.objects.count(),
        Case.objects.count(),
        Resident.objects.count(),
        PhoneNumber.objects.count(),
    )
    report = run_import(content)
    assert (report["imported"], report["duplicates"], report["cases_created"]) == (0, 2, 0)
    assert counts == (
        Signal.objects.count(),
        Case.objects.count(),
        Resident.objects.count(),
        PhoneNumber.objects.count(),
    )


def test_overlapping_file_adds_only_the_new_signals(run_import):
    run_import(csv_file(csv_row(signaal_id="A"), csv_row(signaal_id="B", bsn="123456782")))
    report = run_import(
        csv_file(csv_row(signaal_id="B", bsn="123456782"), csv_row(signaal_id="C", bsn="234567892"))
    )
    assert (report["imported"], report["duplicates"]) == (1, 1)
    assert Signal.objects.count() == 3


def test_without_ids_the_content_fingerprint_recognises_the_signal(run_import):
    content = csv_file(csv_row(signaal_id=""))
    run_import(content)
    report = run_import(content)
    assert (report["imported"], report["duplicates"]) == (0, 1)
    changed = run_import(csv_file(csv_row(signaal_id="", bedrag="260")))
    assert changed["imported"] == 1


def test_the_same_id_from_another_source_is_another_signal(run_import):
    run_import(csv_file(csv_row()), source="RIS")
    report = run_import(csv_file(csv_row()), source="VPS")
    assert report["imported"] == 1
    assert Case.objects.count() == 1  # still one resident, one case in the period
