"""The demo's warm handovers and shared agenda: the social worker ``hulpverlener`` publishes
free times for the coming weeks, the agent ``beller`` has taken a few help requests (some with a
booked appointment), and the social worker has started on two of them.

Idempotent: slots are published per date (a time the worker already has is skipped) and the
help requests are made only when the demo municipality has none yet.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from bereik.accounts.models import User
from bereik.cases.results import EndResult
from bereik.cases.workflow import CaseState
from bereik.handover import services as handover
from bereik.handover.models import AppointmentChannel, Handover
from bereik.handover.selectors import free_slots
from bereik.outreach import services as outreach
from bereik.outreach.models import ContactAttempt, OutcomeCode, QueueEntry

# (weekday, hour, channel): Tuesday and Thursday mornings by phone, Wednesday afternoon in the
# neighbourhood centre.
WEEKLY_TIMES = [
    (1, 9, AppointmentChannel.PHONE),
    (1, 10, AppointmentChannel.PHONE),
    (2, 14, AppointmentChannel.OFFICE),
    (3, 9, AppointmentChannel.PHONE),
    (3, 11, AppointmentChannel.PHONE),
]
WEEKS = 4
OFFICE = "Wijkcentrum De Brug, Kerkstraat 1, Voorbeeld"
HELP_REQUESTS = [
    (
        "dinsdagochtend, na 9 uur",
        "Huurachterstand van drie maanden na baanverlies. Wil een "
        "betalingsregeling met de verhuurder.",
        True,
    ),
    (
        "liever 's middags",
        "Energierekening flink gestegen, twee maanden achter. Wil bespaartips en een budgetcoach.",
        True,
    ),
    ("maakt niet uit", "Zorgpremie achter sinds scheiding. Weet niet waar te beginnen.", True),
    (
        "na 17:00 (werkt overdag)",
        "Waterrekening en huur achter. Vraagt om een gesprek thuis.",
        False,
    ),
    ("woensdag", "Achterstand zorgverzekering, heeft al een regeling gehad die is gestopt.", False),
    ("ochtend", "Huurachterstand, wil advies over toeslagen.", False),
]


def _publish_agenda(worker, organisation) -> int:
    today = timezone.localdate()
    made = 0
    for week in range(WEEKS):
        for weekday, hour, channel in WEEKLY_TIMES:
            day = today + dt.timedelta(days=(weekday - today.weekday()) % 7 + 7 * week)
            start = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))
            if start <= timezone.now():
                continue
            made += len(
                handover.publish_slots(
                    actor=worker,
                    organisation=organisation,
                    first_start=start,
                    minutes=45,
                    location=OFFICE if channel == AppointmentChannel.OFFICE else "",
                    channel=channel,
                )
            )
    return made


def _take_help_requests(municipality, agent, organisation) -> list[Handover]:
    reached = OutcomeCode.objects.filter(code="bereikt").first()
    entries = list(
        QueueEntry.objects.filter(
            municipality=municipality,
            status__in=[QueueEntry.Status.READY, QueueEntry.Status.WAITING],
            case__state=CaseState.CALL_QUEUE,
            current_number__isnull=False,
        ).order_by("entered_at", "pk")[: len(HELP_REQUESTS)]
    )
    if reached is None or not entries:
        return []
    made = []
    for entry, (preferred, summary, book) in zip(entries, HELP_REQUESTS, strict=False):
        now = timezone.now()
        claimed = outreach.claim_entry(agent=agent, entry=entry, now=now)
        slot = free_slots(organisation.pk, now).first() if book else None
        outreach.record_outcome(
            agent=agent,
            entry=claimed,
            token=claimed.lock_token,
            data=outreach.OutcomeInput(
                reached,
                phone_number=claimed.current_number,
                direction=ContactAttempt.Direction.OUTBOUND,
                help_requested=True,
                preferred_contact_time=preferred,
                summary=summary,
                appointment_slot=slot,
            ),
            now=now,
        )
        made.append(Handover.objects.get(case=entry.case, status=Handover.Status.OPEN))
    return made


def _start_follow_up(handovers: list[Handover], worker) -> None:
    """The social worker has accepted two: one is in contact, one already has its result."""
    if len(handovers) < 2:
        return
    in_contact, completed = handovers[0], handovers[1]
    for accepted in (in_contact, completed):
        handover.accept(actor=worker, handover=accepted)
        handover.register_contact(
            actor=worker,
            handover=accepted,
            kind=ContactAttempt.Kind.PHONE,
            occurred_at=timezone.now() - dt.timedelta(minutes=30),
            reached=True,
            note="Kennismaking gehad, afspraak bevestigd.",
        )
    handover.register_result(actor=worker, handover=completed, result=EndResult.BUDGET_ADVICE)


def load_demo_handovers(organisations) -> int:
    """Publish the agenda and make the demo's help requests once. Returns the new slots."""
    worker = User.objects.filter(username="hulpverlener").first()
    agent = User.objects.filter(username="beller").first()
    if worker is None or agent is None:
        return 0
    with transaction.atomic():
        made = _publish_agenda(worker, organisations.social_work)
        handover.hand_over_queued_cases(municipality=organisations.municipality)
        if not Handover.objects.filter(
            municipality=organisations.municipality, requested_in__isnull=False
        ).exists():
            handovers = _take_help_requests(
                organisations.municipality, agent, organisations.social_work
            )
            _start_follow_up(handovers, worker)
    return made
