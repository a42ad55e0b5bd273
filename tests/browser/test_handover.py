"""Issue 5's "done when", first half: one resident from the signal through the call (help request
and a booked appointment) to the social worker's follow-up result, in a real browser.

The coordinator imports the partner's signal, the supervisor puts the waiting cases in the
campaign's queue, the agent records the help request and books the social worker's published
slot during the call; the social worker logs in, finds the handover in the queue and the
appointment in the agenda, accepts it, registers the conversation and the result; the case page
then shows the case closed with that DDAS end result and the whole timeline.
"""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bereik.accounts.roles import Role
from bereik.cases.models import Case
from bereik.cases.workflow import CaseState
from bereik.handover.models import Appointment, Handover
from bereik.outreach.defaults import seed_outcome_codes
from bereik.outreach.models import OutcomeCode, QueueEntry
from tests.factories import (
    AppointmentSlotFactory,
    CampaignFactory,
    ProviderFactory,
    ServiceAgreementFactory,
)

from .helpers import log_in, log_out
from .test_outreach_agent import AROUND_THE_CLOCK, always_open  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


SIGNAL_FILE = (
    "signaal_id;signaalpartner_type;signaalpartner_naam;bedrag;signaaldatum;voorletters;"
    "achternaam;geboortedatum;straatnaam;huisnummer;postcode;plaatsnaam;telefoonnummer\r\n"
    "E2E-1;Huur;Woonstichting Test;812,50;{signal_date};D.;Dekker;12-03-1981;Dorpsstraat;"
    "14;1234 ab;Voorbeeld;06-12340001\r\n"
)


@pytest.fixture
def resident_in_queue(page, municipality, contact_centre, make_member, always_open):  # noqa: F811
    """The signal imported through the intake page and queued by the supervisor."""
    seed_outcome_codes(OutcomeCode)  # transactional tests flush the seeded rows
    campaign = CampaignFactory(
        municipality=municipality,
        starts_on=timezone.localdate() - dt.timedelta(days=1),
        windows=AROUND_THE_CLOCK,
    )
    coordinator = make_member(Role.COORDINATOR, municipality, username="coordinator-e2e")
    supervisor = make_member(Role.SUPERVISOR, contact_centre, username="teamleider-e2e")
    signal_date = timezone.localdate() - dt.timedelta(days=3)

    log_in(page, coordinator)
    page.goto("/intake/nieuw/")
    page.set_input_files(
        "input[name=file]",
        files=[
            {
                "name": "huur.csv",
                "mimeType": "text/csv",
                "buffer": SIGNAL_FILE.format(signal_date=f"{signal_date:%d-%m-%Y}").encode(),
            }
        ],
    )
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/intake/*/")
    case = Case.objects.get(resident__surname="Dekker")
    assert case.state == CaseState.CALL_QUEUE
    log_out(page)

    log_in(page, supervisor)
    page.goto("/bellen/campagnes/")
    page.get_by_test_id(f"enqueue-{campaign.pk}").click()
    page.wait_for_url("**/bellen/campagnes/")
    log_out(page)
    return QueueEntry.objects.get(case=case, campaign=campaign)


def test_help_request_with_appointment_to_follow_up_result(
    page, resident_in_queue, municipality, contact_centre, make_member
):
    social_work = ProviderFactory(social_work=True, name="Sociaal Werk E2E")
    ServiceAgreementFactory(provider=social_work, municipality=municipality)
    worker = make_member(
        Role.SOCIAL_WORKER,
        social_work,
        username="hulpverlener-e2e",
        first_name="Hanna",
        last_name="Hulp",
    )
    agent = make_member(Role.AGENT, contact_centre, username="beller-handover-e2e")
    starts = (timezone.localtime() + dt.timedelta(days=2)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    slot = AppointmentSlotFactory(
        organisation=social_work,
        social_worker=worker,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=45),
    )
    case = resident_in_queue.case

    # The agent: a help request, and the appointment booked during the call.
    log_in(page, agent)
    page.goto("/bellen/")
    page.get_by_test_id("next-resident").click()
    page.get_by_test_id("workspace").wait_for()
    assert page.get_by_test_id("resident-name").inner_text() == "D. Dekker"
    page.get_by_test_id("outcome-select").select_option(label="Bereikt")
    page.locator("[data-testid=help-requested][value=yes]").check()
    page.locator("input[name=preferred_contact_time]").fill("ochtend, na 9 uur")
    page.locator("textarea[name=summary]").fill("Huurachterstand, wil hulp bij een regeling.")
    slot_select = page.get_by_test_id("appointment-slot")
    assert "Hanna Hulp" in slot_select.inner_text()
    slot_select.select_option(value=str(slot.pk))
    page.get_by_test_id("save-outcome").click()
    page.get_by_test_id("next-resident").wait_for()  # nobody else to call: back on the queue

    handover = Handover.objects.get(case=case)
    assert handover.social_work == social_work
    assert Appointment.objects.get(cancelled_at__isnull=True).slot == slot
    log_out(page)

    # The social worker: the handover in the queue, the appointment in the agenda.
    log_in(page, worker)
    page.goto("/overdracht/")
    row = page.get_by_test_id(f"handover-{case.reference}")
    assert "D. Dekker" in row.inner_text()
    assert "ochtend, na 9 uur" in row.inner_text()
    page.goto("/overdracht/agenda/")
    assert case.reference in page.get_by_test_id(f"appointment-{case.reference}").inner_text()

    page.goto(f"/overdracht/{handover.pk}/")
    assert "Huurachterstand" in page.get_by_test_id("summary").inner_text()
    assert "812,50" in page.content() or "812.50" in page.content()
    page.get_by_test_id("accept-handover").click()
    expect(page.get_by_test_id("handover-status")).to_have_text("Geaccepteerd")
    page.get_by_test_id("contact-form").wait_for()
    contact = page.get_by_test_id("contact-form")
    contact.locator("select[name=kind]").select_option(value="Telefoon")
    contact.locator("[data-testid=contact-reached][value=yes]").check()
    contact.locator("textarea[name=note]").fill("Eerste gesprek gevoerd.")
    page.get_by_test_id("save-contact").click()
    expect(page.get_by_test_id("handover-status")).to_have_text("In contact")
    page.get_by_test_id("follow-up-result").select_option(label="(Budget)advies en/of quick fix")
    page.get_by_test_id("save-result").click()
    page.get_by_test_id("handover-result").wait_for()

    # The case page: closed with that result, and the whole story on the timeline.
    page.goto(f"/dossiers/{case.pk}/")
    assert page.get_by_test_id("case-end-result").inner_text() == "(Budget)advies en/of quick fix"
    timeline = page.get_by_test_id("case-timeline").inner_text()
    for expected in (
        "Signaal van Woonstichting Test",
        "Bereikt",
        "Overgedragen aan Sociaal Werk E2E",
        "Afspraak geboekt",
        "Overdracht geaccepteerd",
        "Eerste gesprek gevoerd.",
        "Resultaat: (Budget)advies en/of quick fix",
    ):
        assert expected in timeline, expected
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    assert case.end_result == "(Budget)advies en/of quick fix"
