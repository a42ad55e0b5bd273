import csv
import io

import pytest

from bereik.audit.models import AuditAction, AuditEntry
from bereik.audit.services import record
from bereik.portal.downloads import safe_cell
from tests.factories import UserFactory


def _rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content.removeprefix("\ufeff"))))


@pytest.fixture
def views_in_a(coordinator_a, municipality):
    return [
        record(
            actor=coordinator_a,
            action=action,
            object_type="cases.case",
            object_id=n,
            organisation=municipality,
        )
        for n, action in enumerate([AuditAction.VIEW, AuditAction.VIEW, AuditAction.UPDATE])
    ]


def test_export_contains_the_filtered_entries(admin_a, views_in_a, verified_client):
    response = verified_client(admin_a).post("/audit/export/?action=view")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    header, *rows = _rows(response)
    assert len(header) == 12
    assert sorted(int(row[0]) for row in rows) == [views_in_a[0].pk, views_in_a[1].pk]
    assert {row[4] for row in rows} == {"view"}
    assert {row[11] for row in rows} == {views_in_a[0].entry_hash, views_in_a[1].entry_hash}


def test_export_is_recorded_without_the_filter_values(admin_a, views_in_a, verified_client):
    verified_client(admin_a).post("/audit/export/?action=view&actor=coord-alfa&object_id=1")

    entry = AuditEntry.objects.filter(action=AuditAction.EXPORT).get()
    assert entry.actor == admin_a
    assert entry.object_type == "audit.auditentry"
    assert entry.detail == {"format": "csv", "filters": ["action", "actor", "object_id"], "rows": 1}
    assert "coord-alfa" not in entry.canonical()


def test_export_counts_rows_and_leaves_out_its_own_entry(admin_a, views_in_a, verified_client):
    response = verified_client(admin_a).post("/audit/export/")

    _, *rows = _rows(response)
    entry = AuditEntry.objects.filter(action=AuditAction.EXPORT).get()
    assert entry.detail["rows"] == len(rows) == 3
    assert str(entry.pk) not in {row[0] for row in rows}


def test_export_never_contains_other_organisations_entries(
    admin_a, views_in_a, coordinator_b, other_municipality, verified_client
):
    theirs = record(
        actor=coordinator_b,
        action=AuditAction.VIEW,
        object_type="cases.case",
        object_id=9,
        organisation=other_municipality,
    )

    _, *rows = _rows(verified_client(admin_a).post("/audit/export/"))

    assert str(theirs.pk) not in {row[0] for row in rows}


def test_export_defuses_spreadsheet_formulas(admin_a, municipality, verified_client):
    attacker = UserFactory(username='=HYPERLINK("http://evil")')
    record(actor=attacker, action=AuditAction.VIEW, organisation=municipality)

    _, row = _rows(verified_client(admin_a).post("/audit/export/"))

    assert row[2] == '\'=HYPERLINK("http://evil")'


@pytest.mark.parametrize("dangerous", ["=1+1", "+31", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_safe_cell_prefixes_formula_starters(dangerous):
    assert safe_cell(dangerous) == "'" + dangerous


@pytest.mark.parametrize("harmless", ["view", "cases.case", "12", "::1", "", None])
def test_safe_cell_leaves_other_values(harmless):
    assert safe_cell(harmless) == ("" if harmless is None else harmless)


def test_export_needs_post(admin_a, verified_client):
    assert verified_client(admin_a).get("/audit/export/").status_code == 405


def test_invalid_export_filters_export_nothing(admin_a, views_in_a, verified_client):
    response = verified_client(admin_a).post("/audit/export/?date_from=yesterday")

    assert response.status_code == 400
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()
