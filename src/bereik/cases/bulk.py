"""Fast inserts for batch work (the intake stores up to a million signals per run).

``bulk_create`` spends most of its time compiling SQL per object. Here the ids are allocated up
front and rows go in as plain tuples: ``COPY`` on PostgreSQL (psycopg 3), ``executemany`` on
SQLite. Callers pass database-ready values (dates, decimals, strings, ints) in ``columns`` order
and must be inside a transaction.

Ids: on PostgreSQL from the table's own sequence (safe with concurrent writers); on SQLite the
caller's write transaction holds the database's only write lock, so the ids after the current
maximum (and after those the caller still has to insert, ``after``) are free.
"""

import operator

from django.db import connection
from django.db.models import F, Lookup, Q
from django.utils import timezone


def allocate_ids(model, count: int, *, after: int = 0) -> list[int]:
    """``count`` fresh ids for ``model``; on SQLite all above ``after`` too (the caller's ids
    handed out earlier in the transaction but not inserted yet)."""
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608 (model name)
        start = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(start, row[0] if row else 0, after)
    return list(range(start + 1, start + 1 + count))


def now_value():
    """``timezone.now()`` as the database wants it in a raw insert."""
    return connection.ops.adapt_datetimefield_value(timezone.now())


def insert_rows(model, columns: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    table = model._meta.db_table
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        with (
            connection.connection.cursor() as cursor,
            cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    placeholders = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({placeholders})",  # noqa: S608
            rows,
        )


def insert(model, rows: list[dict]) -> None:
    """Insert rows given as ``{attname: value}``; every other concrete field gets its default
    (``auto_now``/``auto_now_add`` fields: now), so new fields on the model keep working. Rows
    without an id get one from the database (cheaper than ``allocate_ids`` when nobody needs
    the ids)."""
    if not rows:
        return
    fields = list(model._meta.concrete_fields)
    if model._meta.pk.attname not in rows[0]:
        fields.remove(model._meta.pk)
    now = now_value()
    defaults = {}
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults[field.attname] = now
        elif field.has_default() or field.null or field.empty_strings_allowed:
            defaults[field.attname] = field.get_db_prep_save(field.get_default(), connection)
    given = set(rows[0])
    missing = [f.attname for f in fields if f.attname not in given and f.attname not in defaults]
    if missing:
        raise ValueError(f"No value and no default for {model.__name__}: {missing}")
    values = operator.itemgetter(*[f.attname for f in fields])
    insert_rows(model, [f.column for f in fields], [values({**defaults, **row}) for row in rows])


class _AnyOf(Lookup):
    """``column = ANY(%s)`` with the values as one array parameter."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*params, self.rhs)


def one_of(field: str, values):
    """A filter ``field IN values`` for thousands of values: on PostgreSQL one array parameter
    (``= ANY(%s)``) instead of a placeholder per value, which psycopg and the planner handle much
    faster; elsewhere the usual ``__in``."""
    values = list(values)
    if values and connection.vendor == "postgresql":
        return _AnyOf(F(field), values)
    return Q(**{f"{field}__in": values})
