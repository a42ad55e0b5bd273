"""Reading the audit trail: chain verification and what a functional administrator may see."""

import datetime
from dataclasses import dataclass

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from bereik.accounts.access import access_for
from bereik.accounts.models import Membership, Organisation
from bereik.accounts.roles import Permission

from .models import AuditEntry
from .services import GENESIS_HASH


@dataclass
class ChainVerification:
    checked: int
    first_broken_id: int | None

    @property
    def intact(self) -> bool:
        return self.first_broken_id is None


def verify_chain(batch_size: int = 5000, *, up_to: int | None = None) -> ChainVerification:
    """Recompute every hash in order; report the first entry whose content or link was altered.

    The trail is several interleaved chains (``AuditEntry.chain``); each is checked from its own
    start. With ``up_to`` only the entries up to and including that id are checked. A removed
    entry shows as a broken link at its successor in its chain; only the removal of a chain's
    newest entries cannot show here (see docs/architecture.md on anchoring the tails).
    """
    entries = AuditEntry.objects.order_by("chain", "pk")
    if up_to is not None:
        entries = entries.filter(pk__lte=up_to)
    chain, previous = None, GENESIS_HASH
    checked = 0
    for entry in entries.iterator(chunk_size=batch_size):
        if entry.chain != chain:
            chain, previous = entry.chain, GENESIS_HASH
        if entry.previous_hash != previous or entry.compute_hash() != entry.entry_hash:
            return ChainVerification(checked=checked, first_broken_id=entry.pk)
        previous = entry.entry_hash
        checked += 1
    return ChainVerification(checked=checked, first_broken_id=None)


def chain_tail() -> AuditEntry | None:
    """The newest entry of the whole trail (the boundary of a verification or an export)."""
    return AuditEntry.objects.order_by("-pk").first()


def chain_tails(up_to: int | None = None) -> list[AuditEntry]:
    """The newest entry of each chain: their hashes are what an operator anchors outside the
    database, so that removing the newest entries shows too."""
    entries = AuditEntry.objects.all()
    if up_to is not None:
        entries = entries.filter(pk__lte=up_to)
    newest = entries.values("chain").annotate(last=Max("pk")).values_list("last", flat=True)
    return list(AuditEntry.objects.filter(pk__in=list(newest)).order_by("chain"))


def entries_for_object(obj) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


def _own_organisation_ids(user) -> set[int]:
    return {o.pk for o in access_for(user).organisations_with(Permission.VIEW_AUDIT)}


def entries_visible_to(user) -> QuerySet[AuditEntry]:
    """Entries a functional administrator may browse; nothing for anyone else.

    Visible are entries about a municipality the administrator's organisation reaches, entries of
    the administrator's own organisation, and entries whose actor is (or was) a member of it.
    Entries of other organisations' staff about other municipalities never are.
    """
    access = access_for(user)
    if not access.has(Permission.VIEW_AUDIT):
        return AuditEntry.objects.none()
    own = _own_organisation_ids(user)
    members = Membership.objects.filter(organisation_id__in=own).values("user_id")
    return AuditEntry.objects.filter(
        Q(organisation_id__in=access.municipality_ids(Permission.VIEW_AUDIT) | own)
        | Q(actor_id__in=members)
    ).select_related("organisation")


def organisations_visible_to(user) -> QuerySet[Organisation]:
    """Organisations an administrator can filter the audit trail on."""
    ids = access_for(user).municipality_ids(Permission.VIEW_AUDIT) | _own_organisation_ids(user)
    return Organisation.objects.filter(pk__in=ids).order_by("name")


def object_types_in(entries: QuerySet[AuditEntry]) -> list[str]:
    return list(
        entries.exclude(object_type="")
        .order_by("object_type")
        .values_list("object_type", flat=True)
        .distinct()
    )


@dataclass(frozen=True, kw_only=True)
class AuditCriteria:
    """Filters on the audit browser; empty fields do not filter."""

    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    result: str = ""
    organisation: Organisation | None = None

    def used(self) -> list[str]:
        """Names of the filters in use: what an export records, never the values typed in."""
        return sorted(name for name, value in self.__dict__.items() if value not in (None, ""))


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def filter_entries(entries: QuerySet[AuditEntry], criteria: AuditCriteria) -> QuerySet[AuditEntry]:
    """Apply the browser's filters. Days are local (Europe/Amsterdam) calendar days, inclusive."""
    if criteria.date_from:
        entries = entries.filter(occurred_at__gte=_start_of_day(criteria.date_from))
    if criteria.date_to:
        next_day = criteria.date_to + datetime.timedelta(days=1)
        entries = entries.filter(occurred_at__lt=_start_of_day(next_day))
    if criteria.actor:
        entries = entries.filter(actor_label__icontains=criteria.actor)
    if criteria.action:
        entries = entries.filter(action=criteria.action)
    if criteria.object_type:
        entries = entries.filter(object_type=criteria.object_type)
    if criteria.object_id:
        entries = entries.filter(object_id=criteria.object_id)
    if criteria.result:
        entries = entries.filter(result=criteria.result)
    if criteria.organisation is not None:
        entries = entries.filter(organisation=criteria.organisation)
    return entries.order_by("-pk")


def entries_today(user) -> QuerySet[AuditEntry]:
    today = timezone.localdate()
    return filter_entries(entries_visible_to(user), AuditCriteria(date_from=today, date_to=today))
