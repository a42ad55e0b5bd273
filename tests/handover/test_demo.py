"""load_demo shows the handover: published slots, help requests with appointments, follow-up."""

import pytest
from django.core.management import call_command

from bereik.handover.models import Appointment, AppointmentSlot, Handover

pytestmark = pytest.mark.django_db


def test_load_demo_hands_over_help_requests_once():
    call_command("load_demo")
    handovers = Handover.objects.count()
    assert handovers >= 6
    assert AppointmentSlot.objects.filter(social_worker__username="hulpverlener").count() >= 10
    assert Appointment.objects.filter(cancelled_at__isnull=True).count() == 3
    statuses = set(Handover.objects.values_list("status", flat=True))
    assert {"open", "in_contact", "completed"} <= statuses
    slots = AppointmentSlot.objects.count()
    call_command("load_demo")
    assert Handover.objects.count() == handovers
    assert AppointmentSlot.objects.count() == slots
