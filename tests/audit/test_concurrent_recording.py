import threading
from collections import Counter

import pytest
from django.conf import settings
from django.db import connection, transaction

from bereik.audit.models import AuditAction, AuditEntry
from bereik.audit.selectors import verify_chain
from bereik.audit.services import GENESIS_HASH, record

THREADS = 8
ENTRIES_PER_THREAD = 15


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_extend_the_chains_without_forks():
    """Each thread has its own database connection; an advisory lock per chain serialises its
    tail, and writers spread over the chains instead of all queueing for one."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; concurrency matters on PostgreSQL")
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def write(thread: int) -> None:
        try:
            start.wait()
            for n in range(ENTRIES_PER_THREAD):
                record(
                    actor=None,
                    action=AuditAction.VIEW,
                    object_type="cases.case",
                    object_id=f"{thread}-{n}",
                )
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=write, args=(i,)) for i in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    hashes = list(AuditEntry.objects.values_list("chain", "entry_hash", "previous_hash"))
    assert len(hashes) == THREADS * ENTRIES_PER_THREAD
    assert len({entry_hash for _, entry_hash, _ in hashes}) == len(hashes)
    uses = Counter((chain, previous) for chain, _, previous in hashes)
    assert max(uses.values()) == 1, "two entries claim the same predecessor: a chain forked"
    chains = {chain for chain, _, _ in hashes}
    assert len(chains) > 1, "every writer queued for one chain"
    assert all(0 <= chain < settings.AUDIT_CHAINS for chain in chains)
    assert sum(1 for (_, previous) in uses if previous == GENESIS_HASH) == len(chains)
    verification = verify_chain()
    assert verification.intact
    assert verification.checked == THREADS * ENTRIES_PER_THREAD


@pytest.mark.django_db(transaction=True)
def test_one_transaction_stays_on_one_chain_while_others_write():
    """A transaction that already holds a chain gets it again, so it never waits holding one."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one chain")
    holding = threading.Event()
    done = threading.Event()
    chains: list[int] = []

    def long_transaction() -> None:
        try:
            with transaction.atomic():
                first = record(actor=None, action=AuditAction.VIEW, object_id="long-1")
                holding.set()
                done.wait(timeout=10)
                second = record(actor=None, action=AuditAction.VIEW, object_id="long-2")
                chains.extend([first.chain, second.chain])
        finally:
            connection.close()

    worker = threading.Thread(target=long_transaction)
    worker.start()
    assert holding.wait(timeout=10)
    # Meanwhile this connection writes without waiting for the open transaction's chain.
    others = [record(actor=None, action=AuditAction.VIEW, object_id=f"o-{n}") for n in range(5)]
    done.set()
    worker.join()
    assert chains[0] == chains[1]
    assert chains[0] not in {entry.chain for entry in others}
    assert verify_chain().intact
