"""The retention purge removes personal data from outreach rows and keeps the anonymous figures."""

import datetime as dt

import pytest
from django.db.models import Count

from bereik.outreach.models import Callback, ContactAttempt, OutboundMessage, QueueEntry
from bereik.outreach.privacy import purge_outreach
from bereik.privacy import services as privacy_services
from bereik.privacy.models import PurgedCase
from tests.factories import CaseFactory, ClosedCaseFactory, PhoneNumberFactory

pytestmark = pytest.mark.django_db

# Closed 15 January 2025 after calling (term 12 months): due on this date.
TODAY = dt.date(2026, 3, 1)
CALLED_AT = dt.datetime(2025, 1, 10, 10, 0, tzinfo=dt.UTC)


def _work(case, campaign, agent, outcomes):
    """What calling left behind: a queue entry, two calls, an SMS and a callback."""
    number = PhoneNumberFactory(resident=case.resident)
    entry = QueueEntry.objects.create(
        case=case,
        campaign=campaign,
        municipality=case.municipality,
        status=QueueEntry.Status.CLOSED,
        closed_reason=QueueEntry.ClosedReason.REACHED,
        entered_at=CALLED_AT,
        next_attempt_at=CALLED_AT,
        current_number=number,
    )
    common = {"municipality": case.municipality, "case": case, "campaign": campaign}
    first = ContactAttempt.objects.create(
        **common,
        kind=ContactAttempt.Kind.PHONE,
        occurred_at=CALLED_AT,
        day_part="ochtend",
        reached=True,
        agent=agent,
        phone_number=number,
        outcome=outcomes["niet_beschikbaar"],
        summary="Mevrouw Jansen zit in de auto, bel na twaalven",
    )
    Callback.objects.create(
        municipality=case.municipality,
        entry=entry,
        due_at=CALLED_AT + dt.timedelta(hours=3),
        agent=agent,
        requested_in=first,
    )
    ContactAttempt.objects.create(
        **common,
        kind=ContactAttempt.Kind.PHONE,
        occurred_at=CALLED_AT + dt.timedelta(hours=3),
        day_part="middag",
        reached=True,
        agent=agent,
        phone_number=number,
        outcome=outcomes["bereikt"],
        help_requested=True,
        preferred_contact_time="dinsdag na 15:00, op haar werk 010-7654321",
        summary="Huurachterstand na ontslag; partner weet van niets",
    )
    message = OutboundMessage.objects.create(
        municipality=case.municipality,
        case=case,
        channel="sms",
        recipient="+31612345678",
        body="Beste mevrouw Jansen, de gemeente belt u binnenkort.",
        backend="cm",
        status=OutboundMessage.Status.SENT,
        provider_reference="cm-ref-1",
    )
    ContactAttempt.objects.create(
        **common,
        kind=ContactAttempt.Kind.SMS,
        occurred_at=CALLED_AT - dt.timedelta(hours=1),
        day_part="ochtend",
        phone_number=number,
        message=message,
    )
    return entry


def _figures(case_ids):
    """What reports use: attempts per kind, day-part, outcome and reached; messages; callbacks."""
    return {
        "attempts": sorted(
            ContactAttempt.objects.filter(case_id__in=case_ids)
            .values_list("kind", "day_part", "outcome__code", "reached", "help_requested")
            .annotate(n=Count("pk"))
        ),
        "messages": sorted(
            OutboundMessage.objects.filter(case_id__in=case_ids)
            .values_list("channel", "status", "backend")
            .annotate(n=Count("pk"))
        ),
        "callbacks": Callback.objects.filter(entry__case_id__in=case_ids).count(),
        "entries": sorted(
            QueueEntry.objects.filter(case_id__in=case_ids).values_list("status", "closed_reason")
        ),
    }


@pytest.fixture
def expired_case(municipality, campaign, agent, outcomes):
    case = ClosedCaseFactory(
        municipality=municipality, path=("call_queue", "reached_help"), closed_at=CALLED_AT
    )
    _work(case, campaign, agent, outcomes)
    return case


def test_the_purge_empties_outreach_texts_and_keeps_the_anonymous_figures(expired_case):
    before = _figures([expired_case.pk])

    run = privacy_services.purge_municipality(municipality=expired_case.municipality, today=TODAY)

    assert PurgedCase.objects.filter(case=expired_case).exists()
    attempts = ContactAttempt.objects.filter(case=expired_case)
    assert set(attempts.values_list("summary", "preferred_contact_time")) == {("", "")}
    assert not attempts.filter(phone_number__isnull=False).exists()
    message = OutboundMessage.objects.get(case=expired_case)
    assert (message.recipient, message.subject, message.body, message.provider_reference) == (
        "",
        "",
        "",
        "",
    )
    assert QueueEntry.objects.get(case=expired_case).current_number is None
    assert _figures([expired_case.pk]) == before
    # The SMS attempt had no text; its number link went with the resident's deleted numbers.
    assert run.counts["outreach.contact_attempts"] == 2
    assert run.counts["outreach.messages"] == 1


def test_the_outreach_purger_is_idempotent(expired_case):
    ids = {"case_ids": [expired_case.pk], "resident_ids": [expired_case.resident_id]}

    first = purge_outreach(**ids)
    second = purge_outreach(**ids)

    assert first == {"contact_attempts": 3, "messages": 1, "queue_entries": 1}
    assert second == {"contact_attempts": 0, "messages": 0, "queue_entries": 0}


def test_a_resident_still_being_called_keeps_the_open_case_texts(
    expired_case, campaign, agent, outcomes
):
    current = CaseFactory(
        municipality=expired_case.municipality, resident=expired_case.resident, state="call_queue"
    )
    ContactAttempt.objects.create(
        municipality=current.municipality,
        case=current,
        campaign=campaign,
        kind=ContactAttempt.Kind.PHONE,
        occurred_at=CALLED_AT + dt.timedelta(days=400),
        day_part="avond",
        agent=agent,
        outcome=outcomes["niet_beschikbaar"],
        summary="Terugbellen na het eten",
    )

    privacy_services.purge_municipality(municipality=expired_case.municipality, today=TODAY)

    assert set(
        ContactAttempt.objects.filter(case=expired_case).values_list("summary", flat=True)
    ) == {""}
    assert ContactAttempt.objects.get(case=current).summary == "Terugbellen na het eten"
