"""Real lock contention for tests of "the database is busy" paths."""

import contextlib
import sqlite3

import psycopg
from django.db import connection


@contextlib.contextmanager
def queue_row_held_by_another_session(queue_entry):
    """Another session holds a write lock on the entry the agent is saving."""
    if connection.vendor == "postgresql":
        params = connection.get_connection_params()
        other = psycopg.connect(**{k: v for k, v in params.items() if k != "cursor_factory"})
        other.execute(
            "SELECT id FROM outreach_queueentry WHERE id = %s FOR UPDATE", [queue_entry.pk]
        )
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '200ms'")  # instead of waiting for ever
        try:
            yield
        finally:
            other.rollback()
            other.close()
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
        return
    # SQLite's test database is in memory with a shared cache: a second connection writing to
    # the table keeps everyone else out of it until it commits.
    other = sqlite3.connect(connection.get_connection_params()["database"], uri=True)
    other.isolation_level = None
    other.execute("BEGIN IMMEDIATE")
    other.execute(
        "UPDATE outreach_queueentry SET attempts = attempts WHERE id = ?", [queue_entry.pk]
    )
    try:
        yield
    finally:
        other.rollback()
        other.close()
