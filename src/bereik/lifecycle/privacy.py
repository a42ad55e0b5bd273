"""The lifecycle app's part in the retention purge, the exit export and the inzage
(``docs/privacy.md``). Registered from ``LifecycleConfig.ready``.

Proposals hold facts about a resident (case references, dates, arrears) and the coordinator's
note: the purge empties both and keeps the rule, the action, the status, who decided and when.
Closure batches and their items hold only ids, states and end results and are kept.
"""

from django.db.models import Q

from bereik.privacy.registry import Column, Table

from .models import ClosureItem, Proposal


def purge_lifecycle(*, case_ids: list[int], resident_ids: list[int]) -> dict[str, int]:
    proposals = (
        Proposal.objects.filter(
            Q(case_id__in=list(case_ids)) | Q(resident_id__in=list(resident_ids))
        )
        .exclude(facts={}, note="")
        .update(facts={}, note="")
    )
    return {"proposals": proposals}


PROPOSAL_COLUMNS = [
    ("id", "Internal id."),
    ("case_id", "The case the proposal acts on (cases.id)."),
    ("resident_id", "The resident (residents.id)."),
    ("rule", "re_approach_refuser, refer_unreached or refer_growing_arrears."),
    ("action", "re_approach or referral."),
    ("facts", "What triggered the proposal (JSON); empty once purged."),
    ("status", "pending, confirmed or rejected."),
    ("created_at", "When proposed, ISO 8601."),
    ("decided_at", "When confirmed or rejected, ISO 8601."),
    ("decided_by", "User name of the coordinator who decided."),
    ("note", "The coordinator's note; empty once purged."),
]
CLOSURE_COLUMNS = [
    ("id", "Internal id."),
    ("batch_id", "The month-end closure batch."),
    ("month", "The closed matching period (first day of the month)."),
    ("case_id", "The case (cases.id)."),
    ("resident_id", "The resident (residents.id)."),
    ("previous_state", "The case's state before the closure."),
    ("end_result", "The DDAS end result the closure gave."),
    ("closed_at", "When the batch ran, ISO 8601."),
    ("undone_at", "When the batch was undone, ISO 8601; empty if not."),
    ("restored", "Whether undo put this case back."),
]
LOOKUPS = {
    "proposal": {"rule": "rule__kind", "decided_by": "decided_by__username"},
    "closure": {
        "month": "batch__month",
        "resident_id": "case__resident_id",
        "closed_at": "batch__closed_at",
        "undone_at": "batch__undone_at",
    },
}


def _rows(queryset, columns, lookups):
    names = [name for name, _text in columns]
    fields = [lookups.get(name, name) for name in names]
    for values in queryset.order_by("pk").values_list(*fields).iterator(chunk_size=2000):
        yield dict(zip(names, values, strict=True))


def export_lifecycle(*, municipality, resident_ids: list[int] | None) -> list[Table]:
    proposals = Proposal.objects.filter(municipality=municipality)
    items = ClosureItem.objects.filter(batch__municipality=municipality)
    if resident_ids is not None:
        proposals = proposals.filter(resident_id__in=resident_ids)
        items = items.filter(case__resident_id__in=resident_ids)
    return [
        Table(
            name="lifecycle_proposals",
            description="Re-approach and referral proposals of the rules, with the decision.",
            columns=[Column(name, text) for name, text in PROPOSAL_COLUMNS],
            rows=_rows(proposals, PROPOSAL_COLUMNS, LOOKUPS["proposal"]),
        ),
        Table(
            name="lifecycle_closed_cases",
            description="Cases closed by a month-end closure, with the state before it.",
            columns=[Column(name, text) for name, text in CLOSURE_COLUMNS],
            rows=_rows(items, CLOSURE_COLUMNS, LOOKUPS["closure"]),
        ),
    ]
