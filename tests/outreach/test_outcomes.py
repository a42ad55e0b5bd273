"""Registering outcomes: retries, numbers, case states, derived result, objections."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from bereik.accounts.models import ServiceAgreement
from bereik.cases.models import PhoneNumber
from bereik.cases.workflow import CaseState
from bereik.outreach import services
from bereik.outreach.forms import OutcomeForm
from bereik.outreach.models import ContactAttempt, QueueEntry
from bereik.outreach.services import OutcomeInput
from bereik.privacy.models import Objection
from tests.factories import CampaignFactory, MunicipalityFactory, PhoneNumberFactory

from .conftest import TUESDAY_MORNING as NOW

pytestmark = pytest.mark.django_db


def save(agent, entry, outcome, now=NOW, **fields):
    fields.setdefault("phone_number", entry.current_number)
    return services.record_outcome(
        agent=agent,
        entry=entry,
        token=entry.lock_token,
        data=OutcomeInput(outcome, **fields),
        now=now,
    )


def claim(agent, now=NOW):
    return services.claim_next(agent=agent, now=now)


def test_no_answer_schedules_a_retry_in_another_day_part(make_entry, agent, outcomes):
    make_entry()
    entry = claim(agent)
    attempt = save(agent, entry, outcomes["geen_gehoor"])
    entry.refresh_from_db()
    assert entry.status == QueueEntry.Status.WAITING
    assert entry.next_attempt_at == NOW.replace(hour=12)
    assert entry.attempts == 1
    assert entry.locked_by is None and entry.lock_token is None
    assert entry.day_parts_tried == 1  # morning
    assert attempt.kind == ContactAttempt.Kind.PHONE
    assert attempt.day_part == "ochtend"
    assert attempt.reached is False


def test_reached_with_help_request_moves_the_case_and_keeps_the_handover_details(
    make_entry, agent, outcomes
):
    make_entry()
    entry = claim(agent)
    save(
        agent,
        entry,
        outcomes["bereikt"],
        help_requested=True,
        preferred_contact_time="dinsdagmiddag na 14:00",
        summary="Huurachterstand, wil regeling",
    )
    entry.refresh_from_db()
    entry.case.refresh_from_db()
    assert entry.case.state == CaseState.REACHED_HELP
    assert entry.status == QueueEntry.Status.CLOSED
    assert entry.closed_reason == QueueEntry.ClosedReason.REACHED
    attempt = ContactAttempt.objects.get(case=entry.case)
    assert attempt.reached and attempt.help_requested
    assert attempt.preferred_contact_time == "dinsdagmiddag na 14:00"
    assert attempt.script_version is None or attempt.script_version.script == entry.campaign.script


def test_reached_without_help_needs_a_reason(make_entry, agent, outcomes):
    make_entry()
    entry = claim(agent)
    with pytest.raises(ValidationError) as error:
        save(agent, entry, outcomes["bereikt"], help_requested=False)
    assert "no_help_reason" in error.value.message_dict
    save(agent, entry, outcomes["bereikt"], help_requested=False, no_help_reason="paid_or_arranged")
    entry.case.refresh_from_db()
    assert entry.case.state == CaseState.REACHED_NO_HELP


def test_outcome_that_needs_a_note_is_refused_without_one(make_entry, agent, outcomes):
    make_entry()
    entry = claim(agent)
    with pytest.raises(ValidationError) as error:
        save(agent, entry, outcomes["foutieve_import"], summary="  ")
    assert "summary" in error.value.message_dict
    assert not ContactAttempt.objects.exists()
    save(agent, entry, outcomes["foutieve_import"], summary="Naam en nummer horen niet bij elkaar")
    entry.case.refresh_from_db()
    assert entry.case.state == CaseState.CLOSED


def test_wrong_person_retires_the_number_and_falls_over_to_the_next(make_entry, agent, outcomes):
    entry = make_entry()
    second = PhoneNumberFactory(resident=entry.case.resident, e164="+31791234567", position=2)
    entry = claim(agent)
    save(agent, entry, outcomes["verkeerd_persoon"])
    entry.refresh_from_db()
    entry.current_number.refresh_from_db()
    assert entry.current_number == second
    assert entry.day_parts_tried == 0
    assert entry.next_attempt_at == NOW  # the other number may be dialled straight away
    first = entry.case.resident.phone_numbers.exclude(pk=second.pk).get()
    assert first.status == PhoneNumber.Status.RETIRED


def test_no_number_left_sends_the_case_to_enrichment(make_entry, agent, outcomes):
    make_entry()
    entry = claim(agent)
    save(agent, entry, outcomes["informatietoon"])
    entry.refresh_from_db()
    entry.case.refresh_from_db()
    assert entry.case.state == CaseState.ENRICHMENT
    assert entry.closed_reason == QueueEntry.ClosedReason.NO_NUMBER


def test_a_number_found_by_enrichment_brings_the_case_back_to_calling(
    make_entry, agent, outcomes, campaign
):
    from bereik.intake import enrichment

    make_entry()
    entry = claim(agent)
    save(agent, entry, outcomes["verkeerd_persoon"])
    case = entry.case
    case.refresh_from_db()
    assert case.state == CaseState.ENRICHMENT
    assert claim(agent) is None  # nobody left to call

    batch, _export = enrichment.create_batch(municipality=campaign.municipality, actor=None)
    answer = f"zaaknummer;telefoonnummer\n{case.reference};06-87654321\n"
    enrichment.import_answers(batch=batch, content=answer.encode(), actor=None)
    case.refresh_from_db()
    assert case.state == CaseState.CALL_QUEUE

    later = NOW + dt.timedelta(hours=2)
    result = services.enqueue_cases(actor=agent, campaign=campaign, now=later)
    assert result.added == 1
    again = claim(agent, later)
    assert again is not None and again.pk == entry.pk
    assert again.current_number.e164 == "+31687654321"
    assert (again.closed_reason, again.day_parts_tried) == ("", 0)
    assert again.attempts == 1  # the history stays
    # A second press queues nothing twice.
    assert services.enqueue_cases(actor=agent, campaign=campaign, now=later).added == 0


def test_next_months_campaign_carries_on_the_open_entries_of_an_ended_one(
    make_entry, agent, outcomes, campaign
):
    entry = make_entry(status=QueueEntry.Status.WAITING, next_attempt_at=NOW, attempts=3)
    other_open = make_entry()  # stays: its campaign is still running
    campaign.ends_on = NOW.date() - dt.timedelta(days=1)
    campaign.save()
    running = CampaignFactory(municipality=campaign.municipality, name="Nieuwe maand")
    other_open.campaign = CampaignFactory(municipality=campaign.municipality)
    other_open.save()

    result = services.enqueue_cases(actor=agent, campaign=running, now=NOW)
    assert result.added == 1
    entry.refresh_from_db()
    other_open.refresh_from_db()
    assert (entry.campaign, entry.status, entry.attempts) == (
        running,
        QueueEntry.Status.WAITING,
        3,
    )
    assert other_open.campaign != running
    claimed = {claim(agent).pk}
    save(agent, QueueEntry.objects.get(pk=next(iter(claimed))), outcomes["geen_gehoor"])
    claimed.add(claim(agent).pk)
    assert claimed == {entry.pk, other_open.pk}


def test_two_attempts_a_day_then_the_next_calling_day(make_entry, agent, outcomes):
    make_entry()
    entry = claim(agent)
    save(agent, entry, outcomes["in_gesprek"])
    entry = claim(agent, NOW + dt.timedelta(minutes=25))
    save(agent, entry, outcomes["in_gesprek"], now=NOW + dt.timedelta(minutes=25))
    entry.refresh_from_db()
    assert entry.next_attempt_at == (NOW + dt.timedelta(days=1)).replace(hour=8, minute=30)


def test_seven_failed_attempts_close_the_number_and_the_case_is_not_reached(
    make_entry, agent, outcomes
):
    make_entry()
    moment = NOW
    for _ in range(7):
        entry = claim(agent, moment)
        assert entry is not None, moment
        save(agent, entry, outcomes["geen_gehoor"], now=moment)
        entry.refresh_from_db()
        if entry.status == QueueEntry.Status.CLOSED:
            break
        moment = entry.next_attempt_at
    entry.case.refresh_from_db()
    number = entry.case.resident.phone_numbers.get()
    assert ContactAttempt.objects.filter(case=entry.case).count() == 7
    assert number.status == PhoneNumber.Status.EXHAUSTED
    assert entry.case.state == CaseState.EXHAUSTED
    assert entry.closed_reason == QueueEntry.ClosedReason.EXHAUSTED
    parts = set(ContactAttempt.objects.values_list("day_part", flat=True))
    assert len(parts) >= 3  # attempts were spread over day-parts


def test_case_result_is_the_final_code_else_the_last_outcome(outcomes):
    derive = services.derive_result
    assert derive([outcomes["geen_gehoor"], outcomes["voicemail"]]) == outcomes["voicemail"]
    assert (
        derive([outcomes["geen_gehoor"], outcomes["bereikt"], outcomes["in_gesprek"]])
        == outcomes["bereikt"]
    )
    assert derive([]) is None


def test_the_derived_result_is_stored_with_the_queue_entry(make_entry, agent, outcomes):
    make_entry()
    save(agent, claim(agent), outcomes["geen_gehoor"])
    later = NOW + dt.timedelta(hours=3)
    entry = claim(agent, later)
    save(agent, entry, outcomes["voicemail"], now=later)
    entry.refresh_from_db()
    assert (entry.last_outcome, entry.result_outcome) == (outcomes["voicemail"],) * 2
    third = entry.next_attempt_at
    entry = claim(agent, third)
    save(agent, entry, outcomes["foutieve_import"], now=third, summary="Onbekend adres")
    entry.refresh_from_db()
    assert entry.result_outcome == outcomes["foutieve_import"]


def test_a_call_reported_late_is_weighed_by_when_it_happened(make_entry, agent, outcomes):
    make_entry()
    entry = claim(agent)
    save(agent, entry, outcomes["geen_gehoor"])
    entry.refresh_from_db()
    services.register_external_attempt(
        entry=entry,
        data=OutcomeInput(outcomes["voicemail"], phone_number=entry.current_number),
        occurred_at=NOW - dt.timedelta(hours=1),
    )
    entry.refresh_from_db()
    # The voicemail came first: the case's outcome is still the later "geen gehoor".
    assert entry.result_outcome == outcomes["geen_gehoor"]
    assert entry.last_attempt_at == NOW


def test_a_numbers_attempts_are_counted_in_one_go(make_entry, agent, outcomes):
    from bereik.outreach import selectors

    entry = make_entry()
    number = entry.current_number
    calls = [
        (NOW, outcomes["geen_gehoor"], "outbound"),
        (NOW + dt.timedelta(hours=1), None, "outbound"),  # no outcome: not a contact
        (NOW + dt.timedelta(hours=2), outcomes["niet_beschikbaar"], "outbound"),  # spoke to them
        (NOW - dt.timedelta(days=1), outcomes["voicemail"], "outbound"),
        (NOW, outcomes["bereikt"], "inbound"),
    ]
    for at, outcome, direction in calls:
        ContactAttempt.objects.create(
            municipality_id=entry.municipality_id,
            case=entry.case,
            kind=ContactAttempt.Kind.PHONE,
            direction=direction,
            occurred_at=at,
            day_part="ochtend",
            reached=False,
            phone_number=number,
            outcome=outcome,
        )
    counted = selectors.attempts_on(number, NOW.date())
    assert (counted.failed, counted.today) == (3, 3)


def test_objection_closes_the_entry_and_is_respected_later(make_entry, agent, outcomes, campaign):
    make_entry()
    entry = claim(agent)
    save(
        agent,
        entry,
        outcomes["bereikt"],
        help_requested=False,
        no_help_reason="no_interest",
        objection=True,
    )
    entry.refresh_from_db()
    assert entry.closed_reason == QueueEntry.ClosedReason.OBJECTION
    objection = Objection.objects.get(resident=entry.case.resident)
    assert (objection.channel, objection.recorded_by, objection.is_active) == ("phone", agent, True)
    # Next month's case of the same resident is not called.
    from tests.factories import CaseFactory

    next_case = CaseFactory(
        municipality=campaign.municipality, resident=entry.case.resident, state="call_queue"
    )
    result = services.enqueue_cases(actor=agent, campaign=campaign, now=NOW)
    assert result.objected == 1
    next_case.refresh_from_db()
    assert next_case.state == CaseState.CLOSED
    assert not QueueEntry.objects.filter(case=next_case).exists()


def test_objection_needs_right_party_contact(make_entry, agent, outcomes):
    make_entry()
    entry = claim(agent)
    with pytest.raises(ValidationError) as error:
        save(agent, entry, outcomes["geen_gehoor"], objection=True)
    assert "objection" in error.value.message_dict


def test_enqueue_sends_cases_without_numbers_to_enrichment(campaign, agent):
    from tests.factories import CaseFactory, PhoneNumberFactory

    callable_case = CaseFactory(municipality=campaign.municipality, state="call_queue")
    PhoneNumberFactory(resident=callable_case.resident)
    silent = CaseFactory(municipality=campaign.municipality, state="call_queue")
    result = services.enqueue_cases(actor=agent, campaign=campaign, now=NOW)
    assert (result.added, result.without_number) == (1, 1)
    silent.refresh_from_db()
    assert silent.state == CaseState.ENRICHMENT
    entry = QueueEntry.objects.get(case=callable_case)
    assert entry.next_attempt_at == NOW


def test_each_municipality_retries_by_its_own_practice(
    make_entry, agent, outcomes, municipality, contact_centre, make_member
):
    """A busy line is retried after 20 minutes by default; a municipality that set 45 gets 45."""
    services.save_outcome_setting(
        actor=None,
        municipality_id=municipality.pk,
        outcome=outcomes["in_gesprek"],
        values={"retry_delay_minutes": 45},
    )
    neighbour = MunicipalityFactory()
    ServiceAgreement.objects.create(
        provider=contact_centre, municipality=neighbour, starts_on=dt.date(2020, 1, 1)
    )
    here = make_entry()
    there = make_entry(campaign=CampaignFactory(municipality=neighbour))
    for _ in range(2):
        entry = claim(agent)
        save(agent, entry, outcomes["in_gesprek"])
    here.refresh_from_db()
    there.refresh_from_db()
    assert here.next_attempt_at == NOW + dt.timedelta(minutes=45)
    assert there.next_attempt_at == NOW + dt.timedelta(minutes=20)


def test_a_municipal_note_requirement_and_a_switched_off_code_are_enforced(
    make_entry, agent, outcomes, municipality
):
    services.save_outcome_setting(
        actor=None,
        municipality_id=municipality.pk,
        outcome=outcomes["voicemail"],
        values={"needs_note": True},
    )
    services.save_outcome_setting(
        actor=None,
        municipality_id=municipality.pk,
        outcome=outcomes["niet_aanwezig"],
        values={"is_active": False},
    )
    make_entry()
    entry = claim(agent)
    # The workspace offers what this municipality uses, with its own note requirement.
    field = OutcomeForm(entry=entry).fields["outcome"]
    offered = {o.code: o for o in field.queryset}
    assert "niet_aanwezig" not in offered and "geen_gehoor" in offered
    options = field.widget.get_context("outcome", None, {})["widget"]["optgroups"]
    note = {o["label"]: o["attrs"].get("data-note") for _, group, _ in options for o in group}
    assert note["Voicemail"] == "1" and note["Geen gehoor"] == "0"
    with pytest.raises(ValidationError) as error:
        save(agent, entry, outcomes["voicemail"])
    assert "summary" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        save(agent, entry, outcomes["niet_aanwezig"])
    assert "niet in gebruik" in error.value.message_dict["outcome"][0]
    assert not ContactAttempt.objects.exists()
    save(agent, entry, outcomes["voicemail"], summary="Ingesproken: bel ons terug.")
    assert ContactAttempt.objects.get().outcome == outcomes["voicemail"]
