"""Issue 4's "done when": an agent works three residents from the call queue in a real browser
(no answer; reached with a help request and a preferred time; a callback) and a supervisor then
sees the progress.

The campaign calls around the clock every day and public holidays are switched off for the test,
so the queue is open whatever the real time and date; the callback is asked for 30 minutes ahead.
"""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bereik.accounts.roles import Role
from bereik.cases.workflow import CaseState
from bereik.outreach import selectors, services
from bereik.outreach.defaults import seed_outcome_codes
from bereik.outreach.models import Callback, ContactAttempt, OutcomeCode, QueueEntry
from bereik.outreach.scheduling import Window
from tests.factories import CampaignFactory, PhoneNumberFactory, QueueEntryFactory

from .helpers import log_in, log_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AROUND_THE_CLOCK = [Window(day, dt.time(0, 0), dt.time(23, 59, 59, 999999)) for day in range(7)]


@pytest.fixture
def always_open(monkeypatch):
    """No public holidays, and no campaign or promotion cached by another test in this process."""
    monkeypatch.setattr(selectors, "_holidays", lambda first, last: frozenset())
    selectors.forget_cached_campaigns()
    services._promoted_at.clear()
    yield
    selectors.forget_cached_campaigns()
    services._promoted_at.clear()


@pytest.fixture
def queue(municipality, always_open):
    """Three residents waiting in a campaign that is always calling, oldest first."""
    seed_outcome_codes(OutcomeCode)  # transactional tests flush the seeded rows
    today = timezone.localdate()
    campaign = CampaignFactory(
        municipality=municipality, starts_on=today - dt.timedelta(days=1), windows=AROUND_THE_CLOCK
    )
    entries = []
    for position, (initials, surname, mobile) in enumerate(
        [
            ("A.", "Jansen", "+31612345671"),
            ("B.", "de Boer", "+31612345672"),
            ("C.", "Visser", "+31612345673"),
        ]
    ):
        entry = QueueEntryFactory(
            campaign=campaign,
            case__resident__initials=initials,
            case__resident__surname=surname,
            entered_at=timezone.now() - dt.timedelta(days=3 - position),
            next_attempt_at=timezone.now() - dt.timedelta(hours=1),
            current_number=None,
        )
        number = PhoneNumberFactory(resident=entry.case.resident, raw=mobile, e164=mobile)
        QueueEntry.objects.filter(pk=entry.pk).update(current_number=number)
        entries.append(entry)
    return entries


def _open_next(page, expected_name: str):
    # The previous resident's workspace is still on screen until the next one arrives.
    expect(page.get_by_test_id("resident-name")).to_have_text(expected_name)
    page.get_by_test_id("dial-1").wait_for()


def _save(page):
    page.get_by_test_id("save-outcome").click()


def test_agent_works_three_residents_and_the_supervisor_sees_the_progress(
    page, queue, contact_centre, make_member
):
    no_answer, reached, callback = queue
    agent = make_member(Role.AGENT, contact_centre, username="beller-queue-e2e")
    supervisor = make_member(Role.SUPERVISOR, contact_centre, username="supervisor-queue-e2e")

    log_in(page, agent)
    page.goto("/bellen/")
    page.get_by_test_id("next-resident").click()

    # (a) No answer.
    _open_next(page, "A. Jansen")
    page.get_by_test_id("outcome-select").select_option(label="Geen gehoor")
    _save(page)

    # (b) Reached, wants help, with a preferred time for the social worker.
    _open_next(page, "B. de Boer")
    page.get_by_test_id("outcome-select").select_option(label="Bereikt")
    page.locator("[data-testid=help-requested][value=yes]").check()
    page.locator("input[name=preferred_contact_time]").fill("dinsdagmiddag na 14:00")
    page.locator("textarea[name=summary]").fill("Huurachterstand, wil een gesprek.")
    _save(page)

    # (c) Not available now: call back in half an hour.
    _open_next(page, "C. Visser")
    page.get_by_test_id("outcome-select").select_option(label="Niet beschikbaar")
    call_back_at = timezone.localtime().replace(second=0, microsecond=0) + dt.timedelta(minutes=31)
    page.locator("input[name=callback_at]").fill(call_back_at.strftime("%Y-%m-%dT%H:%M"))
    _save(page)

    # Nobody else can be called now: the agent is back on the queue page.
    expect(page.get_by_test_id("workspace")).to_have_count(0)
    page.get_by_test_id("next-resident").wait_for()

    attempts = {
        a.case_id: a
        for a in ContactAttempt.objects.filter(agent=agent).select_related("outcome", "case")
    }
    assert len(attempts) == 3
    assert attempts[no_answer.case_id].outcome.code == "geen_gehoor"
    assert attempts[reached.case_id].outcome.code == "bereikt"
    assert attempts[reached.case_id].help_requested is True
    assert attempts[reached.case_id].preferred_contact_time == "dinsdagmiddag na 14:00"
    assert attempts[callback.case_id].outcome.code == "niet_beschikbaar"
    assert all(a.phone_number is not None for a in attempts.values())
    reached.case.refresh_from_db()
    assert reached.case.state == CaseState.REACHED_HELP
    made = Callback.objects.get(entry=callback)
    assert made.due_at == call_back_at
    assert made.fulfilled_at is None and made.cancelled_at is None
    entries = {e.pk: e for e in QueueEntry.objects.all()}
    assert entries[no_answer.pk].status == QueueEntry.Status.WAITING
    assert entries[no_answer.pk].next_attempt_at > timezone.now()
    assert entries[reached.pk].closed_reason == QueueEntry.ClosedReason.REACHED
    assert entries[callback.pk].band == QueueEntry.Band.CALLBACK
    assert all(e.locked_by_id is None for e in entries.values())

    log_out(page)
    log_in(page, supervisor)
    page.goto("/bellen/voortgang/")
    page.get_by_test_id("progress").wait_for()
    assert page.get_by_test_id("progress-reached").inner_text() == "1"
    assert page.get_by_test_id("progress-open").inner_text() == "2"  # no answer + callback
    assert page.get_by_test_id("progress-in-progress").inner_text() == "0"
    assert page.get_by_test_id("progress-attempts-today").inner_text() == "3"
    assert page.get_by_test_id("progress-agents").inner_text() == "1"
    callbacks = page.get_by_test_id("progress-callbacks")
    assert callbacks.locator("li").count() == 1
    assert callback.case.reference in callbacks.inner_text()
    assert page.get_by_test_id("progress-missed").count() == 0
    # Figures only: the supervisor's view shows no resident's name.
    assert "Visser" not in page.get_by_test_id("progress").inner_text()
