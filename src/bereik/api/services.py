"""Writes of the API app: tokens, webhook subscriptions, signal batches and telephony calls."""

import datetime as dt
import secrets
from dataclasses import dataclass, field
from types import SimpleNamespace

import structlog
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bereik.audit.models import AuditAction
from bereik.audit.services import record
from bereik.cases.models import Case, Signal
from bereik.intake import columns as c
from bereik.intake.columns import ColumnMap
from bereik.intake.models import ImportRun
from bereik.intake.readers import Record, SignalFile
from bereik.intake.rows import Severity, fingerprint_for
from bereik.intake.services import process_signal_file
from bereik.outreach import services as outreach_services
from bereik.outreach.models import ContactAttempt, OutcomeCode, QueueEntry
from bereik.outreach.selectors import UnparsableNumber, normalise_number

from . import tokens
from .models import ApiToken, Scope, TelephonyCall, WebhookSubscription

log = structlog.get_logger()


# --- tokens ------------------------------------------------------------------------------------


def create_token(
    *, actor, organisation, name: str, scopes: list[str], expires_at: dt.datetime | None
) -> tuple[ApiToken, str]:
    """Make a token; returns it with its secret, which is not stored and cannot be shown again."""
    unknown = set(scopes) - set(Scope.values)
    if unknown:
        raise ValidationError(_("Unknown scopes: %(scopes)s") % {"scopes": ", ".join(unknown)})
    secret, prefix, secret_hash = tokens.new_token()
    token = ApiToken.objects.create(
        name=name.strip(),
        organisation=organisation,
        scopes=sorted(set(scopes)),
        prefix=prefix,
        secret_hash=secret_hash,
        created_by=actor,
        expires_at=expires_at,
    )
    record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=token,
        organisation=organisation,
        detail={"scopes": token.scopes, "expires": bool(expires_at)},
    )
    log.info("api_token_created", token_id=token.pk, organisation_id=organisation.pk)
    return token, secret


def revoke_token(*, actor, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = actor
        token.save(update_fields=["revoked_at", "revoked_by"])
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=token,
            organisation=token.organisation,
            detail={"revoked": True},
        )
    return token


# --- webhook subscriptions ---------------------------------------------------------------------


def create_subscription(
    *, token: ApiToken, url: str, events: list[str]
) -> tuple[WebhookSubscription, str]:
    secret = secrets.token_hex(32)
    subscription = WebhookSubscription.objects.create(
        organisation=token.organisation,
        url=url,
        events=sorted(set(events)),
        secret=secret,
        created_by_token=token,
    )
    record(
        actor=None,
        actor_label=token.audit_label,
        action=AuditAction.CREATE,
        obj=subscription,
        organisation=token.organisation,
        detail={"events": subscription.events},
    )
    return subscription, secret


def update_subscription(
    *, token: ApiToken, subscription: WebhookSubscription, changes: dict
) -> WebhookSubscription:
    for name, value in changes.items():
        setattr(subscription, name, sorted(set(value)) if name == "events" else value)
    subscription.save()
    record(
        actor=None,
        actor_label=token.audit_label,
        action=AuditAction.UPDATE,
        obj=subscription,
        organisation=token.organisation,
        detail={"fields": sorted(changes)},
    )
    return subscription


def delete_subscription(*, token: ApiToken, subscription: WebhookSubscription) -> None:
    record(
        actor=None,
        actor_label=token.audit_label,
        action=AuditAction.DELETE,
        obj=subscription,
        organisation=token.organisation,
    )
    subscription.delete()


# --- signals -----------------------------------------------------------------------------------

# API field (camelCase) -> canonical intake column.
SIGNAL_FIELDS = {
    "signalId": c.SIGNAL_ID,
    "partnerType": c.PARTNER_TYPE,
    "partnerName": c.PARTNER_NAME,
    "amount": c.AMOUNT,
    "arrearsSince": c.ARREARS_SINCE,
    "signalDate": c.SIGNAL_DATE,
    "crisis": c.CRISIS,
    "warmHandover": c.WARM_HANDOVER,
    "bsn": c.BSN,
    "initials": c.INITIALS,
    "surnamePrefix": c.PREFIX,
    "surname": c.SURNAME,
    "birthDate": c.BIRTH_DATE,
    "street": c.STREET,
    "houseNumber": c.HOUSE_NUMBER,
    "houseNumberAddition": c.ADDITION,
    "postcode": c.POSTCODE,
    "city": c.CITY,
    "email": c.EMAIL,
}
PHONE_FIELD = "phoneNumbers"
API_LABELS = {canonical: name for name, canonical in SIGNAL_FIELDS.items()} | {c.PHONE: PHONE_FIELD}


@dataclass
class ItemResult:
    index: int
    signal_id: str
    status: str = "created"  # created | duplicate | rejected
    case_reference: str | None = None
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)


@dataclass
class BatchResult:
    run: ImportRun
    items: list[ItemResult]

    def count(self, status: str) -> int:
        return sum(1 for item in self.items if item.status == status)


def _fingerprint(signal_id: str) -> str:
    """The intake's idempotency key of a signal with this ID (only the ID counts then)."""
    return fingerprint_for(SimpleNamespace(external_id=signal_id))


def deliver_signals(
    *,
    token: ApiToken,
    municipality,
    source: str,
    items: list[dict],
    all_or_nothing: bool = False,
    today: dt.date | None = None,
) -> BatchResult:
    """Import a batch of signals through the intake (the same parsing, matching and routing as
    a file), as an import run visible in the intake screens. Idempotent by ``signalId`` per
    source: a signal delivered before is reported as ``duplicate`` with its case."""
    run = ImportRun.objects.create(
        municipality=municipality,
        source=source,
        file_name=f"API: {token.name}"[:255],
        mode=ImportRun.Mode.ALL_OR_NOTHING if all_or_nothing else ImportRun.Mode.VALID_ROWS,
    )
    signal_ids = [str(item.get("signalId") or "").strip() for item in items]
    fingerprints = {sid: _fingerprint(sid) for sid in signal_ids if sid}
    stored_before = set(
        Signal.objects.filter(
            municipality=municipality, source=source, fingerprint__in=fingerprints.values()
        ).values_list("fingerprint", flat=True)
    )
    records = []
    for index, item in enumerate(items):
        values = {SIGNAL_FIELDS[name]: value for name, value in item.items() if name != PHONE_FIELD}
        records.append(Record(index, values, list(item.get(PHONE_FIELD) or [])))
    signal_file = SignalFile(
        format="api",
        column_map=ColumnMap(headers=[]),
        records=iter(records),
        label_overrides=API_LABELS,
    )
    run = process_signal_file(run, signal_file, today=today)

    results = [ItemResult(index=i, signal_id=sid) for i, sid in enumerate(signal_ids)]
    for row, column, message, severity in run.issues.values_list(
        "row", "column", "message", "severity"
    ):
        if row is None or not 0 <= row < len(results):
            continue
        entry = {"index": row, "field": column, "message": message}
        if severity == Severity.ERROR:
            results[row].errors.append(entry)
            results[row].status = "rejected"
        else:
            results[row].warnings.append(entry)
    cases = dict(
        Signal.objects.filter(
            municipality=municipality, source=source, fingerprint__in=fingerprints.values()
        ).values_list("fingerprint", "case__reference")
    )
    seen: set[str] = set()
    for result in results:
        fingerprint = fingerprints.get(result.signal_id)
        if result.status == "rejected":
            continue
        if run.status == ImportRun.Status.FAILED:
            result.status = "rejected"
            continue
        if fingerprint in stored_before or fingerprint in seen:
            result.status = "duplicate"
        seen.add(fingerprint)
        result.case_reference = cases.get(fingerprint)
    return BatchResult(run=run, items=results)


# --- telephony ---------------------------------------------------------------------------------


class CallNotMatched(Exception):
    def __init__(self, message: str, *, conflict: bool = False):
        super().__init__(message)
        self.message = message
        self.conflict = conflict


@dataclass
class CallReport:
    call_id: str
    phone_number: str
    started_at: dt.datetime
    duration_seconds: int
    result_code: str
    direction: str = ContactAttempt.Direction.OUTBOUND
    case_reference: str = ""
    help_requested: bool | None = None
    no_help_reason: str = ""
    preferred_contact_time: str = ""
    summary: str = ""
    callback_at: dt.datetime | None = None


def _match_entry(municipality_ids: set[int], e164: str, case_reference: str) -> QueueEntry:
    cases = Case.objects.filter(
        municipality_id__in=municipality_ids,
        resident__phone_numbers__e164=e164,
        queue_entry__isnull=False,
    )
    if case_reference:
        cases = cases.filter(reference=case_reference)
    ids = list(cases.values_list("pk", flat=True).distinct()[:10])
    entries = list(QueueEntry.objects.filter(case_id__in=ids).select_related("case"))
    open_entries = [e for e in entries if e.status != QueueEntry.Status.CLOSED]
    if len(open_entries) == 1:
        return open_entries[0]
    if len(entries) == 1:
        return entries[0]
    if not entries:
        raise CallNotMatched(
            _("No case in a call queue of your municipalities has this phone number.")
        )
    raise CallNotMatched(
        _("Several cases have this phone number; give caseReference (one of: %(refs)s).")
        % {"refs": ", ".join(sorted(e.case.reference for e in entries))},
        conflict=True,
    )


def register_call(
    *, token: ApiToken, municipality_ids: set[int], report: CallReport
) -> tuple[TelephonyCall, bool]:
    """Match a finished call to its case and register it as a contact attempt through the
    outreach services. Returns ``(call, created)``; a call id seen before returns the earlier
    registration unchanged (idempotent)."""
    earlier = (
        TelephonyCall.objects.select_related("attempt__case", "attempt__outcome")
        .filter(organisation=token.organisation, call_id=report.call_id)
        .first()
    )
    if earlier is not None:
        return earlier, False
    try:
        e164 = normalise_number(report.phone_number)
    except UnparsableNumber:
        raise ValidationError({"phone_number": _("This is not a valid phone number.")}) from None
    outcome = OutcomeCode.objects.filter(code=report.result_code, is_active=True).first()
    if outcome is None:
        raise ValidationError({"result_code": _("Unknown or inactive result code.")})
    entry = _match_entry(municipality_ids, e164, report.case_reference)
    number = entry.case.resident.phone_numbers.filter(e164=e164).first()
    data = outreach_services.OutcomeInput(
        outcome=outcome,
        phone_number=number,
        direction=report.direction,
        help_requested=report.help_requested,
        no_help_reason=report.no_help_reason,
        preferred_contact_time=report.preferred_contact_time,
        summary=report.summary,
        callback_at=report.callback_at,
    )
    try:
        with transaction.atomic():
            attempt = outreach_services.register_external_attempt(
                entry=entry, data=data, occurred_at=report.started_at
            )
            call = TelephonyCall.objects.create(
                organisation=token.organisation,
                call_id=report.call_id,
                attempt=attempt,
                started_at=report.started_at,
                duration_seconds=report.duration_seconds,
            )
    except IntegrityError:
        # The same call reported twice at the same moment: the other request stored it.
        call = TelephonyCall.objects.get(organisation=token.organisation, call_id=report.call_id)
        return call, False
    except outreach_services.OutreachError as refused:
        raise CallNotMatched(refused.message, conflict=True) from None
    call.attempt.case.refresh_from_db(fields=["state"])
    log.info("telephony_call_registered", call_pk=call.pk, outcome=outcome.code)
    return call, True
