"""Reading the audit trail."""

from dataclasses import dataclass

from django.db.models import QuerySet

from .models import AuditEntry
from .services import GENESIS_HASH


@dataclass
class ChainVerification:
    checked: int
    first_broken_id: int | None

    @property
    def intact(self) -> bool:
        return self.first_broken_id is None


def verify_chain(batch_size: int = 5000) -> ChainVerification:
    """Recompute every hash in order; report the first entry whose content or link was altered."""
    previous = GENESIS_HASH
    checked = 0
    for entry in AuditEntry.objects.order_by("pk").iterator(chunk_size=batch_size):
        if entry.previous_hash != previous or entry.compute_hash() != entry.entry_hash:
            return ChainVerification(checked=checked, first_broken_id=entry.pk)
        previous = entry.entry_hash
        checked += 1
    return ChainVerification(checked=checked, first_broken_id=None)


def entries_for_object(obj) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
