import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from bereik.audit import triggers
from bereik.audit.models import AuditAction, AuditEntry
from bereik.audit.selectors import verify_chain
from bereik.audit.services import record

from .conftest import raw_update


def test_saving_a_stored_entry_is_refused(make_entries):
    (entry,) = make_entries(1)
    entry.object_id = "999"

    with pytest.raises(PermissionError):
        entry.save()


def test_deleting_an_entry_is_refused(make_entries):
    (entry,) = make_entries(1)

    with pytest.raises(PermissionError):
        entry.delete()


def test_queryset_update_and_delete_are_refused(make_entries):
    make_entries(2)

    with pytest.raises(PermissionError):
        AuditEntry.objects.update(object_id="999")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.count() == 2


def test_migrations_installed_the_database_trigger(db):
    assert triggers.is_installed(connection)


def test_database_refuses_raw_update(make_entries):
    (entry,) = make_entries(1)

    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        raw_update(entry.pk, "object_id", "999")
    assert AuditEntry.objects.get(pk=entry.pk).object_id == "1"


def test_database_refuses_raw_delete(make_entries):
    (entry,) = make_entries(1)

    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_trigger_can_be_removed_and_reinstalled(make_entries):
    """The migration's reversal, and the repair after SQLite rebuilt the table."""
    triggers.remove(connection)
    assert not triggers.is_installed(connection)

    triggers.install(connection)
    triggers.install(connection)  # idempotent
    assert triggers.is_installed(connection)


@pytest.mark.django_db(transaction=True)
def test_flush_still_empties_the_whole_database():
    """The test runner and ``bereik flush`` wipe everything, the audit table included."""
    record(actor=None, action=AuditAction.VIEW, object_type="cases.case", object_id=1)

    call_command("flush", interactive=False, verbosity=0)

    assert not AuditEntry.objects.exists()
    assert triggers.is_installed(connection)
    assert verify_chain().intact
