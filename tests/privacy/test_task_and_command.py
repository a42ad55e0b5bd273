import datetime

import pytest
from django.core.management import CommandError, call_command

from bereik.cases.models import Resident
from bereik.privacy.models import PurgeRun
from bereik.privacy.tasks import purge_personal_data
from tests.factories import ClosedCaseFactory


@pytest.fixture
def old_case(municipality):
    return ClosedCaseFactory(
        municipality=municipality,
        closed_at=datetime.datetime(2020, 1, 1, 10, 0, tzinfo=datetime.UTC),
    )


def test_daily_task_purges_every_municipality(old_case, other_municipality):
    theirs = ClosedCaseFactory(
        municipality=other_municipality,
        closed_at=datetime.datetime(2020, 1, 1, 10, 0, tzinfo=datetime.UTC),
    )

    result = purge_personal_data.enqueue()

    assert result.return_value["cases_purged"] == 2
    assert Resident.objects.filter(anonymised_at__isnull=True).count() == 0
    assert PurgeRun.objects.count() == 2
    assert theirs.pk


def test_dry_run_changes_nothing(old_case, capsys):
    call_command("purge_personal_data", "--organisation", "0001", "--dry-run")

    assert "1" in capsys.readouterr().out
    assert not PurgeRun.objects.exists()
    assert Resident.objects.get(pk=old_case.resident_id).anonymised_at is None


def test_command_purges_one_municipality(old_case):
    call_command("purge_personal_data", "--organisation", "0001")

    assert Resident.objects.get(pk=old_case.resident_id).anonymised_at is not None


def test_command_refuses_an_unknown_municipality(db):
    with pytest.raises(CommandError):
        call_command("purge_personal_data", "--organisation", "9876")


def test_purge_run_csv_holds_counts_only(municipality, old_case, coordinator, verified_client):
    call_command("purge_personal_data", "--organisation", "0001")
    run = PurgeRun.objects.get()

    response = verified_client(coordinator).get(f"/privacy/opschoningen/{run.pk}/csv/")

    body = response.content.decode()
    assert "cases_purged,1" in body
    assert "residents,1" in body
    assert "Jansen" not in body
