"""Writes of the privacy app: retention terms, legal holds, objections and the retention purge.

Every change is audited; audit details carry codes and counts, never personal data.
"""

import datetime
from collections import Counter
from collections.abc import Iterable

import structlog
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from bereik.accounts.models import Organisation
from bereik.accounts.roles import OrganisationKind
from bereik.audit.models import AuditAction, AuditResult
from bereik.audit.services import record
from bereik.cases.models import Case, PhoneNumber, Resident, Signal
from bereik.cases.workflow import CaseTransition

from . import registry, selectors
from .models import (
    MAX_TERM_MONTHS,
    LegalHold,
    Objection,
    PurgedCase,
    PurgeRun,
    RetentionCategory,
    RetentionTerm,
)

logger = structlog.get_logger(__name__)

DEFAULT_BATCH_SIZE = 500


class PrivacyError(Exception):
    """A request the privacy rules refuse; the message is fit for the user."""


# --- retention terms --------------------------------------------------------------------------


def validate_term(months) -> int:
    if months is None or int(months) < 1:
        raise ValidationError(
            _(
                "A retention term must be at least 1 month. A term of zero would delete the "
                "data of cases the day they close; choose at least 1 month."
            ),
            code="term_too_short",
        )
    if int(months) > MAX_TERM_MONTHS:
        raise ValidationError(
            _("A retention term can be at most %(max)d months.") % {"max": MAX_TERM_MONTHS},
            code="term_too_long",
        )
    return int(months)


def set_retention_terms(*, municipality, terms: dict[str, int], actor) -> None:
    """Store the municipality's terms (months per category). Refuses zero or negative terms."""
    cleaned = {
        RetentionCategory(category): validate_term(months) for category, months in terms.items()
    }
    before = selectors.retention_terms(municipality)
    with transaction.atomic():
        for category, months in cleaned.items():
            RetentionTerm.objects.update_or_create(
                municipality=municipality,
                category=category,
                defaults={"months": months, "updated_by": actor},
            )
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type=RetentionTerm._meta.label_lower,
            organisation=municipality,
            detail={
                "terms": {
                    category.value: [before[category], months]
                    for category, months in cleaned.items()
                }
            },
        )


# --- legal holds ------------------------------------------------------------------------------


def place_legal_hold(*, case, reason: str, actor) -> LegalHold:
    reason = reason.strip()
    if not reason:
        raise PrivacyError(_("Give the reason for the legal hold."))
    with transaction.atomic():
        Case.objects.select_for_update().get(pk=case.pk)
        if PurgedCase.objects.filter(case=case).exists():
            raise PrivacyError(_("This case has already been purged; there is nothing to hold."))
        if LegalHold.objects.filter(case=case, lifted_at__isnull=True).exists():
            raise PrivacyError(_("This case is already under a legal hold."))
        hold = LegalHold.objects.create(
            municipality_id=case.municipality_id,
            case=case,
            reason=reason,
            placed_by=actor,
            placed_at=timezone.now(),
        )
        record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=hold,
            detail={"case": case.pk, "legal_hold": "placed"},
        )
    return hold


def lift_legal_hold(*, case, reason: str, actor) -> LegalHold:
    reason = reason.strip()
    if not reason:
        raise PrivacyError(_("Give the reason for lifting the legal hold."))
    with transaction.atomic():
        hold = (
            LegalHold.objects.select_for_update().filter(case=case, lifted_at__isnull=True).first()
        )
        if hold is None:
            raise PrivacyError(_("This case is not under a legal hold."))
        hold.lifted_at = timezone.now()
        hold.lifted_by = actor
        hold.lift_reason = reason
        hold.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=hold,
            detail={"case": case.pk, "legal_hold": "lifted"},
        )
    return hold


# --- objections -------------------------------------------------------------------------------


def record_objection(
    *, resident, received_on: datetime.date, channel: str, note: str = "", actor
) -> Objection:
    """Record that the resident objects to being contacted. One active objection per resident."""
    if received_on > timezone.localdate():
        raise PrivacyError(_("The date an objection was received cannot lie in the future."))
    with transaction.atomic():
        Resident.objects.select_for_update().get(pk=resident.pk)
        if Objection.objects.filter(resident=resident, withdrawn_at__isnull=True).exists():
            raise PrivacyError(_("An objection of this resident is already recorded."))
        objection = Objection.objects.create(
            municipality_id=resident.municipality_id,
            resident=resident,
            received_on=received_on,
            channel=channel,
            note=note.strip(),
            recorded_by=actor,
            recorded_at=timezone.now(),
        )
        record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=objection,
            detail={"resident": resident.pk, "channel": channel, "objection": "recorded"},
        )
    logger.info("objection_recorded", objection_id=objection.pk, channel=channel)
    return objection


def withdraw_objection(
    *, resident, withdrawn_on: datetime.date, channel: str, note: str = "", actor
) -> Objection:
    """Record the withdrawal of the resident's active objection: contact is allowed again."""
    with transaction.atomic():
        objection = (
            Objection.objects.select_for_update()
            .filter(resident=resident, withdrawn_at__isnull=True)
            .first()
        )
        if objection is None:
            raise PrivacyError(_("This resident has no objection to withdraw."))
        if withdrawn_on < objection.received_on:
            raise PrivacyError(_("An objection cannot be withdrawn before it was received."))
        if withdrawn_on > timezone.localdate():
            raise PrivacyError(_("The date of withdrawal cannot lie in the future."))
        objection.withdrawn_on = withdrawn_on
        objection.withdrawal_channel = channel
        objection.withdrawal_note = note.strip()
        objection.withdrawn_by = actor
        objection.withdrawn_at = timezone.now()
        objection.save(
            update_fields=[
                "withdrawn_on",
                "withdrawal_channel",
                "withdrawal_note",
                "withdrawn_by",
                "withdrawn_at",
            ]
        )
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=objection,
            detail={"resident": resident.pk, "channel": channel, "objection": "withdrawn"},
        )
    logger.info("objection_withdrawn", objection_id=objection.pk, channel=channel)
    return objection


# --- the retention purge ----------------------------------------------------------------------


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _purge_cases(case_ids: list[int]) -> Counter:
    """Personal data that belongs to the cases themselves."""
    counts: Counter = Counter()
    counts["signals"] = Signal.objects.filter(case_id__in=case_ids).update(
        external_id="", fingerprint=Concat(Value("purged:"), Cast("pk", CharField()))
    )
    counts["transition_reasons"] = (
        CaseTransition.objects.filter(case_id__in=case_ids).exclude(reason="").update(reason="")
    )
    Case.objects.filter(pk__in=case_ids).update(
        reference=Concat(Value("ANON-"), Cast("pk", CharField()))
    )
    LegalHold.objects.filter(case_id__in=case_ids).update(reason="", lift_reason="")
    return counts


def _purge_residents(resident_ids: list[int], now) -> Counter:
    """Personal data that belongs to the residents: everything that names or reaches them."""
    counts: Counter = Counter()
    counts["phone_numbers"], _by_model = PhoneNumber.objects.filter(
        resident_id__in=resident_ids
    ).delete()
    counts["signals"] += Signal.objects.filter(
        resident_id__in=resident_ids, case__isnull=True
    ).update(external_id="", fingerprint=Concat(Value("purged:"), Cast("pk", CharField())))
    counts["objection_notes"] = Objection.objects.filter(resident_id__in=resident_ids).update(
        note="", withdrawal_note=""
    )
    counts["residents"] = Resident.objects.filter(
        pk__in=resident_ids, anonymised_at__isnull=True
    ).update(
        bsn="",
        initials="",
        surname_prefix="",
        surname="",
        birth_date=None,
        street="",
        house_number=None,
        house_number_addition="",
        postcode="",
        city="",
        email="",
        anonymised_at=now,
    )
    return counts


def _purge_batch(run: PurgeRun, batch: list[tuple[int, str]]) -> Counter:
    """Purge one batch of cases in one transaction: all of it, or (on any error) nothing."""
    now = timezone.now()
    counts: Counter = Counter()
    with transaction.atomic():
        ids = [pk for pk, _ in batch]
        rows = {
            pk: (resident_id, matched_on, birth_date, postcode)
            for pk, resident_id, matched_on, birth_date, postcode in Case.objects.select_for_update(
                of=("self",)
            )
            .filter(pk__in=ids)
            .values_list(
                "pk", "resident_id", "matched_on", "resident__birth_date", "resident__postcode"
            )
        }
        # Re-checked under the lock: purged by a concurrent run, or put on hold since planning.
        done = set(PurgedCase.objects.filter(case_id__in=ids).values_list("case_id", flat=True))
        held = selectors.held_case_ids(ids)
        todo = [(pk, cat) for pk, cat in batch if pk in rows and pk not in done | held]
        if not todo:
            return counts
        case_ids = [pk for pk, _ in todo]
        PurgedCase.objects.bulk_create(
            [
                PurgedCase(
                    case_id=pk,
                    municipality_id=run.municipality_id,
                    run=run,
                    category=category,
                    purged_at=now,
                    age_band=selectors.age_band(rows[pk][2], rows[pk][1]),
                    postcode_area=selectors.postcode_area(rows[pk][3]),
                )
                for pk, category in todo
            ]
        )
        counts.update(_purge_cases(case_ids))
        # A resident is anonymised once every case of theirs is purged (this batch included).
        candidates = {rows[pk][0] for pk in case_ids}
        blocked = set(
            Case.objects.filter(resident_id__in=candidates, purge__isnull=True).values_list(
                "resident_id", flat=True
            )
        )
        resident_ids = sorted(
            Resident.objects.filter(
                pk__in=candidates - blocked, anonymised_at__isnull=True
            ).values_list("pk", flat=True)
        )
        counts.update(_purge_residents(resident_ids, now))
        for name, purger in registry.purgers().items():
            for category, number in (
                purger(case_ids=case_ids, resident_ids=resident_ids) or {}
            ).items():
                counts[f"{name}.{category}"] += number
        counts["cases"] = len(case_ids)
        by_category = Counter(run.by_category)
        by_category.update(category for _, category in todo)
        total = Counter(run.counts)
        total.update(counts)
        PurgeRun.objects.filter(pk=run.pk).update(
            cases_purged=run.cases_purged + len(case_ids),
            batches=run.batches + 1,
            counts=dict(total),
            by_category=dict(by_category),
        )
    run.refresh_from_db()
    logger.info("privacy_purge_batch", run_id=run.pk, cases=len(case_ids))
    return counts


def _sweep(run: PurgeRun, terms: dict[str, int], today: datetime.date) -> None:
    """Personal data that belongs to no single case (``registry.register_sweeper``)."""
    counts: Counter = Counter()
    with transaction.atomic():
        for name, sweeper in registry.sweepers().items():
            for key, count in sweeper(
                municipality=run.municipality, terms=terms, today=today
            ).items():
                counts[f"{name}.{key}"] += count
        if counts:
            total = Counter(run.counts)
            total.update(counts)
            PurgeRun.objects.filter(pk=run.pk).update(counts=dict(total))
    run.refresh_from_db()


def purge_municipality(
    *,
    municipality,
    today: datetime.date | None = None,
    actor=None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> PurgeRun:
    """Purge the personal data of the municipality's cases past their retention term.

    Works in batches, each in its own transaction that also writes the ``PurgedCase`` markers, so
    an interrupted run leaves whole batches done and the rest untouched; the next run skips what
    is marked. Cases under a legal hold are skipped and counted. The run is audited (counts only).
    """
    today = today or timezone.localdate()
    plan = selectors.purge_plan(municipality, today)
    run = PurgeRun.objects.create(
        municipality=municipality,
        started_at=timezone.now(),
        reference_date=today,
        started_by=actor if getattr(actor, "is_authenticated", False) else None,
        skipped_legal_hold=len(plan.held),
    )
    logger.info(
        "privacy_purge_started", run_id=run.pk, municipality_id=municipality.pk, due=len(plan.due)
    )
    try:
        for batch in _chunks(plan.due, batch_size):
            _purge_batch(run, batch)
        _sweep(run, plan.terms, today)
    except Exception:
        run.refresh_from_db()
        run.status = PurgeRun.Status.FAILED
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at"])
        _audit_run(run, actor, result=AuditResult.FAILED)
        logger.exception("privacy_purge_failed", run_id=run.pk, cases_purged=run.cases_purged)
        raise
    run.status = PurgeRun.Status.DONE
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "finished_at"])
    _audit_run(run, actor, result=AuditResult.SUCCESS)
    logger.info(
        "privacy_purge_finished",
        run_id=run.pk,
        cases_purged=run.cases_purged,
        skipped_legal_hold=run.skipped_legal_hold,
    )
    return run


def _audit_run(run: PurgeRun, actor, *, result: AuditResult) -> None:
    record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=run,
        result=result,
        detail={
            "cases_purged": run.cases_purged,
            "skipped_legal_hold": run.skipped_legal_hold,
            "by_category": run.by_category,
            "counts": run.counts,
            "reference_date": run.reference_date.isoformat(),
        },
    )


def purge_all(
    *, today: datetime.date | None = None, actor=None, batch_size: int = DEFAULT_BATCH_SIZE
) -> list[PurgeRun]:
    """The daily purge: every active municipality in turn; one failing does not stop the rest."""
    runs = []
    failed = []
    for municipality in Organisation.objects.filter(
        kind=OrganisationKind.MUNICIPALITY, is_active=True
    ).order_by("pk"):
        try:
            runs.append(
                purge_municipality(
                    municipality=municipality, today=today, actor=actor, batch_size=batch_size
                )
            )
        except Exception:
            failed.append(municipality.pk)
    if failed:
        raise PrivacyError(
            _("The purge failed for %(count)d municipalities; the next run resumes.")
            % {"count": len(failed)}
        )
    return runs
