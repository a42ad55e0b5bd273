from django.db import migrations

from bereik.outreach.defaults import seed_outcome_codes


def seed(apps, schema_editor):
    seed_outcome_codes(apps.get_model("outreach", "OutcomeCode"))


class Migration(migrations.Migration):
    dependencies = [("outreach", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
