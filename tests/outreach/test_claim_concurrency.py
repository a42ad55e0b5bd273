"""No two agents ever get the same case: many agents claiming at once, each on its own database
connection, on SQLite and on PostgreSQL.

On SQLite the test database is an in-memory database shared between connections, which SQLite
locks per table without waiting; production SQLite is a file in WAL mode. The workers therefore
run against a file copy of the test database, like a real installation.
"""

import contextlib
import sqlite3
import threading
from collections import Counter

import pytest
from django.db import connection, connections

from bereik.accounts.roles import Role
from bereik.outreach import services
from bereik.outreach.models import QueueEntry
from bereik.outreach.services import OutcomeInput

from .conftest import TUESDAY_MORNING as NOW

pytestmark = pytest.mark.django_db(transaction=True)


@contextlib.contextmanager
def worker_database(tmp_path):
    """Point the connections that worker threads open at a database they can share."""
    if connection.vendor != "sqlite":
        yield
        return
    settings_dict = connections.settings["default"]
    original = settings_dict["NAME"]
    path = str(tmp_path / "workers.sqlite3")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [path])
    # The copy starts in rollback-journal mode. Switch it to WAL (as a production file already
    # is) before the workers connect: otherwise their simultaneous first connections all try to
    # switch it (the connection's init_command) and one can fail at once with "database is
    # locked", whatever the busy timeout.
    with contextlib.closing(sqlite3.connect(path)) as database:
        database.execute("PRAGMA journal_mode=WAL")
    settings_dict["NAME"] = path
    try:
        yield
    finally:
        settings_dict["NAME"] = original


def run_concurrently(agents, work):
    """Start one thread per agent at the same instant; return {agent id: result}."""
    barrier = threading.Barrier(len(agents))
    results, errors = {}, []

    def run(agent):
        try:
            barrier.wait()
            results[agent.pk] = work(agent)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(agent,)) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def in_worker(query):
    """Run a read on a worker connection (the file copy on SQLite)."""
    box = {}

    def run():
        try:
            box["value"] = query()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return box["value"]


@pytest.fixture
def agents(make_member, contact_centre):
    return [make_member(Role.AGENT, contact_centre) for _ in range(16)]


def test_simultaneous_claims_never_share_a_case(make_entry, agents, tmp_path):
    for _ in range(6):
        make_entry()
    with worker_database(tmp_path):
        claimed = run_concurrently(
            agents, lambda agent: getattr(services.claim_next(agent=agent, now=NOW), "pk", None)
        )
        holders = in_worker(
            lambda: dict(
                QueueEntry.objects.filter(locked_by__isnull=False).values_list("pk", "locked_by")
            )
        )
    won = [pk for pk in claimed.values() if pk is not None]
    assert len(won) == 6
    assert len(set(won)) == 6, Counter(won)
    assert holders == {pk: agent_id for agent_id, pk in claimed.items() if pk is not None}


def test_agents_working_the_queue_each_get_every_case_exactly_once(
    make_entry, agents, outcomes, tmp_path
):
    for _ in range(64):
        make_entry()
    reached = outcomes["bereikt"]

    def work(agent):
        mine = []
        while (entry := services.claim_next(agent=agent, now=NOW)) is not None:
            mine.append(entry.pk)
            services.record_outcome(
                agent=agent,
                entry=entry,
                token=entry.lock_token,
                data=OutcomeInput(
                    reached,
                    phone_number=entry.current_number,
                    help_requested=False,
                    no_help_reason="no_interest",
                ),
                now=NOW,
            )
        return mine

    with worker_database(tmp_path):
        results = run_concurrently(agents, work)
        closed = in_worker(
            lambda: QueueEntry.objects.filter(status=QueueEntry.Status.CLOSED).count()
        )
    claims = [pk for mine in results.values() for pk in mine]
    duplicates = [pk for pk, n in Counter(claims).items() if n > 1]
    assert duplicates == []
    assert len(claims) == 64
    assert closed == 64
    assert sum(1 for mine in results.values() if mine) > 1  # the work was really shared
