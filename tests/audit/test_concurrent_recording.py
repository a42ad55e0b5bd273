import threading
from collections import Counter

import pytest
from django.db import connection

from bereik.audit.models import AuditAction, AuditEntry
from bereik.audit.selectors import verify_chain
from bereik.audit.services import GENESIS_HASH, record

THREADS = 8
ENTRIES_PER_THREAD = 15


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_extend_one_chain_without_forks():
    """Each thread has its own database connection; the advisory lock serialises the tail."""
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
    hashes = list(AuditEntry.objects.values_list("entry_hash", "previous_hash"))
    assert len(hashes) == THREADS * ENTRIES_PER_THREAD
    assert len({entry_hash for entry_hash, _ in hashes}) == len(hashes)
    uses = Counter(previous for _, previous in hashes)
    assert max(uses.values()) == 1, "two entries claim the same predecessor: the chain forked"
    assert uses[GENESIS_HASH] == 1
    verification = verify_chain()
    assert verification.intact
    assert verification.checked == THREADS * ENTRIES_PER_THREAD
