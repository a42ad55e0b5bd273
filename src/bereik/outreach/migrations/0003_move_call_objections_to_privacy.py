"""Objections to calls now live in the privacy app (one register for phone, letter, e-mail, ...).

Every ``CallObjection`` becomes an active ``privacy.Objection`` received by phone on the day it was
recorded, unless the resident already has an active objection there. The reverse recreates one
``CallObjection`` per resident with an active objection.
"""

from django.db import migrations
from django.utils import timezone


def to_privacy(apps, schema_editor):
    CallObjection = apps.get_model("outreach", "CallObjection")
    Objection = apps.get_model("privacy", "Objection")
    active = set(
        Objection.objects.filter(withdrawn_at__isnull=True).values_list("resident_id", flat=True)
    )
    Objection.objects.bulk_create(
        [
            Objection(
                municipality_id=old.municipality_id,
                resident_id=old.resident_id,
                received_on=timezone.localtime(old.recorded_at).date(),
                channel="phone",
                note="",
                recorded_by_id=old.recorded_by_id,
                recorded_at=old.recorded_at,
            )
            for old in CallObjection.objects.order_by("pk").iterator(chunk_size=1000)
            if old.resident_id not in active
        ],
        batch_size=1000,
    )


def from_privacy(apps, schema_editor):
    CallObjection = apps.get_model("outreach", "CallObjection")
    Objection = apps.get_model("privacy", "Objection")
    CallObjection.objects.bulk_create(
        [
            CallObjection(
                municipality_id=objection.municipality_id,
                resident_id=objection.resident_id,
                recorded_at=objection.recorded_at,
                recorded_by_id=objection.recorded_by_id,
            )
            for objection in Objection.objects.filter(withdrawn_at__isnull=True).order_by("pk")
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("outreach", "0002_seed_outcome_codes"),
        ("privacy", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(to_privacy, from_privacy),
        migrations.DeleteModel(name="CallObjection"),
    ]
