import datetime

import pytest
from django.db.models import Count, Sum

from bereik.audit.models import AuditAction, AuditEntry, AuditResult
from bereik.cases.models import Case, PhoneNumber, Resident, Signal
from bereik.cases.workflow import CaseTransition
from bereik.privacy import services
from bereik.privacy.models import PurgedCase, PurgeRun
from tests.factories import (
    CaseFactory,
    ClosedCaseFactory,
    LegalHoldFactory,
    ObjectionFactory,
    PhoneNumberFactory,
    ResidentFactory,
    SignalFactory,
)
from tests.privacy.conftest import TODAY

UTC = datetime.UTC


def _at(year, month, day):
    return datetime.datetime(year, month, day, 10, 0, tzinfo=UTC)


@pytest.fixture
def cases(municipality):
    """One case per situation, each with a phone number and a signal."""
    made = {
        # picked up, closed 13.5 months ago: past 12 months
        "picked_up_due": ClosedCaseFactory(municipality=municipality, closed_at=_at(2025, 1, 15)),
        # picked up, closed 3 months ago
        "picked_up_recent": ClosedCaseFactory(
            municipality=municipality, closed_at=_at(2025, 12, 1)
        ),
        # never picked up, closed 7 months ago: past 6 months
        "not_picked_up_due": ClosedCaseFactory(
            municipality=municipality,
            closed_at=_at(2025, 8, 1),
            path=("not_picked_up",),
            end_result="Niet opgepakt: onterecht signaal",
        ),
        # follow-up, closed 17 months ago: within 18 months
        "follow_up_recent": ClosedCaseFactory(
            municipality=municipality,
            closed_at=_at(2024, 10, 1),
            path=("call_queue", "reached_help", "handed_over", "follow_up"),
            end_result="Vervolghulp financieel",
        ),
        # follow-up, closed 19 months ago
        "follow_up_due": ClosedCaseFactory(
            municipality=municipality,
            closed_at=_at(2024, 8, 1),
            path=("call_queue", "reached_help", "handed_over", "follow_up"),
            end_result="Vervolghulp financieel",
        ),
        # still open, however old
        "open": CaseFactory(municipality=municipality, state="call_queue"),
    }
    for case in made.values():
        PhoneNumberFactory(resident=case.resident)
        SignalFactory(case=case, external_id=f"RIS-{case.pk}")
    return made


def _figures(municipality):
    cases = Case.objects.filter(municipality=municipality)
    return {
        "by_state": list(
            cases.values("state", "end_result")
            .annotate(n=Count("pk"))
            .order_by("state", "end_result")
        ),
        "signals": list(
            Signal.objects.filter(municipality=municipality)
            .values("partner_type")
            .annotate(n=Count("pk"), total=Sum("amount"))
            .order_by("partner_type")
        ),
        "transitions": CaseTransition.objects.filter(case__municipality=municipality).count(),
    }


def test_purge_removes_personal_data_past_its_term_and_keeps_the_figures(municipality, cases):
    before = _figures(municipality)

    run = services.purge_municipality(municipality=municipality, today=TODAY)

    purged = {"picked_up_due", "not_picked_up_due", "follow_up_due"}
    assert run.status == PurgeRun.Status.DONE
    assert run.cases_purged == 3
    assert run.by_category == {"picked_up": 1, "not_picked_up": 1, "follow_up": 1}
    for name, case in cases.items():
        case.refresh_from_db()
        resident = Resident.objects.get(pk=case.resident_id)
        if name in purged:
            assert resident.anonymised_at is not None
            assert resident.bsn == resident.surname == resident.initials == ""
            assert resident.street == resident.postcode == resident.city == ""
            assert resident.birth_date is None and resident.house_number is None
            assert not PhoneNumber.objects.filter(resident=resident).exists()
            assert case.reference == f"ANON-{case.pk}"
            assert set(case.signals.values_list("external_id", flat=True)) == {""}
            assert set(case.transitions.values_list("reason", flat=True)) == {""}
            remnant = PurgedCase.objects.get(case=case)
            assert remnant.age_band == "45-54"
            assert remnant.postcode_area == "1234"
        else:
            assert resident.anonymised_at is None
            assert resident.surname.startswith("Jansen")
            assert PhoneNumber.objects.filter(resident=resident).exists()
    assert _figures(municipality) == before


def test_purge_counts_are_reported_and_audited_without_personal_data(municipality, cases):
    run = services.purge_municipality(municipality=municipality, today=TODAY)

    assert run.counts["residents"] == 3
    assert run.counts["phone_numbers"] == 3
    assert run.counts["signals"] == 3
    entry = AuditEntry.objects.get(object_type="privacy.purgerun", object_id=str(run.pk))
    assert entry.action == AuditAction.DELETE
    assert entry.result == AuditResult.SUCCESS
    assert entry.detail["cases_purged"] == 3
    text = str(entry.detail)
    assert "Jansen" not in text and "111222333" not in text and "RIS-" not in text


def test_a_second_run_does_nothing_twice(municipality, cases):
    services.purge_municipality(municipality=municipality, today=TODAY)

    again = services.purge_municipality(municipality=municipality, today=TODAY)

    assert again.cases_purged == 0
    assert again.counts == {}


def test_case_under_legal_hold_is_skipped_and_reported(municipality, cases):
    held = cases["picked_up_due"]
    LegalHoldFactory(case=held)

    run = services.purge_municipality(municipality=municipality, today=TODAY)

    assert run.skipped_legal_hold == 1
    assert run.cases_purged == 2
    held.refresh_from_db()
    assert not PurgedCase.objects.filter(case=held).exists()
    assert Resident.objects.get(pk=held.resident_id).anonymised_at is None
    assert held.signals.get().external_id.startswith("RIS-")


def test_lifted_legal_hold_no_longer_stops_the_purge(municipality, cases, coordinator):
    held = cases["picked_up_due"]
    services.place_legal_hold(case=held, reason="Bezwaar loopt", actor=coordinator)
    services.lift_legal_hold(case=held, reason="Bezwaar afgehandeld", actor=coordinator)

    run = services.purge_municipality(municipality=municipality, today=TODAY)

    assert run.skipped_legal_hold == 0
    assert PurgedCase.objects.filter(case=held).exists()
    assert set(held.legal_holds.values_list("reason", "lift_reason")) == {("", "")}


def test_resident_with_another_open_case_is_not_anonymised(municipality):
    resident = ResidentFactory(municipality=municipality)
    old = ClosedCaseFactory(municipality=municipality, resident=resident, closed_at=_at(2024, 1, 1))
    CaseFactory(municipality=municipality, resident=resident, state="call_queue")
    SignalFactory(case=old, external_id="RIS-old")

    run = services.purge_municipality(municipality=municipality, today=TODAY)

    assert run.cases_purged == 1
    resident.refresh_from_db()
    assert resident.anonymised_at is None
    assert resident.surname.startswith("Jansen")
    assert old.signals.get().external_id == ""


def test_objection_notes_are_emptied_with_the_resident(municipality, cases):
    objection = ObjectionFactory(resident=cases["picked_up_due"].resident)

    services.purge_municipality(municipality=municipality, today=TODAY)

    objection.refresh_from_db()
    assert objection.note == ""
    assert objection.received_on == datetime.date(2026, 1, 5)


def test_other_apps_purgers_get_the_case_and_resident_ids(municipality, cases, clean_registry):
    calls = []

    def purger(*, case_ids, resident_ids):
        calls.append((sorted(case_ids), sorted(resident_ids)))
        return {"notes": len(case_ids)}

    clean_registry.register_purger("demo_app", purger)

    run = services.purge_municipality(municipality=municipality, today=TODAY)

    due = sorted(cases[n].pk for n in ("picked_up_due", "not_picked_up_due", "follow_up_due"))
    assert calls == [
        (due, sorted(Case.objects.filter(pk__in=due).values_list("resident_id", flat=True)))
    ]
    assert run.counts["demo_app.notes"] == 3


def test_other_municipalities_are_untouched(municipality, other_municipality, cases):
    theirs = ClosedCaseFactory(municipality=other_municipality, closed_at=_at(2024, 1, 1))

    services.purge_municipality(municipality=municipality, today=TODAY)

    assert Resident.objects.get(pk=theirs.resident_id).anonymised_at is None
