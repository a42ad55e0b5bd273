"""Writing the audit trail. ``record`` is the only way entries are made."""

import ipaddress

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from .context import request_origin
from .models import AuditAction, AuditEntry, AuditResult

GENESIS_HASH = "0" * 64
# Arbitrary constant naming the PostgreSQL advisory locks that serialise each chain's tail.
_CHAIN_LOCK_KEY = 0x6265  # "be"


def _chain_count() -> int:
    return max(1, getattr(settings, "AUDIT_CHAINS", 1))


def _lock_a_chain() -> int:
    """Take the tail of one of the audit chains for this transaction and return its number.

    One chain would make every writer in the country wait for every other (its tail is a single
    row everyone appends to), so the trail is ``AUDIT_CHAINS`` interleaved chains: a writer takes
    the first chain that is free. A transaction that already holds a chain gets the same one back
    (PostgreSQL's advisory locks are re-entrant), so it never waits while holding one and
    cannot deadlock. SQLite runs write transactions one at a time, so it keeps one chain.
    """
    count = _chain_count()
    if connection.vendor != "postgresql" or count == 1:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, 0)", [_CHAIN_LOCK_KEY])
        return 0
    connection.ensure_connection()
    held = getattr(connection, "bereik_audit_chain", None)
    first = held if held is not None and held < count else connection.connection.info.backend_pid
    with connection.cursor() as cursor:
        for offset in range(count):
            chain = (first + offset) % count
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [_CHAIN_LOCK_KEY, chain])
            if cursor.fetchone()[0]:
                break
        else:  # every chain busy: wait for the first choice
            chain = first % count
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_CHAIN_LOCK_KEY, chain])
    connection.bereik_audit_chain = chain
    return chain


def _normalised_origin(origin: str | None) -> str | None:
    """The address as the database gives it back, so the hash still matches when re-read.

    PostgreSQL's ``inet`` rewrites IPv6 addresses to their compressed form; an unparsable value
    (a proxy's garbage, a Unix socket) is stored as unknown rather than failing the insert.
    """
    if not origin:
        return None
    try:
        return str(ipaddress.ip_address(origin.strip()))
    except ValueError:
        return None


def record(
    *,
    actor,
    action: AuditAction,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    organisation=None,
    result: AuditResult = AuditResult.SUCCESS,
    detail: dict | None = None,
    origin: str | None = None,
    actor_label: str = "",
) -> AuditEntry:
    """Append one entry to the chain.

    ``obj`` fills object type and id; ``organisation`` defaults to the object's municipality.
    ``detail`` must never contain personal data: field names, counts and codes only.
    ``actor_label`` names an actor that is not a user (an API token) when ``actor`` is None.
    """
    organisation_id = getattr(organisation, "pk", None)
    if obj is not None:
        object_type = obj._meta.label_lower
        object_id = obj.pk
        if organisation is None:
            # The foreign key's id where there is one: loading the municipality costs a query.
            organisation_id = getattr(obj, "municipality_id", None)
            if organisation_id is None:
                organisation_id = getattr(getattr(obj, "municipality", None), "pk", None)
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    # Inside the caller's transaction no savepoint (two round trips): a failed audit entry must
    # fail the caller's whole change anyway.
    with transaction.atomic(savepoint=False):
        chain = _lock_a_chain()
        previous = (
            AuditEntry.objects.filter(chain=chain)
            .order_by("-pk")
            .values_list("entry_hash", flat=True)
            .first()
        )
        entry = AuditEntry(
            occurred_at=timezone.now(),
            actor=actor if authenticated else None,
            actor_label=actor.get_username() if authenticated else actor_label[:150],
            organisation_id=organisation_id,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            result=result,
            origin=_normalised_origin(origin or request_origin.get()),
            detail=detail or {},
            chain=chain,
            previous_hash=previous or GENESIS_HASH,
        )
        entry.entry_hash = entry.compute_hash()
        entry.save()
    return entry
