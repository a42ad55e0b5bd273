"""Accept, assign, contact, result and return: each step moves the case through ``transition``
and refuses what the state does not allow."""

import datetime as dt

import pytest
from django.utils import timezone

from bereik.audit.models import AuditEntry
from bereik.cases.results import EndResult
from bereik.cases.workflow import CaseState, transition
from bereik.handover import selectors, services
from bereik.handover.models import Handover
from bereik.handover.signals import handover_accepted
from bereik.outreach.models import ContactAttempt
from tests.factories import (
    ContactAttemptFactory,
    HandoverFactory,
    ProviderFactory,
    ServiceAgreementFactory,
)

pytestmark = pytest.mark.django_db


def _state(handover) -> str:
    handover.case.refresh_from_db()
    return handover.case.state


def test_accepting_hands_the_case_over_and_announces_it(
    handover, social_worker, django_capture_on_commit_callbacks
):
    heard = []

    def receiver(sender, handover, **kwargs):
        heard.append(handover.pk)

    handover_accepted.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            accepted = services.accept(actor=social_worker, handover=handover)
    finally:
        handover_accepted.disconnect(receiver)
    assert accepted.status == Handover.Status.ACCEPTED
    assert accepted.assigned_to == social_worker
    assert accepted.accepted_at is not None
    assert _state(handover) == CaseState.HANDED_OVER
    assert heard == [handover.pk]
    assert AuditEntry.objects.filter(
        object_type="handover.handover", object_id=str(handover.pk), action="update"
    ).exists()


def test_accepting_twice_is_refused(handover, social_worker, colleague):
    services.accept(actor=social_worker, handover=handover)
    with pytest.raises(services.HandoverError):
        services.accept(actor=colleague, handover=handover)


def test_a_closed_case_cannot_be_accepted(handover, social_worker):
    transition(handover.case, CaseState.CLOSED, end_result=EndResult.NOT_PICKED_UP_OTHER)
    with pytest.raises(services.HandoverError, match=r"(?i)closed|gesloten"):
        services.accept(actor=social_worker, handover=handover)
    handover.refresh_from_db()
    assert handover.status == Handover.Status.OPEN


def test_assigning_an_open_handover_accepts_it_for_the_colleague(
    handover, social_worker, colleague
):
    services.assign(actor=social_worker, handover=handover, colleague=colleague)
    handover.refresh_from_db()
    assert handover.status == Handover.Status.ACCEPTED
    assert handover.assigned_to == colleague
    assert _state(handover) == CaseState.HANDED_OVER


def test_only_colleagues_of_the_receiving_organisation_can_be_assigned(
    handover, social_worker, outsider, agent
):
    for stranger in (outsider, agent):
        with pytest.raises(services.HandoverError):
            services.assign(actor=social_worker, handover=handover, colleague=stranger)
    handover.refresh_from_db()
    assert handover.assigned_to is None


def test_contact_then_result_closes_the_case_with_the_end_result(handover, social_worker):
    services.accept(actor=social_worker, handover=handover)
    failed = services.register_contact(
        actor=social_worker,
        handover=handover,
        kind=ContactAttempt.Kind.PHONE,
        occurred_at=timezone.now() - dt.timedelta(hours=2),
        reached=False,
    )
    assert failed.reached is False and failed.agent == social_worker
    assert _state(handover) == CaseState.HANDED_OVER
    services.register_contact(
        actor=social_worker,
        handover=handover,
        kind=ContactAttempt.Kind.HOME_VISIT,
        occurred_at=timezone.now() - dt.timedelta(hours=1),
        reached=True,
        note="Gesprek gehad, budgetplan gemaakt.",
    )
    handover.refresh_from_db()
    assert handover.status == Handover.Status.IN_CONTACT
    assert _state(handover) == CaseState.FOLLOW_UP
    services.register_result(actor=social_worker, handover=handover, result=EndResult.BUDGET_ADVICE)
    handover.refresh_from_db()
    handover.case.refresh_from_db()
    assert handover.status == Handover.Status.COMPLETED
    assert handover.result == EndResult.BUDGET_ADVICE
    assert handover.case.state == CaseState.CLOSED
    assert handover.case.end_result == "(Budget)advies en/of quick fix"
    kinds = list(ContactAttempt.objects.filter(case=handover.case).values_list("kind", "day_part"))
    assert [k for k, _ in kinds] == ["Telefoon", "Huisbezoek"]


def test_no_reaction_after_earlier_contact_closes_without_a_new_contact(handover, social_worker):
    services.accept(actor=social_worker, handover=handover)
    services.register_result(
        actor=social_worker, handover=handover, result=EndResult.NO_REACTION_AFTER_CONTACT
    )
    handover.case.refresh_from_db()
    assert handover.case.end_result == "Geen reactie na eerder contact"


def test_a_help_result_needs_the_social_workers_contact_first(handover, social_worker, outcomes):
    ContactAttemptFactory(case=handover.case, outcome_code="bereikt")  # the agent's call
    services.accept(actor=social_worker, handover=handover)
    with pytest.raises(services.HandoverError):
        services.register_result(
            actor=social_worker, handover=handover, result=EndResult.FINANCIAL_FOLLOW_UP
        )
    assert _state(handover) == CaseState.HANDED_OVER
    services.register_result(
        actor=social_worker, handover=handover, result=EndResult.KNOWN_TO_DEBT_COUNSELLING
    )
    assert _state(handover) == CaseState.CLOSED


def test_results_outside_the_follow_up_list_are_refused(handover, social_worker):
    services.accept(actor=social_worker, handover=handover)
    for result in (EndResult.NO_CONTACT, EndResult.DECEASED, "anything"):
        with pytest.raises(services.HandoverError):
            services.register_result(actor=social_worker, handover=handover, result=result)
    assert _state(handover) == CaseState.HANDED_OVER


def test_contact_and_result_need_an_accepted_handover(handover, social_worker):
    with pytest.raises(services.HandoverError):
        services.register_contact(
            actor=social_worker,
            handover=handover,
            kind=ContactAttempt.Kind.PHONE,
            occurred_at=timezone.now(),
            reached=True,
        )
    with pytest.raises(services.HandoverError):
        services.register_result(
            actor=social_worker, handover=handover, result=EndResult.NO_REACTION_AFTER_CONTACT
        )
    assert not ContactAttempt.objects.exists()


def test_a_contact_attempt_cannot_lie_in_the_future(handover, social_worker):
    services.accept(actor=social_worker, handover=handover)
    with pytest.raises(services.HandoverError):
        services.register_contact(
            actor=social_worker,
            handover=handover,
            kind=ContactAttempt.Kind.PHONE,
            occurred_at=timezone.now() + dt.timedelta(days=1),
            reached=True,
        )


def test_return_needs_a_reason_and_reaches_the_coordinator(
    handover, social_worker, coordinator, make_slot
):
    slot = make_slot()
    appointment = services.book_slot(actor=social_worker, handover=handover, slot=slot)
    with pytest.raises(services.HandoverError):
        services.return_handover(actor=social_worker, handover=handover, reason="  ")
    services.return_handover(
        actor=social_worker, handover=handover, reason="Niet voor ons: woont in Beta."
    )
    handover.refresh_from_db()
    appointment.refresh_from_db()
    assert handover.status == Handover.Status.RETURNED
    assert appointment.cancelled_at is not None  # the slot is free again
    assert list(selectors.unhandled_for(coordinator)) == [handover]
    with pytest.raises(services.HandoverError):
        services.return_handover(actor=social_worker, handover=handover, reason="nogmaals")


def test_the_coordinator_sends_a_returned_handover_on(handover, social_worker, coordinator):
    services.return_handover(actor=social_worker, handover=handover, reason="Niet voor ons.")
    second = ProviderFactory(social_work=True, name="Schuldhulp Gamma")
    ServiceAgreementFactory(provider=second, municipality=handover.municipality)
    fresh = services.reroute(actor=coordinator, handover=handover, social_work=second)
    assert fresh.pk != handover.pk
    assert fresh.status == Handover.Status.OPEN and fresh.social_work == second
    assert fresh.summary == handover.summary
    assert list(selectors.unhandled_for(coordinator)) == []


def test_the_coordinator_closes_an_unrouted_handover(municipality, coordinator):
    unrouted = HandoverFactory(case__municipality=municipality, social_work=None)
    services.close_unhandled(
        actor=coordinator, handover=unrouted, end_result=EndResult.REFERRAL_WITHOUT_CONTACT
    )
    unrouted.case.refresh_from_db()
    assert unrouted.case.state == CaseState.CLOSED
    assert unrouted.case.end_result == "Verwijzing zonder contact"
