"""Outreach's tables in the exit export and the inzage: attempts, callbacks and messages."""

import pytest

from bereik.outreach.privacy import export_outreach
from bereik.privacy.exports import collect_tables
from tests.factories import CaseFactory

from .test_privacy_purge import _work

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_residents(municipality, campaign, agent, outcomes):
    mine = CaseFactory(municipality=municipality, state="reached_help")
    theirs = CaseFactory(municipality=municipality, state="reached_help")
    _work(mine, campaign, agent, outcomes)
    _work(theirs, campaign, agent, outcomes)
    return mine, theirs


def _rows(tables):
    return {table.name: list(table.rows) for table in tables}


def test_the_inzage_holds_only_the_residents_own_rows(two_residents, municipality):
    mine, _theirs = two_residents

    tables = _rows(export_outreach(municipality=municipality, resident_ids=[mine.resident_id]))

    assert set(tables) == {"contact_attempts", "callbacks", "messages"}
    attempts = tables["contact_attempts"]
    assert len(attempts) == 3
    assert {row["resident_id"] for row in attempts} == {mine.resident_id}
    reached = next(row for row in attempts if row["outcome"] == "bereikt")
    assert reached["help_requested"] is True
    assert reached["preferred_contact_time"].startswith("dinsdag na 15:00")
    assert reached["phone_number"] == "+31612345678"
    assert [row["case_id"] for row in tables["callbacks"]] == [mine.pk]
    assert [row["recipient"] for row in tables["messages"]] == ["+31612345678"]


def test_every_column_is_described_and_every_row_has_the_columns(two_residents, municipality):
    for table in export_outreach(municipality=municipality, resident_ids=None):
        names = [column.name for column in table.columns]
        assert all(column.description for column in table.columns)
        rows = list(table.rows)
        assert len(rows) == {"contact_attempts": 6, "callbacks": 2, "messages": 2}[table.name]
        assert all(list(row) == names for row in rows)


def test_the_exit_export_includes_outreach_but_not_another_municipality(
    two_residents, municipality, other_municipality
):
    tables = _rows(collect_tables(municipality=other_municipality, resident_ids=None))
    assert tables["outreach_contact_attempts"] == []

    tables = _rows(collect_tables(municipality=municipality, resident_ids=None))
    assert len(tables["outreach_contact_attempts"]) == 6
    assert len(tables["outreach_messages"]) == 2
