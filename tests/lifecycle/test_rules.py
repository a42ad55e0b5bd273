"""Re-approach and escalation rules: what each proposes, idempotency, and what a confirmation
does (nothing happens to a resident without one)."""

import datetime as dt
from decimal import Decimal

import pytest

from bereik.audit.models import AuditAction, AuditEntry
from bereik.cases.results import EndResult
from bereik.cases.workflow import CaseState, CaseTransition
from bereik.handover.models import Handover
from bereik.lifecycle import selectors, services
from bereik.lifecycle.models import LifecycleRule, Proposal, RuleKind
from bereik.outreach.models import QueueEntry
from bereik.outreach.scheduling import AMSTERDAM
from bereik.privacy.models import Objection, ObjectionChannel
from tests.factories import CampaignFactory, CaseFactory, SignalFactory

from .conftest import NOVEMBER, OCTOBER, SEPTEMBER, attempt

S = CaseState
TODAY = dt.date(2026, 11, 20)


def rule(municipality, kind, **fields):
    fields.setdefault("purpose", "Inwoners met betaalachterstanden niet uit het oog verliezen.")
    return LifecycleRule.objects.create(municipality=municipality, kind=kind, **fields)


def apply(municipality, today=TODAY):
    return services.apply_rules(municipality=municipality, today=today)


@pytest.fixture
def refuser(municipality, make_case, outcomes):
    """A resident who said 'no interest' in October; the case is closed as 'no help wanted'."""
    case = make_case(S.CLOSED, end_result=EndResult.NO_HELP_WANTED)
    attempt(
        case,
        outcomes["bereikt"],
        help_requested=False,
        reason="no_interest",
        at=dt.datetime(2026, 10, 14, 19, 0, tzinfo=AMSTERDAM),
    )
    return case


def later_case(case, state=S.CALL_QUEUE, period=NOVEMBER, amount="250.00", **signal):
    newer = CaseFactory(
        municipality=case.municipality, resident=case.resident, state=state, matching_period=period
    )
    SignalFactory(case=newer, signal_date=period, amount=Decimal(amount), **signal)
    return newer


# --- (a) re-approach of refusers --------------------------------------------------------------


def test_a_new_signal_after_a_refusal_proposes_a_re_approach(municipality, refuser):
    rule(municipality, RuleKind.RE_APPROACH_REFUSER, months=6)
    newer = later_case(refuser)

    made = apply(municipality)

    assert made == {RuleKind.RE_APPROACH_REFUSER: 1}
    proposal = Proposal.objects.get()
    assert proposal.action == Proposal.Action.RE_APPROACH
    assert proposal.case == newer
    assert proposal.status == Proposal.Status.PENDING
    assert proposal.facts["trigger"] == "new_signal"
    assert proposal.facts["refused_case"] == refuser.reference
    # Nothing happened to the resident.
    newer.refresh_from_db()
    assert newer.state == S.CALL_QUEUE


def test_n_months_after_a_refusal_proposes_a_re_approach(municipality, refuser):
    rule(municipality, RuleKind.RE_APPROACH_REFUSER, months=3)
    assert apply(municipality, today=dt.date(2027, 1, 13)) == {RuleKind.RE_APPROACH_REFUSER: 0}
    assert apply(municipality, today=dt.date(2027, 1, 14)) == {RuleKind.RE_APPROACH_REFUSER: 1}
    proposal = Proposal.objects.get()
    assert proposal.case == refuser
    assert proposal.facts["trigger"] == "months"


def test_running_the_rules_twice_proposes_nothing_twice(municipality, refuser):
    rule(municipality, RuleKind.RE_APPROACH_REFUSER, months=6)
    later_case(refuser)
    apply(municipality)
    assert apply(municipality) == {RuleKind.RE_APPROACH_REFUSER: 0}
    Proposal.objects.update(status=Proposal.Status.REJECTED)
    assert apply(municipality) == {RuleKind.RE_APPROACH_REFUSER: 0}
    assert Proposal.objects.count() == 1


def test_no_proposals_from_inactive_rules_or_for_objectors_or_paid(
    municipality, refuser, make_case, outcomes, coordinator
):
    re_approach = rule(municipality, RuleKind.RE_APPROACH_REFUSER, months=1, is_active=False)
    assert apply(municipality) == {}
    LifecycleRule.objects.filter(pk=re_approach.pk).update(is_active=True)
    Objection.objects.create(
        municipality=municipality,
        resident=refuser.resident,
        received_on=dt.date(2026, 10, 20),
        channel=ObjectionChannel.PHONE,
        recorded_by=coordinator,
        recorded_at=dt.datetime(2026, 10, 20, 9, 0, tzinfo=AMSTERDAM),
    )
    paid = make_case(S.CLOSED, end_result=EndResult.PAID_OR_ARRANGED)
    attempt(paid, outcomes["bereikt"], help_requested=False, reason="paid_or_arranged")
    assert apply(municipality) == {RuleKind.RE_APPROACH_REFUSER: 0}


def test_a_resident_who_later_asked_for_help_is_no_refuser(municipality, refuser, outcomes):
    rule(municipality, RuleKind.RE_APPROACH_REFUSER, months=1)
    newer = later_case(refuser, state=S.HANDED_OVER)
    attempt(
        newer,
        outcomes["bereikt"],
        help_requested=True,
        at=dt.datetime(2026, 11, 5, 10, 0, tzinfo=AMSTERDAM),
    )
    assert apply(municipality) == {RuleKind.RE_APPROACH_REFUSER: 0}


def test_confirming_a_re_approach_hands_the_case_to_the_social_workers(
    municipality, refuser, coordinator
):
    rule(municipality, RuleKind.RE_APPROACH_REFUSER, months=6)
    newer = later_case(refuser)
    QueueEntry.objects.create(
        case=newer,
        campaign=CampaignFactory(municipality=municipality),
        municipality=municipality,
        status=QueueEntry.Status.READY,
        entered_at=dt.datetime(2026, 11, 2, 9, 0, tzinfo=AMSTERDAM),
        next_attempt_at=dt.datetime(2026, 11, 2, 9, 0, tzinfo=AMSTERDAM),
    )
    apply(municipality)
    proposal = Proposal.objects.get()

    services.confirm_proposal(proposal=proposal, actor=coordinator, note="Afgesproken met team")

    newer.refresh_from_db()
    assert newer.state == S.SOCIAL_WORK_QUEUE
    assert QueueEntry.objects.get(case=newer).status == QueueEntry.Status.CLOSED
    assert Handover.objects.filter(case=newer, status=Handover.Status.OPEN).exists()
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by, proposal.note) == (
        Proposal.Status.CONFIRMED,
        coordinator,
        "Afgesproken met team",
    )
    assert (
        CaseTransition.objects.filter(case=newer, to_state=S.SOCIAL_WORK_QUEUE).get().actor
        == coordinator
    )
    assert AuditEntry.objects.filter(
        action=AuditAction.UPDATE, object_type="lifecycle.proposal", object_id=str(proposal.pk)
    ).exists()


def test_confirming_a_re_approach_reopens_a_closed_refusal(municipality, refuser, coordinator):
    rule(municipality, RuleKind.RE_APPROACH_REFUSER, months=1)
    apply(municipality)
    services.confirm_proposal(proposal=Proposal.objects.get(), actor=coordinator, note="Ja")
    refuser.refresh_from_db()
    assert (refuser.state, refuser.end_result) == (S.SOCIAL_WORK_QUEUE, "")


# --- (b) unreached in consecutive months ------------------------------------------------------


def test_not_reached_in_two_consecutive_months_proposes_a_referral(municipality, make_case):
    rule(municipality, RuleKind.REFER_UNREACHED, months=2, refer_to="Meldpunt Bezorgd")
    september = make_case(S.CLOSED, period=SEPTEMBER, end_result=EndResult.NO_CONTACT)
    october = CaseFactory(
        municipality=municipality,
        resident=september.resident,
        state=S.EXHAUSTED,
        matching_period=OCTOBER,
    )
    once = make_case(S.EXHAUSTED)  # another resident, one month only

    assert apply(municipality) == {RuleKind.REFER_UNREACHED: 1}
    proposal = Proposal.objects.get()
    assert proposal.case == october
    assert proposal.resident == september.resident
    assert proposal.facts["months"] == ["2026-09", "2026-10"]
    assert once.pk != proposal.case_id


def test_months_that_are_not_consecutive_do_not_count(municipality, make_case):
    rule(municipality, RuleKind.REFER_UNREACHED, months=2)
    august = make_case(S.CLOSED, period=dt.date(2026, 8, 1), end_result=EndResult.NO_CONTACT)
    CaseFactory(
        municipality=municipality,
        resident=august.resident,
        state=S.EXHAUSTED,
        matching_period=OCTOBER,
    )
    assert apply(municipality) == {RuleKind.REFER_UNREACHED: 0}


def test_confirming_a_referral_registers_referral_without_contact_by_that_person(
    municipality, make_case, coordinator
):
    rule(municipality, RuleKind.REFER_UNREACHED, months=2, refer_to="Meldpunt Bezorgd")
    september = make_case(S.CLOSED, period=SEPTEMBER, end_result=EndResult.NO_CONTACT)
    october = CaseFactory(
        municipality=municipality,
        resident=september.resident,
        state=S.CLOSED,
        end_result=EndResult.NO_CONTACT,
        matching_period=OCTOBER,
    )
    apply(municipality)
    proposal = Proposal.objects.get()

    services.confirm_proposal(proposal=proposal, actor=coordinator, note="Doorgezet naar meldpunt")

    october.refresh_from_db()
    assert (october.state, october.end_result) == (S.CLOSED, EndResult.REFERRAL_WITHOUT_CONTACT)
    closing = CaseTransition.objects.filter(case=october, to_state=S.CLOSED).last()
    assert closing.actor == coordinator
    assert closing.end_result == EndResult.REFERRAL_WITHOUT_CONTACT
    assert "Meldpunt Bezorgd" in closing.reason


def test_rejecting_changes_nothing_but_the_proposal(municipality, make_case, coordinator):
    rule(municipality, RuleKind.REFER_UNREACHED, months=2)
    september = make_case(S.CLOSED, period=SEPTEMBER, end_result=EndResult.NO_CONTACT)
    october = CaseFactory(
        municipality=municipality,
        resident=september.resident,
        state=S.EXHAUSTED,
        matching_period=OCTOBER,
    )
    apply(municipality)
    proposal = Proposal.objects.get()
    services.reject_proposal(proposal=proposal, actor=coordinator, note="Inwoner verhuisd")
    october.refresh_from_db()
    assert october.state == S.EXHAUSTED
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == (Proposal.Status.REJECTED, coordinator)


def test_a_decision_needs_a_note_and_happens_once(municipality, make_case, coordinator):
    rule(municipality, RuleKind.REFER_UNREACHED, months=2)
    september = make_case(S.CLOSED, period=SEPTEMBER, end_result=EndResult.NO_CONTACT)
    CaseFactory(
        municipality=municipality,
        resident=september.resident,
        state=S.EXHAUSTED,
        matching_period=OCTOBER,
    )
    apply(municipality)
    proposal = Proposal.objects.get()
    with pytest.raises(services.LifecycleError, match="notitie"):
        services.confirm_proposal(proposal=proposal, actor=coordinator, note="  ")
    services.reject_proposal(proposal=proposal, actor=coordinator, note="Nee")
    with pytest.raises(services.LifecycleError, match="Dit voorstel is al"):
        services.confirm_proposal(proposal=proposal, actor=coordinator, note="Toch wel")


def test_a_referral_of_a_case_now_with_the_social_workers_is_refused(
    municipality, make_case, coordinator
):
    rule(municipality, RuleKind.REFER_UNREACHED, months=2)
    september = make_case(S.CLOSED, period=SEPTEMBER, end_result=EndResult.NO_CONTACT)
    october = CaseFactory(
        municipality=municipality,
        resident=september.resident,
        state=S.EXHAUSTED,
        matching_period=OCTOBER,
    )
    apply(municipality)
    october.state = S.SOCIAL_WORK_QUEUE
    october.save()
    proposal = Proposal.objects.get()
    with pytest.raises(services.LifecycleError, match="sociaal werk"):
        services.confirm_proposal(proposal=proposal, actor=coordinator, note="Ja")
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.PENDING


# --- (c) growing arrears while refusing -------------------------------------------------------


def test_arrears_growing_past_the_threshold_after_a_refusal_propose_a_referral(
    municipality, refuser
):
    rule(municipality, RuleKind.REFER_GROWING_ARREARS, arrears_threshold=Decimal("1000"))
    newer = later_case(refuser, amount="1500.00")
    assert apply(municipality) == {RuleKind.REFER_GROWING_ARREARS: 1}
    proposal = Proposal.objects.get()
    assert proposal.action == Proposal.Action.REFERRAL
    assert proposal.case == newer
    assert proposal.facts["arrears_then"] == "250.00"
    assert proposal.facts["arrears_now"] == "1500.00"
    shown = {str(label): value for label, value in selectors.proposal_facts(proposal)}
    assert shown["Achterstand nu (EUR)"] == "1.500,00"
    assert shown["Geweigerd op"] == "14 oktober 2026"


def test_arrears_below_the_threshold_propose_nothing(municipality, refuser):
    rule(municipality, RuleKind.REFER_GROWING_ARREARS, arrears_threshold=Decimal("1000"))
    later_case(refuser, amount="900.00")
    assert apply(municipality) == {RuleKind.REFER_GROWING_ARREARS: 0}


# --- rules as data ----------------------------------------------------------------------------


def test_a_rule_needs_a_purpose_and_every_change_is_audited(municipality, coordinator):
    with pytest.raises(services.LifecycleError, match="doel"):
        services.save_rule(
            municipality=municipality,
            kind=RuleKind.RE_APPROACH_REFUSER,
            values={"purpose": "  ", "months": 3, "is_active": True},
            actor=coordinator,
        )
    saved = services.save_rule(
        municipality=municipality,
        kind=RuleKind.RE_APPROACH_REFUSER,
        values={"purpose": "Heraanpak", "months": 3, "is_active": True},
        actor=coordinator,
    )
    services.save_rule(
        municipality=municipality,
        kind=RuleKind.RE_APPROACH_REFUSER,
        values={"purpose": "Heraanpak", "months": 4, "is_active": True},
        actor=coordinator,
    )
    saved.refresh_from_db()
    assert saved.months == 4
    entries = AuditEntry.objects.filter(object_type="lifecycle.lifecyclerule").order_by("pk")
    assert [e.action for e in entries] == [AuditAction.CREATE, AuditAction.UPDATE]
    assert entries.last().detail["fields"] == ["months"]


def test_the_apply_lifecycle_rules_command_and_task(municipality, refuser):
    from io import StringIO

    from django.core.management import CommandError, call_command

    rule(municipality, RuleKind.RE_APPROACH_REFUSER, months=1)
    out = StringIO()
    call_command("apply_lifecycle_rules", "--organisation", "0001", stdout=out)
    assert "1" in out.getvalue()
    assert Proposal.objects.count() == 1
    call_command("apply_lifecycle_rules", "--organisation", "0001", "--enqueue", stdout=out)
    assert Proposal.objects.count() == 1
    with pytest.raises(CommandError, match="Geen gemeente"):
        call_command("apply_lifecycle_rules", "--organisation", "4321", stdout=out)
