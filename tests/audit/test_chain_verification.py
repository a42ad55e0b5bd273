import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from bereik.audit.models import AuditAction, AuditEntry
from bereik.audit.selectors import verify_chain
from bereik.audit.services import GENESIS_HASH, record

from .conftest import raw_update


def test_empty_chain_is_intact(db):
    assert verify_chain().intact
    assert verify_chain().checked == 0


def test_entries_link_to_their_predecessor_and_verify(make_entries):
    first, second, third = make_entries(3)

    assert first.previous_hash == GENESIS_HASH
    assert second.previous_hash == first.entry_hash
    assert third.previous_hash == second.entry_hash
    verification = verify_chain()
    assert verification.intact
    assert verification.checked == 3


def test_hash_survives_a_round_trip_through_the_database(db):
    entry = record(
        actor=None,
        action=AuditAction.VIEW,
        object_type="cases.case",
        object_id=7,
        origin="2001:0db8:0000:0000:0000:0000:0000:0001",
        detail={"fields": ["bsn"], "count": 2},
    )
    reread = AuditEntry.objects.get(pk=entry.pk)

    assert reread.origin == "2001:db8::1"
    assert reread.compute_hash() == reread.entry_hash


def test_unparsable_origin_is_stored_as_unknown(db):
    entry = record(actor=None, action=AuditAction.LOGOUT, origin="unix:/run/gunicorn.sock")

    assert AuditEntry.objects.get(pk=entry.pk).origin is None
    assert verify_chain().intact


@pytest.mark.parametrize(
    ("column", "value"),
    [("object_id", "999"), ("action", "update"), ("detail", '{"rows": 1}'), ("actor_label", "x")],
)
def test_altered_content_is_detected(make_entries, without_triggers, column, value):
    entries = make_entries(4)

    raw_update(entries[2].pk, column, value)

    verification = verify_chain()
    assert not verification.intact
    assert verification.first_broken_id == entries[2].pk
    assert verification.checked == 2


def test_rehashed_entry_breaks_the_link_to_its_successor(make_entries, without_triggers):
    entries = make_entries(3)
    forged = AuditEntry.objects.get(pk=entries[1].pk)
    forged.object_id = "999"
    raw_update(forged.pk, "object_id", "999")
    raw_update(forged.pk, "entry_hash", forged.compute_hash())

    assert verify_chain().first_broken_id == entries[2].pk


def test_removed_entry_is_detected_at_its_successor(make_entries, without_triggers):
    entries = make_entries(3)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].pk])

    assert verify_chain().first_broken_id == entries[2].pk


def test_verification_up_to_an_entry_ignores_later_damage(make_entries, without_triggers):
    entries = make_entries(3)
    raw_update(entries[2].pk, "object_id", "999")

    assert verify_chain(up_to=entries[1].pk).intact
    assert not verify_chain(up_to=entries[2].pk).intact


def test_command_reports_an_intact_chain_and_its_newest_hash(make_entries, capsys):
    entries = make_entries(2)

    call_command("verify_audit")

    out = capsys.readouterr().out
    assert "2 entries verified" in out
    assert entries[-1].entry_hash in out


def test_command_fails_naming_the_first_broken_entry(make_entries, without_triggers):
    entries = make_entries(3)
    raw_update(entries[1].pk, "object_id", "999")

    with pytest.raises(CommandError, match=f"broken at entry {entries[1].pk}") as error:
        call_command("verify_audit")
    # run_from_argv turns the CommandError into sys.exit(returncode).
    assert error.value.returncode != 0


def test_command_warns_when_the_trigger_is_missing(make_entries, without_triggers, capsys):
    make_entries(1)

    call_command("verify_audit")

    assert "trigger" in capsys.readouterr().err


def record_on_chain(chain: int, object_id: str) -> AuditEntry:
    """Write as a connection whose last chain was ``chain`` (free, so it is taken again)."""
    connection.bereik_audit_chain = chain
    return record(
        actor=None, action=AuditAction.VIEW, object_type="cases.case", object_id=object_id
    )


@pytest.fixture
def interleaved(db):
    """Entries of chains 0 and 5 in turns: a, B, c, D, e (capitals on chain 5)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps one chain")
    return [record_on_chain(chain, str(n)) for n, chain in enumerate([0, 5, 0, 5, 0])]


def test_interleaved_chains_each_link_to_their_own_predecessor(interleaved, capsys):
    a, b, c, d, e = interleaved
    assert [x.chain for x in interleaved] == [0, 5, 0, 5, 0]
    assert a.previous_hash == GENESIS_HASH and b.previous_hash == GENESIS_HASH
    assert c.previous_hash == a.entry_hash and e.previous_hash == c.entry_hash
    assert d.previous_hash == b.entry_hash
    assert verify_chain().intact and verify_chain().checked == 5

    call_command("verify_audit")
    out = capsys.readouterr().out
    assert f"chain 0: {e.pk} {e.entry_hash}" in out
    assert f"chain 5: {d.pk} {d.entry_hash}" in out


def test_damage_in_another_chain_is_found(interleaved, without_triggers):
    _a, b, _c, _d, _e = interleaved
    raw_update(b.pk, "object_id", "999")
    assert verify_chain().first_broken_id == b.pk


def test_removal_in_another_chain_shows_at_its_successor_in_that_chain(
    interleaved, without_triggers
):
    _a, b, _c, d, _e = interleaved
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [b.pk])
    assert verify_chain().first_broken_id == d.pk
