"""``bereik close_month``: dry run, JSON, and a non-zero exit with a clear message on bad input."""

import json

import pytest
from django.core.management import CommandError, call_command
from freezegun import freeze_time

from bereik.cases.workflow import CaseState
from bereik.lifecycle.models import ClosureBatch

from .conftest import IN_NOVEMBER

pytestmark = pytest.mark.usefixtures("outcomes")


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command("close_month", *args, stdout=out)
    return out.getvalue()


@freeze_time(IN_NOVEMBER)
def test_dry_run_changes_nothing(municipality, make_case):
    case = make_case(CaseState.EXHAUSTED)
    output = run("--organisation", "0001", "--month", "2026-10", "--dry-run")
    assert "1" in output and "droge" in output.lower()
    case.refresh_from_db()
    assert case.state == CaseState.EXHAUSTED
    assert not ClosureBatch.objects.exists()


@freeze_time(IN_NOVEMBER)
def test_closes_and_reports_json(municipality, make_case):
    case = make_case(CaseState.EXHAUSTED)
    result = json.loads(run("--organisation", "0001", "--month", "2026-10", "--json"))
    assert result["closed"] == 1
    assert result["dry_run"] is False
    assert result["per_end_result"] == {"Definitief geen contact kunnen krijgen": 1}
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    assert ClosureBatch.objects.get().closed_by is None


@freeze_time(IN_NOVEMBER)
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--organisation", "9876", "--month", "2026-10"], "Geen gemeente met code 9876"),
        (["--organisation", "0001", "--month", "2026-13"], "YYYY-MM"),
        (["--organisation", "0001", "--month", "2026-12"], "nog niet worden afgesloten"),
    ],
)
def test_bad_input_exits_with_a_message(municipality, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


@freeze_time(IN_NOVEMBER)
def test_second_run_exits_with_already_closed(municipality, make_case):
    make_case(CaseState.EXHAUSTED)
    run("--organisation", "0001", "--month", "2026-10")
    with pytest.raises(CommandError, match="al afgesloten"):
        run("--organisation", "0001", "--month", "2026-10")
