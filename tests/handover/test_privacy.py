"""The handover app's personal data in the purge, the exit export and the inzage."""

import pytest

from bereik.handover.privacy import export_handover, purge_handover
from bereik.handover.services import book_slot
from bereik.privacy.registry import exporters, purgers

pytestmark = pytest.mark.django_db


def test_registered_with_the_privacy_registry():
    assert purgers()["handover"] is purge_handover
    assert exporters()["handover"] is export_handover


def test_purge_empties_the_free_text_and_is_idempotent(handover):
    handover.return_reason = "Niet voor ons."
    handover.save()
    assert purge_handover(case_ids=[handover.case_id], resident_ids=[]) == {"handovers": 1}
    handover.refresh_from_db()
    assert (handover.summary, handover.preferred_contact_time, handover.return_reason) == (
        "",
        "",
        "",
    )
    assert handover.status == "open"  # the figures stay
    assert purge_handover(case_ids=[handover.case_id], resident_ids=[]) == {"handovers": 0}


def test_purge_by_resident(handover):
    purge_handover(case_ids=[], resident_ids=[handover.case.resident_id])
    handover.refresh_from_db()
    assert handover.summary == ""


def test_export_lists_handovers_and_appointments(handover, agent, make_slot, municipality):
    book_slot(actor=agent, handover=handover, slot=make_slot())
    tables = {t.name: t for t in export_handover(municipality=municipality, resident_ids=None)}
    handovers = list(tables["handovers"].rows)
    assert handovers[0]["summary"] == handover.summary
    assert handovers[0]["social_work"] == "Sociaal Werk Alfa"
    appointments = list(tables["appointments"].rows)
    assert appointments[0]["case_id"] == handover.case_id
    assert {c.name for c in tables["appointments"].columns} >= {"starts_at", "social_worker"}
    none = export_handover(municipality=municipality, resident_ids=[-1])
    assert all(list(t.rows) == [] for t in none)
