"""Seed the default retention terms (6/12/18 months) for the municipalities that exist now.

Municipalities created later use the same defaults until a coordinator saves their own terms
(``selectors.retention_terms``).
"""

from django.db import migrations

DEFAULTS = {"not_picked_up": 6, "picked_up": 12, "follow_up": 18}


def seed(apps, schema_editor):
    Organisation = apps.get_model("accounts", "Organisation")
    RetentionTerm = apps.get_model("privacy", "RetentionTerm")
    for municipality in Organisation.objects.filter(kind="municipality"):
        for category, months in DEFAULTS.items():
            RetentionTerm.objects.get_or_create(
                municipality=municipality, category=category, defaults={"months": months}
            )


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
