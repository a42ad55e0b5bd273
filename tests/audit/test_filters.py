import datetime

import pytest
from freezegun import freeze_time

from bereik.audit.models import AuditAction, AuditResult
from bereik.audit.selectors import AuditCriteria, entries_visible_to, filter_entries
from bereik.audit.services import record


def _at(moment: str, **kwargs):
    with freeze_time(moment):
        return record(**kwargs)


@pytest.fixture
def trail(admin_a, coordinator_a, make_member, municipality, contact_centre):
    """Entries of municipality A on three days (times in UTC: 23:30 UTC is next day locally)."""
    return {
        "view_case": _at(
            "2026-11-01T10:00:00Z",
            actor=coordinator_a,
            action=AuditAction.VIEW,
            object_type="cases.case",
            object_id=11,
            organisation=municipality,
        ),
        "late_view": _at(
            "2026-11-01T22:30:00Z",  # 23:30 on 1 November in Amsterdam
            actor=coordinator_a,
            action=AuditAction.VIEW,
            object_type="cases.signal",
            object_id=12,
            organisation=municipality,
        ),
        "denied": _at(
            "2026-11-02T09:00:00Z",
            actor=coordinator_a,
            action=AuditAction.ACCESS_DENIED,
            object_type="cases.case",
            object_id=13,
            organisation=municipality,
            result=AuditResult.DENIED,
        ),
        "export": _at(
            "2026-11-03T09:00:00Z",
            actor=admin_a,
            action=AuditAction.EXPORT,
            object_type="cases.case",
            organisation=contact_centre,
        ),
    }


def _found(admin, **criteria) -> set:
    return set(filter_entries(entries_visible_to(admin), AuditCriteria(**criteria)))


def test_no_filters_list_everything_visible_newest_first(admin_a, trail):
    entries = list(filter_entries(entries_visible_to(admin_a), AuditCriteria()))

    assert entries == sorted(trail.values(), key=lambda e: e.pk, reverse=True)


def test_period_is_inclusive_in_local_days(admin_a, trail):
    first_of_november = datetime.date(2026, 11, 1)

    assert _found(admin_a, date_from=first_of_november, date_to=first_of_november) == {
        trail["view_case"],
        trail["late_view"],
    }
    assert _found(admin_a, date_from=datetime.date(2026, 11, 2)) == {
        trail["denied"],
        trail["export"],
    }
    assert _found(admin_a, date_to=datetime.date(2026, 11, 2)) == {
        trail["view_case"],
        trail["late_view"],
        trail["denied"],
    }


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({"actor": "beheer"}, {"export"}),
        ({"actor": "COORD-alfa"}, {"view_case", "late_view", "denied"}),
        ({"action": AuditAction.VIEW}, {"view_case", "late_view"}),
        ({"object_type": "cases.signal"}, {"late_view"}),
        ({"object_type": "cases.case", "object_id": "13"}, {"denied"}),
        ({"result": AuditResult.DENIED}, {"denied"}),
    ],
)
def test_filters_narrow_the_list(admin_a, trail, criteria, expected):
    assert _found(admin_a, **criteria) == {trail[name] for name in expected}


def test_filter_on_organisation(admin_a, trail, municipality, contact_centre):
    assert _found(admin_a, organisation=contact_centre) == {trail["export"]}
    assert trail["export"] not in _found(admin_a, organisation=municipality)


def test_filters_come_from_the_query_string(admin_a, trail, verified_client):
    response = verified_client(admin_a).get(
        "/audit/",
        {"date_from": "2026-11-01", "date_to": "2026-11-01", "action": "view"},
    )

    assert response.status_code == 200
    assert set(response.context["page"].object_list) == {trail["view_case"], trail["late_view"]}


def test_invalid_filters_show_errors_not_everything(admin_a, trail, verified_client):
    response = verified_client(admin_a).get(
        "/audit/", {"date_from": "2026-11-03", "date_to": "2026-11-01"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert list(response.context["page"].object_list) == []


def test_organisation_filter_offers_only_visible_organisations(
    admin_a, trail, other_municipality, verified_client
):
    response = verified_client(admin_a).get("/audit/", {"organisation": other_municipality.pk})

    assert "organisation" in response.context["form"].errors


def test_pages_keep_the_filters(admin_a, coordinator_a, municipality, verified_client):
    for n in range(55):
        record(
            actor=coordinator_a,
            action=AuditAction.VIEW,
            object_type="cases.case",
            object_id=n,
            organisation=municipality,
        )
    client = verified_client(admin_a)

    first = client.get("/audit/", {"action": "view"})
    second = client.get("/audit/", {"action": "view", "page": 2})

    assert first.context["page"].paginator.num_pages == 2
    assert "action=view&amp;page=2" in first.content.decode()
    assert len(second.context["page"].object_list) == 5
