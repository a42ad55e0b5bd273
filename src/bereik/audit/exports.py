"""CSV export of the audit trail. Exporting is itself recorded as an EXPORT entry."""

import csv
import json
from collections.abc import Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

from bereik.accounts.access import access_for
from bereik.accounts.roles import Permission
from bereik.portal.downloads import safe_cell

from .models import AuditAction, AuditEntry
from .selectors import AuditCriteria, chain_tail, entries_visible_to, filter_entries
from .services import record


class _Line:
    """A file-like object whose ``write`` hands the written line back, for streaming csv rows."""

    def write(self, value: str) -> str:
        return value


def _header() -> list[str]:
    return [
        _("id"),
        _("time"),
        _("actor"),
        _("organisation"),
        _("action"),
        _("object type"),
        _("object id"),
        _("result"),
        _("origin IP"),
        _("detail"),
        _("previous hash"),
        _("hash"),
    ]


def _row(entry: AuditEntry) -> list[str]:
    return [
        safe_cell(value)
        for value in (
            entry.pk,
            timezone.localtime(entry.occurred_at).isoformat(timespec="seconds"),
            entry.actor_label,
            entry.organisation.name if entry.organisation else "",
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.result,
            entry.origin,
            json.dumps(entry.detail, sort_keys=True) if entry.detail else "",
            entry.previous_hash,
            entry.entry_hash,
        )
    ]


def export_entries(*, user, criteria: AuditCriteria) -> Iterator[str]:
    """Record the export now, and return the filtered entries as CSV lines (UTF-8 with BOM).

    The file holds the entries that existed when the export was recorded, not the export's own
    entry. The EXPORT entry names the filters used and the number of rows, not the values typed in.
    """
    entries = filter_entries(entries_visible_to(user), criteria)
    tail = chain_tail()
    entries = entries.filter(pk__lte=tail.pk if tail else 0)
    rows = entries.count()
    own = access_for(user).organisations_with(Permission.VIEW_AUDIT)
    record(
        actor=user,
        action=AuditAction.EXPORT,
        object_type=AuditEntry._meta.label_lower,
        organisation=criteria.organisation or (own[0] if own else None),
        detail={"format": "csv", "filters": criteria.used(), "rows": rows},
    )
    return _lines(entries, header=_header())


def _lines(entries, *, header: list[str]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(header)
    for entry in entries.iterator(chunk_size=2000):
        yield writer.writerow(_row(entry))
