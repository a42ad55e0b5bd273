"""Several interleaved hash chains instead of one, so writers do not all queue for one tail.

Existing entries form chain 0 and verify as before. SQLite may rebuild the table to add the
column, which drops its triggers: they are installed again.
"""

from django.db import migrations, models

from bereik.audit import triggers


def install_triggers(apps, schema_editor):
    if schema_editor.connection.vendor in ("postgresql", "sqlite"):
        triggers.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="chain",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["chain", "id"], name="audit_chain"),
        ),
        migrations.RunPython(install_triggers, migrations.RunPython.noop, elidable=False),
    ]
