"""The month-end closure service: what it closes with which DDAS end result, what it skips, the
batch it records, and undo."""

import datetime as dt

import pytest

from bereik.audit.models import AuditAction, AuditEntry
from bereik.cases.models import Case
from bereik.cases.results import EndResult
from bereik.cases.workflow import CaseState, CaseTransition
from bereik.handover.models import Appointment, AppointmentSlot, Handover
from bereik.lifecycle import selectors, services
from bereik.lifecycle.models import ClosureBatch, ClosureItem, LifecycleRule, Proposal
from bereik.outreach.models import Callback, QueueEntry
from bereik.outreach.scheduling import AMSTERDAM
from tests.factories import ProviderFactory

from .conftest import IN_NOVEMBER, NOVEMBER, OCTOBER, SEPTEMBER, attempt

S = CaseState


def close(municipality, month=OCTOBER, now=IN_NOVEMBER, actor=None):
    return services.close_month(municipality=municipality, month=month, now=now, actor=actor)


def state(case):
    case.refresh_from_db()
    return case.state, case.end_result


def test_closes_no_contact_and_no_help_with_their_end_results(
    municipality, make_case, outcomes, coordinator
):
    queued = make_case(S.CALL_QUEUE, queued=True)
    attempt(queued, outcomes["geen_gehoor"])
    exhausted = make_case(S.EXHAUSTED)
    enrichment = make_case(S.ENRICHMENT)
    letter = make_case(S.LETTER_OR_VISIT)
    paid = make_case(S.REACHED_NO_HELP)
    attempt(paid, outcomes["bereikt"], help_requested=False, reason="paid_or_arranged")
    refused = make_case(S.REACHED_NO_HELP)
    attempt(refused, outcomes["bereikt"], help_requested=False, reason="no_interest")

    batch = close(municipality, actor=coordinator)

    assert batch.case_count == 6
    assert batch.counts == {
        EndResult.NO_CONTACT.value: 4,
        EndResult.NO_HELP_WANTED.value: 1,
        EndResult.PAID_OR_ARRANGED.value: 1,
    }
    for case in (queued, exhausted, enrichment, letter):
        assert state(case) == (S.CLOSED, EndResult.NO_CONTACT)
    assert state(paid) == (S.CLOSED, EndResult.PAID_OR_ARRANGED)
    assert state(refused) == (S.CLOSED, EndResult.NO_HELP_WANTED)
    entry = QueueEntry.objects.get(case=queued)
    assert entry.status == QueueEntry.Status.CLOSED
    assert entry.closed_reason == QueueEntry.ClosedReason.WITHDRAWN
    assert batch.closed_by == coordinator
    assert CaseTransition.objects.filter(case=refused, to_state=S.CLOSED).get().actor == coordinator
    audit = AuditEntry.objects.filter(
        action=AuditAction.CREATE, object_type="lifecycle.closurebatch"
    )
    assert audit.get().detail["cases"] == 6


def test_leaves_other_months_and_other_states_alone(
    municipality, other_municipality, make_case, outcomes
):
    september = make_case(S.EXHAUSTED, period=SEPTEMBER)
    other = make_case(S.EXHAUSTED, municipality=other_municipality)
    help_request = make_case(S.REACHED_HELP)
    handed_over = make_case(S.HANDED_OVER)
    follow_up = make_case(S.FOLLOW_UP)
    new = make_case(S.NEW)

    plan = selectors.closure_plan(municipality, OCTOBER, IN_NOVEMBER)

    assert plan.to_close == []
    assert plan.left_open == {
        S.REACHED_HELP: 1,
        S.HANDED_OVER: 1,
        S.FOLLOW_UP: 1,
        S.NEW: 1,
    }
    batch = close(municipality)
    assert batch.case_count == 0
    for case in (september, other, help_request, handed_over, follow_up, new):
        before = case.state
        assert state(case)[0] == before


def test_a_month_with_nothing_to_close_is_recorded_as_closed_once(municipality, make_case):
    make_case(S.REACHED_HELP)
    assert not selectors.month_is_closed(municipality, OCTOBER)
    batch = close(municipality)
    assert batch.case_count == 0
    assert selectors.month_is_closed(municipality, OCTOBER)
    with pytest.raises(services.MonthAlreadyClosed):
        close(municipality)


def test_skips_callbacks_appointments_handovers_calls_in_progress_and_proposals(
    municipality, make_case, outcomes, agent, coordinator
):
    with_callback = make_case(S.CALL_QUEUE, queued=True)
    callback_attempt = attempt(with_callback, outcomes["geen_gehoor"])
    Callback.objects.create(
        municipality=municipality,
        entry=with_callback.queue_entry,
        due_at=dt.datetime(2026, 11, 12, 18, 0, tzinfo=AMSTERDAM),
        requested_in=callback_attempt,
    )
    fulfilled = make_case(S.CALL_QUEUE, queued=True)
    Callback.objects.create(
        municipality=municipality,
        entry=fulfilled.queue_entry,
        due_at=dt.datetime(2026, 10, 12, 18, 0, tzinfo=AMSTERDAM),
        fulfilled_at=dt.datetime(2026, 10, 12, 18, 5, tzinfo=AMSTERDAM),
    )
    being_called = make_case(S.CALL_QUEUE, queued=True)
    QueueEntry.objects.filter(case=being_called).update(
        locked_by=agent, locked_until=IN_NOVEMBER + dt.timedelta(minutes=10)
    )
    spoken = make_case(S.CALL_QUEUE, queued=True)
    attempt(spoken, outcomes["niet_beschikbaar"])
    with_handover = make_case(S.EXHAUSTED)
    Handover.objects.create(municipality=municipality, case=with_handover)
    with_appointment = make_case(S.REACHED_NO_HELP)
    provider = ProviderFactory(social_work=True)
    slot = AppointmentSlot.objects.create(
        organisation=provider,
        social_worker=agent,
        starts_at=IN_NOVEMBER + dt.timedelta(days=2),
        ends_at=IN_NOVEMBER + dt.timedelta(days=2, hours=1),
    )
    returned = Handover.objects.create(
        municipality=municipality, case=with_appointment, status=Handover.Status.RETURNED
    )
    Appointment.objects.create(
        slot=slot, handover=returned, case=with_appointment, municipality=municipality
    )
    with_proposal = make_case(S.EXHAUSTED)
    rule = LifecycleRule.objects.create(
        municipality=municipality, kind="refer_unreached", purpose="Zorg", months=2
    )
    Proposal.objects.create(
        municipality=municipality,
        rule=rule,
        action=Proposal.Action.REFERRAL,
        resident=with_proposal.resident,
        case=with_proposal,
        trigger_key="x",
    )

    plan = selectors.closure_plan(municipality, OCTOBER, IN_NOVEMBER)

    skipped = {item.case_id: item.reason for item in plan.skipped}
    assert skipped == {
        with_callback.pk: "callback",
        being_called.pk: "being_called",
        spoken.pk: "spoken_to",
        with_handover.pk: "handover",
        with_appointment.pk: "appointment",
        with_proposal.pk: "proposal",
    }
    assert [item.case_id for item in plan.to_close] == [fulfilled.pk]
    batch = close(municipality, actor=coordinator)
    assert batch.skipped == {
        "callback": 1,
        "being_called": 1,
        "spoken_to": 1,
        "handover": 1,
        "appointment": 1,
        "proposal": 1,
    }
    assert state(with_callback)[0] == S.CALL_QUEUE
    assert QueueEntry.objects.get(case=with_callback).status != QueueEntry.Status.CLOSED


def test_closing_a_month_twice_closes_nothing_new_and_says_so(municipality, make_case):
    make_case(S.EXHAUSTED)
    first = close(municipality)
    with pytest.raises(services.MonthAlreadyClosed, match="al afgesloten"):
        close(municipality)
    assert ClosureBatch.objects.count() == 1
    assert first.items.count() == 1


def test_a_second_run_closes_what_became_closable(municipality, make_case, outcomes):
    make_case(S.EXHAUSTED)
    waiting = make_case(S.CALL_QUEUE, queued=True)
    callback = Callback.objects.create(
        municipality=municipality,
        entry=waiting.queue_entry,
        due_at=dt.datetime(2026, 11, 12, 18, 0, tzinfo=AMSTERDAM),
    )
    close(municipality)
    Callback.objects.filter(pk=callback.pk).update(cancelled_at=IN_NOVEMBER)
    second = close(municipality)
    assert second.case_count == 1
    assert state(waiting) == (S.CLOSED, EndResult.NO_CONTACT)


@pytest.mark.parametrize(
    ("month", "today", "message"),
    [
        (NOVEMBER, dt.date(2026, 11, 10), "nog niet worden afgesloten"),
        (dt.date(2027, 1, 1), dt.date(2026, 11, 10), "nog niet worden afgesloten"),
        # October 2026 ends on a Saturday: its last working day is Friday 30 October.
        (OCTOBER, dt.date(2026, 10, 29), "30 oktober 2026"),
    ],
)
def test_a_month_cannot_be_closed_before_its_last_working_day(
    municipality, make_case, month, today, message
):
    case = make_case(S.EXHAUSTED, period=month)
    now = dt.datetime.combine(today, dt.time(12), tzinfo=AMSTERDAM)
    with pytest.raises(services.MonthNotClosable, match=message):
        close(municipality, month=month, now=now)
    assert state(case)[0] == S.EXHAUSTED
    assert not ClosureBatch.objects.exists()


def test_the_month_can_be_closed_on_its_last_working_day(municipality, make_case):
    case = make_case(S.EXHAUSTED)
    close(municipality, now=dt.datetime(2026, 10, 30, 16, 0, tzinfo=AMSTERDAM))
    assert state(case)[0] == S.CLOSED


@pytest.mark.parametrize("text", ["2026-13", "oktober", "2026/10", "", "26-10"])
def test_a_malformed_month_is_refused(text):
    with pytest.raises(services.MonthNotClosable, match="YYYY-MM"):
        services.parse_month(text)


# --- undo -------------------------------------------------------------------------------------


def test_undo_restores_every_case_to_its_exact_state_and_its_queue_entry(
    municipality, make_case, outcomes, coordinator
):
    queued = make_case(S.CALL_QUEUE, queued=True)
    QueueEntry.objects.filter(case=queued).update(status=QueueEntry.Status.WAITING)
    exhausted = make_case(S.EXHAUSTED)
    enrichment = make_case(S.ENRICHMENT)
    letter = make_case(S.LETTER_OR_VISIT)
    refused = make_case(S.REACHED_NO_HELP)
    attempt(refused, outcomes["bereikt"], help_requested=False, reason="no_interest")
    batch = close(municipality, actor=coordinator)

    result = services.undo_closure(
        batch=batch, actor=coordinator, now=IN_NOVEMBER + dt.timedelta(days=1)
    )

    assert (result.restored, result.kept) == (5, 0)
    assert state(queued) == (S.CALL_QUEUE, "")
    assert state(exhausted) == (S.EXHAUSTED, "")
    assert state(enrichment) == (S.ENRICHMENT, "")
    assert state(letter) == (S.LETTER_OR_VISIT, "")
    assert state(refused) == (S.REACHED_NO_HELP, "")
    entry = QueueEntry.objects.get(case=queued)
    assert (entry.status, entry.closed_reason, entry.closed_at) == ("waiting", "", None)
    batch.refresh_from_db()
    assert batch.undone_by == coordinator
    assert batch.restored_count == 5
    assert not ClosureItem.objects.filter(is_active=True).exists()
    assert AuditEntry.objects.filter(
        action=AuditAction.UPDATE, object_type="lifecycle.closurebatch", object_id=str(batch.pk)
    ).exists()
    # The month can be closed again after the undo.
    again = close(municipality, now=IN_NOVEMBER + dt.timedelta(days=2))
    assert again.case_count == 5


def test_undo_leaves_a_case_that_changed_since(municipality, make_case, coordinator):
    changed = make_case(S.EXHAUSTED)
    untouched = make_case(S.EXHAUSTED)
    batch = close(municipality)
    Case.objects.filter(pk=changed.pk).update(end_result=EndResult.REFERRAL_WITHOUT_CONTACT)

    result = services.undo_closure(batch=batch, actor=coordinator, now=IN_NOVEMBER)

    assert (result.restored, result.kept) == (1, 1)
    assert state(changed) == (S.CLOSED, EndResult.REFERRAL_WITHOUT_CONTACT)
    assert state(untouched) == (S.EXHAUSTED, "")


def test_undo_twice_is_refused(municipality, make_case, coordinator):
    make_case(S.EXHAUSTED)
    batch = close(municipality)
    services.undo_closure(batch=batch, actor=coordinator, now=IN_NOVEMBER)
    with pytest.raises(services.UndoNotAllowed, match="al ongedaan gemaakt"):
        services.undo_closure(batch=batch, actor=coordinator, now=IN_NOVEMBER)


@pytest.mark.parametrize(
    ("today", "allowed"),
    [(dt.date(2026, 11, 30), True), (dt.date(2026, 12, 1), False)],
)
def test_undo_is_possible_until_the_end_of_the_next_month(
    municipality, make_case, coordinator, today, allowed
):
    case = make_case(S.EXHAUSTED)
    batch = close(municipality)
    now = dt.datetime.combine(today, dt.time(9), tzinfo=AMSTERDAM)
    if allowed:
        services.undo_closure(batch=batch, actor=coordinator, now=now)
        assert state(case)[0] == S.EXHAUSTED
    else:
        with pytest.raises(services.UndoNotAllowed, match="30 november 2026"):
            services.undo_closure(batch=batch, actor=coordinator, now=now)
        assert state(case)[0] == S.CLOSED
