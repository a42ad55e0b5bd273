"""Issue 5's "done when", second path: residents not reached end up in the month-end closure, and
the partner gets its feedback file (only signal ID and opgepakt / niet opgepakt).

The matching period is last month (relative to the real date), so it can always be closed and the
closure can still be undone.
"""

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.utils import timezone

from bereik.accounts.roles import Role
from bereik.cases.results import EndResult
from bereik.cases.workflow import CaseState
from bereik.lifecycle import months
from bereik.lifecycle.models import ClosureBatch
from bereik.outreach.defaults import seed_outcome_codes
from bereik.outreach.models import ContactAttempt, OutcomeCode, QueueEntry
from tests.factories import CampaignFactory, CaseFactory, QueueEntryFactory, SignalFactory

from .helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PARTNER = "Woonstichting Thuis"


def _attempt(case, outcome, number, day):
    ContactAttempt.objects.create(
        municipality=case.municipality,
        case=case,
        kind=ContactAttempt.Kind.PHONE,
        occurred_at=dt.datetime.combine(day, dt.time(19), tzinfo=dt.UTC),
        day_part="avond",
        outcome=outcome,
        phone_number=number,
    )


@pytest.fixture
def last_month(municipality):
    seed_outcome_codes(OutcomeCode)
    outcomes = {o.code: o for o in OutcomeCode.objects.all()}
    month = months.previous_month(timezone.localdate().replace(day=1))
    campaign = CampaignFactory(municipality=municipality, starts_on=month)
    # Not reached after seven attempts.
    exhausted = QueueEntryFactory(
        campaign=campaign,
        case__state=CaseState.EXHAUSTED,
        case__matching_period=month,
        case__picked_up_on=month,
        status=QueueEntry.Status.CLOSED,
        closed_reason=QueueEntry.ClosedReason.EXHAUSTED,
    )
    for day in range(7):
        _attempt(
            exhausted.case,
            outcomes["geen_gehoor"],
            exhausted.current_number,
            month.replace(day=3 + day),
        )
    # Still in the queue: its number turned out to be someone else's.
    queued = QueueEntryFactory(
        campaign=campaign,
        case__state=CaseState.CALL_QUEUE,
        case__matching_period=month,
        case__picked_up_on=month,
    )
    _attempt(queued.case, outcomes["verkeerd_persoon"], queued.current_number, month.replace(day=4))
    repeat = CaseFactory(
        municipality=municipality,
        state=CaseState.CLOSED,
        end_result=EndResult.NOT_PICKED_UP_REPEAT,
        matching_period=month,
    )
    for case, signal_id in (
        (exhausted.case, "WT-101"),
        (queued.case, "WT-102"),
        (repeat, "WT-103"),
    ):
        SignalFactory(case=case, external_id=signal_id, partner_name=PARTNER, signal_date=month)
    return month, exhausted.case, queued.case


def test_from_no_contact_to_month_end_closure_and_partner_feedback(
    page, municipality, make_member, last_month
):
    month, exhausted, queued = last_month
    coordinator = make_member(Role.COORDINATOR, municipality, first_name="Cora")
    log_in(page, coordinator)

    page.get_by_role("link", name="Maandafsluiting").first.click()
    page.goto(f"/afsluiting/?maand={month:%Y-%m}")
    counts = page.get_by_test_id("closure-counts").inner_text()
    assert "Definitief geen contact kunnen krijgen" in counts
    cases = page.get_by_test_id("closure-cases").inner_text()
    assert exhausted.reference in cases and queued.reference in cases
    page.get_by_test_id("close-month").click()
    page.get_by_test_id("batch-summary").wait_for()
    assert "2 dossiers van" in page.locator(".bereik-messages").inner_text()
    batch = ClosureBatch.objects.get()
    assert batch.closed_by == coordinator
    for case in (exhausted, queued):
        case.refresh_from_db()
        assert (case.state, case.end_result) == (CaseState.CLOSED, EndResult.NO_CONTACT)
    assert page.get_by_test_id("undo-closure").is_visible()

    page.get_by_role("link", name="Terugkoppeling partners").first.click()
    page.get_by_test_id("feedback-partner").select_option(PARTNER)
    page.get_by_test_id("feedback-month").fill(f"{month:%Y-%m}")
    page.get_by_test_id("feedback-show").click()
    page.get_by_test_id("feedback-summary").wait_for()
    with page.expect_download() as download_info:
        page.get_by_test_id("feedback-csv").click()
    download = download_info.value
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows == [
        ["signaal_id", "status"],
        ["WT-101", "opgepakt"],
        ["WT-102", "opgepakt"],
        ["WT-103", "niet opgepakt"],
    ]
    wrong = page.get_by_test_id("wrong-numbers").inner_text()
    # Two numbers delivered (the repeat signal's resident has none), one of them wrong.
    assert f"{PARTNER}\t2\t1\t50,0" in wrong
