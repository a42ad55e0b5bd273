"""Refuse UPDATE and DELETE on the audit table in the database itself (PostgreSQL and SQLite)."""

from django.db import migrations

from bereik.audit import triggers


def install_triggers(apps, schema_editor):
    if schema_editor.connection.vendor in ("postgresql", "sqlite"):
        triggers.install(schema_editor.connection)


def remove_triggers(apps, schema_editor):
    if schema_editor.connection.vendor in ("postgresql", "sqlite"):
        triggers.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install_triggers, remove_triggers, elidable=False)]
