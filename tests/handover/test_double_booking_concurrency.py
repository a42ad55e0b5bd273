"""Two agents book the same slot at the same instant, each on its own connection: exactly one
gets it, on SQLite and on PostgreSQL."""

import pytest
from django.utils import timezone

from bereik.accounts.roles import Role
from bereik.handover import services
from bereik.handover.models import Appointment
from tests.factories import HandoverFactory
from tests.outreach.test_claim_concurrency import in_worker, run_concurrently, worker_database

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_simultaneous_bookings_of_one_slot_give_one_appointment(
    make_member, contact_centre, municipality, social_work, make_slot, tmp_path
):
    agents = [make_member(Role.AGENT, contact_centre) for _ in range(2)]
    handovers = {
        agent.pk: HandoverFactory(case__municipality=municipality, social_work=social_work)
        for agent in agents
    }
    slot = make_slot()
    now = timezone.now()

    def book(agent):
        try:
            services.book_slot(actor=agent, handover=handovers[agent.pk], slot=slot, now=now)
            return "booked"
        except services.SlotTaken:
            return "taken"

    with worker_database(tmp_path):
        results = run_concurrently(agents, book)
        active = in_worker(
            lambda: list(
                Appointment.objects.filter(cancelled_at__isnull=True).values_list(
                    "handover_id", flat=True
                )
            )
        )
    assert sorted(results.values()) == ["booked", "taken"]
    winner = next(pk for pk, result in results.items() if result == "booked")
    assert active == [handovers[winner].pk]
