"""Fast inserts for batch work (the intake stores up to a million signals per run).

``bulk_create`` spends most of its time compiling SQL per object. Here the ids are allocated up
front and rows go in as plain tuples: ``COPY`` on PostgreSQL (psycopg 3), ``executemany`` on
SQLite. Callers pass database-ready values (dates, decimals, strings, ints) in ``columns`` order
and must be inside a transaction.

Ids: on PostgreSQL from the table's own sequence (safe with concurrent writers); on SQLite the
caller's write transaction holds the database's only write lock, so the ids after the current
maximum (and after those the caller still has to insert, ``after``) are free.
"""

import datetime
import operator
from decimal import Decimal

from django.db import connection
from django.db.models import F, Lookup, Model, Q
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


# Python values psycopg's binary COPY takes for a column type, by exact type (``bool`` is an
# ``int``, a ``datetime`` a ``date``): anything else goes in as text.
_BINARY_VALUES = {
    "int2": int,
    "int4": int,
    "int8": int,
    "varchar": str,
    "text": str,
    "numeric": Decimal,
    "date": datetime.date,
    "timestamptz": datetime.datetime,
    "bool": bool,
}
_column_types: dict[tuple[str, str], dict[str, tuple[str, int]]] = {}


def _binary_types(table: str, columns: list[str], rows: list[tuple]) -> list[int] | None:
    """The type oids for a binary ``COPY`` of ``rows``, or None when a column's type or one of
    its values is not one binary copying is known to take (every value is checked: one value of
    another type would fail the whole import). Binary saves the client's text formatting and the
    server's parsing of dates and numbers (about half of a ``COPY``)."""
    key = (connection.settings_dict["NAME"], table)
    if key not in _column_types:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT a.attname, t.typname, t.oid FROM pg_attribute a "
                "JOIN pg_type t ON t.oid = a.atttypid "
                "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped",
                [connection.ops.quote_name(table)],
            )
            _column_types[key] = {name: (kind, oid) for name, kind, oid in cursor.fetchall()}
    known = _column_types[key]
    oids = []
    for column, values in zip(columns, zip(*rows, strict=True), strict=True):
        kind, oid = known[column]
        expected = _BINARY_VALUES.get(kind)
        if expected is None or not set(map(type, values)) <= {expected, type(None)}:
            return None
        oids.append(oid)
    return oids


def insert_rows(model, columns: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    table = model._meta.db_table
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        types = _binary_types(table, columns, rows)
        options = " (FORMAT BINARY)" if types else ""
        statement = f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN{options}"
        with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
            if types:
                copy.set_types(types)
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


def probe(model, columns: list[str], field: str, values, *, any_of=None, **equal) -> list[tuple]:
    """``values_list(*columns)`` of the rows with ``field`` in ``values`` and ``equal`` (column:
    value) equal, for looking up thousands of keys in an index that starts with ``equal``'s
    columns followed by ``field``. ``any_of`` ({column: values}) narrows the rows found further
    (``column IN values``).

    On PostgreSQL one index probe per value (``unnest`` joined ``LATERAL``). The plain
    ``field = ANY(...)`` filter lets the planner scan every row of the ``equal`` prefix instead
    when its statistics say the prefix is small, which they do for a municipality or source whose
    rows this transaction is still inserting: that made each look-up cost grow with the rows
    stored so far (quadratic over a large run). ``OFFSET 0`` keeps the planner from turning the
    probes back into a join over that prefix, and ``any_of`` out of the probe's index
    conditions. Elsewhere the usual ``filter``."""
    values = list(values)
    any_of = {name: list(allowed) for name, allowed in (any_of or {}).items()}
    if not values or not all(any_of.values()):
        return []
    if connection.vendor != "postgresql":
        narrowed = {f"{name}__in": allowed for name, allowed in any_of.items()}
        rows = model._default_manager.filter(**{f"{field}__in": values}, **narrowed, **equal)
        return list(rows.values_list(*columns))
    meta = model._meta
    quote = connection.ops.quote_name
    inner = ", ".join(quote(meta.get_field(c).column) for c in {*columns, *any_of})
    selected = ", ".join(f"t.{quote(meta.get_field(c).column)}" for c in columns)
    probed = meta.get_field(field)
    conditions = [f"{quote(probed.column)} = v.value"]
    params = [values]
    for name, value in equal.items():
        conditions.append(f"{quote(meta.get_field(name).column)} = %s")
        params.append(value.pk if isinstance(value, Model) else value)
    where = " AND ".join(conditions)
    sql = (
        f"SELECT {selected} FROM unnest(%s::{probed.db_type(connection)}[]) AS v(value) "  # noqa: S608
        f"CROSS JOIN LATERAL (SELECT {inner} FROM {quote(meta.db_table)} WHERE {where} OFFSET 0) t"
    )
    if any_of:
        narrow = []
        for name, allowed in any_of.items():
            narrow.append(f"t.{quote(meta.get_field(name).column)} = ANY(%s)")
            params.append(allowed)
        sql += " WHERE " + " AND ".join(narrow)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
