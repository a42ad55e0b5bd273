"""Database triggers that make the audit table append-only, below the ORM.

The model already refuses changes; these triggers refuse them for raw SQL too, so an entry can only
be altered by someone who first drops the trigger (a schema change, itself visible to the DBA's own
logging). PostgreSQL gets a PL/pgSQL function; SQLite an equivalent ``RAISE(ABORT, ...)`` trigger.

SQLite drops a table's triggers when Django rebuilds the table for an ``ALTER``: a migration that
alters ``AuditEntry`` must call :func:`install` again. ``bereik verify_audit`` reports a missing
trigger.
"""

TABLE = "audit_auditentry"
TRIGGER = "audit_auditentry_append_only"
FUNCTION = "audit_auditentry_refuse_change"
MESSAGE = "audit entries are append-only"

_POSTGRESQL_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}: % refused on %', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation';
    END;
    $$
    """,
    f"DROP TRIGGER IF EXISTS {TRIGGER} ON {TABLE}",
    f"""
    CREATE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()
    """,
]
_POSTGRESQL_REMOVE = [
    f"DROP TRIGGER IF EXISTS {TRIGGER} ON {TABLE}",
    f"DROP FUNCTION IF EXISTS {FUNCTION}()",
]
_SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER IF NOT EXISTS {TRIGGER}_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE refused'); END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS {TRIGGER}_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE refused'); END
    """,
]
_SQLITE_REMOVE = [
    f"DROP TRIGGER IF EXISTS {TRIGGER}_update",
    f"DROP TRIGGER IF EXISTS {TRIGGER}_delete",
]


def _statements(connection, *, install: bool) -> list[str]:
    if connection.vendor == "postgresql":
        return _POSTGRESQL_INSTALL if install else _POSTGRESQL_REMOVE
    if connection.vendor == "sqlite":
        return _SQLITE_INSTALL if install else _SQLITE_REMOVE
    return []


def install(connection) -> None:
    """Install the append-only triggers (idempotent). Other database vendors are left alone."""
    with connection.cursor() as cursor:
        for sql in _statements(connection, install=True):
            cursor.execute(sql)


def remove(connection) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection, install=False):
            cursor.execute(sql)


def is_installed(connection) -> bool:
    """True when every append-only trigger exists on the audit table."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname = %s AND NOT tgisinternal"
                " AND tgenabled <> 'D'",
                [TRIGGER],
            )
            return cursor.fetchone()[0] == 1
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s"
                " AND name IN (%s, %s)",
                [TABLE, f"{TRIGGER}_update", f"{TRIGGER}_delete"],
            )
            return cursor.fetchone()[0] == 2
    return False
