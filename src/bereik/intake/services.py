"""Writes of the intake: starting and processing import runs, mapping profiles, routing rules.

An import run has two phases:

1. *Checking* (no write transaction): the file is read as a stream, every row is normalised and
   validated, row issues are stored and progress is visible; valid rows are kept in memory up to
   ``IN_MEMORY_ROWS`` and beyond that spilled to a temporary file in chunks (as plain tuples,
   ``rows.pack``), so memory does not grow with the file.
2. *Storing* (one transaction): signals are matched into residents and cases, duplicates are
   skipped, new cases are routed, and the run's counts are saved. A crash or kill in this phase
   rolls everything back: nothing of the run is stored, and the run can simply be started again.
"""

import datetime
import pickle
import tempfile
import uuid
from pathlib import Path

import structlog
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bereik.accounts.models import Organisation
from bereik.audit.models import AuditAction
from bereik.audit.services import record
from bereik.cases.matching import SignalMatcher

from .models import ImportRun, IntakeSettings, MappingProfile, RoutingRule, RowIssue
from .readers import UnreadableFile, open_signal_file
from .routing import RoutingSummary, ensure_default_rules, route
from .rows import Issue, Severity, pack, parse_record, unpack

log = structlog.get_logger()

CHUNK_SIZE = 5000
IN_MEMORY_ROWS = 100_000  # valid rows kept in memory before the checking phase spills to disk
MAX_STORED_ISSUES = 50_000
PROGRESS_EVERY = 5000
CHECKING_SHARE = 90  # percent of the progress bar for phase 1
DEFAULT_SOURCE = "platform"


class _IssueWriter:
    """Stores row issues in batches, up to ``MAX_STORED_ISSUES``; counts the rest."""

    def __init__(self, run: ImportRun):
        self.run = run
        self.buffer: list[RowIssue] = []
        self.stored = 0
        self.dropped = 0

    def add(self, issue: Issue) -> None:
        if self.stored + len(self.buffer) >= MAX_STORED_ISSUES:
            self.dropped += 1
            return
        self.buffer.append(
            RowIssue(
                run=self.run,
                row=issue.row,
                column=issue.column[:200],
                message=issue.message,
                severity=issue.severity,
            )
        )
        if len(self.buffer) >= 2000:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            RowIssue.objects.bulk_create(self.buffer)
            self.stored += len(self.buffer)
            self.buffer = []


def create_run(
    *,
    municipality: Organisation,
    uploaded,
    file_name: str,
    source: str = DEFAULT_SOURCE,
    mode: str = ImportRun.Mode.VALID_ROWS,
    actor=None,
) -> ImportRun:
    """Keep the uploaded file in storage and register a queued run for it."""
    suffix = Path(file_name).suffix.lower()[:10]
    stored = default_storage.save(f"intake/{uuid.uuid4().hex}{suffix}", uploaded)
    return ImportRun.objects.create(
        municipality=municipality,
        source=source.strip() or DEFAULT_SOURCE,
        file_name=Path(file_name).name[:255],
        stored_file=stored,
        mode=mode,
        created_by=actor,
    )


def start_run(run: ImportRun) -> ImportRun:
    """Queue the run as a background task (immediately executed under the test backend)."""
    from .tasks import import_signals

    import_signals.enqueue(run.pk)
    run.refresh_from_db()
    return run


def process_stored_run(run: ImportRun) -> ImportRun:
    """Process a run whose file is in storage; the file is deleted afterwards. A run whose file
    is gone (storage emptied, a second worker) fails with a message instead of staying queued."""
    try:
        try:
            stream = default_storage.open(run.stored_file, "rb")
        except OSError:
            log.warning("intake_run_file_missing", run_id=run.pk)
            ImportRun.objects.filter(pk=run.pk).update(
                status=ImportRun.Status.FAILED,
                finished_at=timezone.now(),
                message=_("The uploaded file is no longer available."),
            )
        else:
            with stream:
                process_run(run, stream, size=_size(run.stored_file))
    finally:
        if run.stored_file and default_storage.exists(run.stored_file):
            default_storage.delete(run.stored_file)
        ImportRun.objects.filter(pk=run.pk).update(stored_file="")
    run.refresh_from_db()
    return run


def stale_after() -> datetime.timedelta:
    """How long a run may show no progress before it counts as stopped (setting
    ``INTAKE_STALE_RUN_MINUTES``). Longer than the longest storing phase, which runs in one
    transaction and so cannot show progress."""
    return datetime.timedelta(minutes=settings.INTAKE_STALE_RUN_MINUTES)


def fail_stale_runs(runs=None, *, now: datetime.datetime | None = None) -> int:
    """Mark runs that are checking or storing but have shown no progress for ``stale_after()``
    as failed (their process was killed: nothing of them was stored) and delete their uploaded
    file. ``runs`` narrows the sweep (a queryset of runs); returns how many were marked."""
    now = now or timezone.now()
    limit = stale_after()
    candidates = (runs if runs is not None else ImportRun.objects.all()).filter(
        status__in=(ImportRun.Status.VALIDATING, ImportRun.Status.STORING),
        updated_at__lt=now - limit,
    )
    message = _(
        "The import stopped: there was no progress for more than %(minutes)d minutes (the "
        "process was probably stopped). Nothing was stored; upload the file again."
    ) % {"minutes": int(limit.total_seconds() // 60)}
    failed = 0
    for run in candidates.select_related(None).only("pk", "status", "updated_at", "stored_file"):
        # Only when nothing moved in between: a run that is alive after all keeps going.
        marked = ImportRun.objects.filter(
            pk=run.pk, status=run.status, updated_at=run.updated_at
        ).update(
            status=ImportRun.Status.FAILED,
            message=message,
            imported=0,
            cases_created=0,
            cases_updated=0,
            stored_file="",
            finished_at=now,
            updated_at=now,
        )
        if not marked:
            continue
        failed += 1
        if run.stored_file and default_storage.exists(run.stored_file):
            default_storage.delete(run.stored_file)
        log.warning("intake_run_stale", run_id=run.pk, status=run.status)
    return failed


def _size(name: str) -> int:
    try:
        return default_storage.size(name)
    except (OSError, NotImplementedError):
        return 0


def _fail(run: ImportRun, message: str, issues: _IssueWriter | None = None) -> ImportRun:
    if issues is not None:
        issues.flush()
    run.status = ImportRun.Status.FAILED
    run.message = message
    run.imported = run.cases_created = run.cases_updated = 0
    run.finished_at = timezone.now()
    run.save()
    log.info("intake_run_failed", run_id=run.pk, rows=run.rows, rejected=run.rejected)
    return run


def process_run(run: ImportRun, stream, *, size: int = 0, today: datetime.date | None = None):
    """Check, then store one run's file (a binary stream). Returns the updated run."""
    today = today or timezone.localdate()
    run.status = ImportRun.Status.VALIDATING
    run.started_at = timezone.now()
    run.save(update_fields=["status", "started_at", "updated_at"])
    log.info("intake_run_started", run_id=run.pk, municipality_id=run.municipality_id)
    municipality = run.municipality
    profile = MappingProfile.objects.filter(municipality=municipality, source=run.source).first()
    try:
        signal_file = open_signal_file(
            stream,
            profile_mapping=profile.mapping if profile else None,
            municipality_code=municipality.municipality_code or "",
        )
    except UnreadableFile as exc:
        return _fail(run, exc.message)
    return process_signal_file(run, signal_file, stream=stream, size=size, today=today)


def process_signal_file(
    run: ImportRun, signal_file, *, stream=None, size: int = 0, today: datetime.date | None = None
) -> ImportRun:
    """Check, then store the records of an opened ``SignalFile`` (from a file, or built by the
    REST API from a JSON batch). ``stream`` only serves the progress bar."""
    today = today or timezone.localdate()
    if run.status == ImportRun.Status.QUEUED:
        run.status = ImportRun.Status.VALIDATING
        run.started_at = timezone.now()
        run.save(update_fields=["status", "started_at", "updated_at"])
    run.file_format = signal_file.format
    issues = _IssueWriter(run)
    if signal_file.column_map.problems:
        for problem in signal_file.column_map.problems:
            issues.add(Issue(None, "", problem))
        return _fail(run, " ".join(signal_file.column_map.problems), issues)
    for header in signal_file.column_map.unknown:
        issues.add(
            Issue(
                None,
                header,
                _("Unknown column “%(column)s” is ignored.") % {"column": header},
                Severity.WARNING,
            )
        )

    spill = _ValidRows()
    try:
        valid = _check(run, signal_file, stream, size, today, issues, spill)
        if valid is None:
            return run
        return _store(run, spill, today, issues)
    except Exception:
        log.exception("intake_run_crashed", run_id=run.pk)
        _fail(
            run,
            _("The import stopped because of an internal error; nothing was stored. Try again."),
            issues,
        )
        raise
    finally:
        spill.close()


class _ValidRows:
    """The valid rows between the two phases: in memory while few, then in chunks of
    ``CHUNK_SIZE`` in a temporary file."""

    def __init__(self):
        self.chunks: list[list] = []
        self.file = None
        self.spilled = 0  # chunks in the file

    def add_chunk(self, chunk: list) -> None:
        if self.file is None and (len(self.chunks) + 1) * CHUNK_SIZE <= IN_MEMORY_ROWS:
            self.chunks.append(chunk)
            return
        if self.file is None:
            self.file = tempfile.TemporaryFile()  # noqa: SIM115 (closed in close())
        pickle.dump([pack(s) for s in chunk], self.file, protocol=pickle.HIGHEST_PROTOCOL)
        self.spilled += 1

    def __iter__(self):
        yield from self.chunks
        if self.file is not None:
            self.file.seek(0)
            for _index in range(self.spilled):
                yield [unpack(values) for values in pickle.load(self.file)]  # noqa: S301 (ours)

    def close(self) -> None:
        self.chunks = []
        if self.file is not None:
            self.file.close()
            self.file = None


def _check(run, signal_file, stream, size, today, issues: _IssueWriter, spill) -> int | None:
    """Phase 1. Returns the number of valid rows spilled, or None when the run has failed."""
    first_row_of: dict[str, int] = {}
    chunk: list = []
    rows = rejected = warnings = valid = 0
    try:
        for record_ in signal_file.records:
            rows += 1
            parsed, row_issues = parse_record(record_, signal_file.label, today)
            for issue in row_issues:
                issues.add(issue)
                if issue.severity == Severity.WARNING:
                    warnings += 1
            if parsed is None:
                rejected += 1
            elif parsed.fingerprint in first_row_of:
                run.duplicates += 1
                issues.add(
                    Issue(
                        parsed.row,
                        "",
                        _("Duplicate row: the same signal as row %(row)d; skipped.")
                        % {"row": first_row_of[parsed.fingerprint]},
                        Severity.WARNING,
                    )
                )
            else:
                first_row_of[parsed.fingerprint] = parsed.row
                chunk.append(parsed)
                valid += 1
                if len(chunk) >= CHUNK_SIZE:
                    spill.add_chunk(chunk)
                    chunk = []
            if rows % PROGRESS_EVERY == 0:
                _progress(run, rows, stream, size)
    except UnreadableFile as exc:
        run.rows, run.rejected, run.warnings = rows, rejected, warnings
        _fail(run, exc.message + " " + _("Nothing was imported."), issues)
        return None
    if chunk:
        spill.add_chunk(chunk)
    del first_row_of
    run.rows, run.rejected, run.warnings = rows, rejected, warnings
    if rows == 0:
        _fail(run, _("The file has a header but no signals."), issues)
        return None
    if run.mode == ImportRun.Mode.ALL_OR_NOTHING and rejected:
        _fail(
            run,
            ngettext(
                "Nothing was imported: %(count)d row has errors (all or nothing).",
                "Nothing was imported: %(count)d rows have errors (all or nothing).",
                rejected,
            )
            % {"count": rejected},
            issues,
        )
        return None
    issues.flush()
    run.status = ImportRun.Status.STORING
    run.rows_processed = rows
    run.progress = CHECKING_SHARE
    run.save()
    return valid


def _progress(run, rows, stream, size) -> None:
    percent = 0
    if size:
        try:
            percent = min(CHECKING_SHARE, int(stream.tell() * CHECKING_SHARE / size))
        except (OSError, ValueError, AttributeError):
            percent = 0
    ImportRun.objects.filter(pk=run.pk).update(
        rows_processed=rows, progress=percent, updated_at=timezone.now()
    )


def _store(run, spill: _ValidRows, today, issues: _IssueWriter) -> ImportRun:
    """Phase 2: everything in one transaction."""
    municipality = run.municipality
    ensure_default_rules(municipality)
    intake_settings, _created = IntakeSettings.objects.get_or_create(municipality=municipality)
    rules = list(RoutingRule.objects.filter(municipality=municipality).order_by("position", "pk"))
    summary = RoutingSummary()
    already_stored = 0
    with transaction.atomic():
        # One run per municipality at a time: the case numbering and matching rely on it.
        Organisation.objects.select_for_update().get(pk=municipality.pk)
        matcher = SignalMatcher(
            municipality,
            run.source,
            today=today,
            recidive_months=intake_settings.recidive_months,
        )
        for chunk in spill:
            already_stored += len(matcher.add(chunk))
        spill.close()  # the rows are stored; routing needs only the matcher's keys
        for assessments in matcher.assess():
            route(
                assessments,
                rules,
                municipality=municipality,
                today=today,
                actor=run.created_by,
                summary=summary,
                store_created=matcher.store_created,
                mark_signals=matcher.mark_signals,
            )
        if already_stored:
            issues.add(
                Issue(
                    None,
                    "",
                    ngettext(
                        "%(count)d signal was imported before from source “%(source)s” and is "
                        "skipped.",
                        "%(count)d signals were imported before from source “%(source)s” and "
                        "are skipped.",
                        already_stored,
                    )
                    % {"count": already_stored, "source": run.source},
                    Severity.WARNING,
                )
            )
        if issues.dropped:
            issues.add(
                Issue(
                    None,
                    "",
                    _("More issues were found; only the first %(count)d are kept.")
                    % {"count": MAX_STORED_ISSUES},
                    Severity.WARNING,
                )
            )
        issues.flush()
        run.duplicates += already_stored
        run.imported = matcher.imported
        run.cases_created = len(matcher.created_cases)
        run.cases_updated = len(matcher.updated_cases)
        run.routing = summary.counts
        run.status = ImportRun.Status.DONE
        run.progress = 100
        run.finished_at = timezone.now()
        run.save()
        record(
            actor=run.created_by,
            action=AuditAction.CREATE,
            obj=run,
            detail={
                "rows": run.rows,
                "imported": run.imported,
                "rejected": run.rejected,
                "duplicates": run.duplicates,
                "cases_created": run.cases_created,
                "cases_updated": run.cases_updated,
            },
        )
    log.info(
        "intake_run_done",
        run_id=run.pk,
        rows=run.rows,
        imported=run.imported,
        rejected=run.rejected,
        duplicates=run.duplicates,
    )
    return run


def import_file(
    path,
    *,
    municipality: Organisation,
    source: str = DEFAULT_SOURCE,
    mode: str = ImportRun.Mode.VALID_ROWS,
    actor=None,
    today: datetime.date | None = None,
) -> ImportRun:
    """Import a file from disk in the current process (the command line and the demo)."""
    path = Path(path)
    run = ImportRun.objects.create(
        municipality=municipality,
        source=source.strip() or DEFAULT_SOURCE,
        file_name=path.name[:255],
        mode=mode,
        created_by=actor,
    )
    with path.open("rb") as stream:
        return process_run(run, stream, size=path.stat().st_size, today=today)


def run_report(run: ImportRun) -> dict:
    """The run as one JSON-ready object (the command's ``--json`` output)."""
    issues = list(run.issues.order_by("pk").values_list("row", "column", "message", "severity"))
    return {
        "run": run.pk,
        "status": run.status,
        "message": run.message,
        "format": run.file_format,
        "source": run.source,
        "rows": run.rows,
        "imported": run.imported,
        "rejected": run.rejected,
        "duplicates": run.duplicates,
        "cases_created": run.cases_created,
        "cases_updated": run.cases_updated,
        "routing": run.routing,
        "errors": [
            {"row": row, "column": column, "message": message}
            for row, column, message, severity in issues
            if severity == RowIssue.Severity.ERROR
        ],
        "warnings": [
            {"row": row, "column": column, "message": message}
            for row, column, message, severity in issues
            if severity == RowIssue.Severity.WARNING
        ],
    }


# --- configuration ------------------------------------------------------------------------


def save_mapping_profile(*, municipality, source: str, mapping: dict, actor) -> MappingProfile:
    profile, _created = MappingProfile.objects.update_or_create(
        municipality=municipality,
        source=source.strip(),
        defaults={"mapping": {k: v.strip() for k, v in mapping.items() if v and v.strip()}},
    )
    profile.updated_by = actor
    profile.save(update_fields=["updated_by"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=profile,
        organisation=municipality,
        detail={"fields": sorted(profile.mapping)},
    )
    return profile


def delete_mapping_profile(*, profile: MappingProfile, actor) -> None:
    record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=profile,
        organisation=profile.municipality,
    )
    profile.delete()


def save_routing_rules(*, municipality, rules: list[RoutingRule], deleted, actor) -> None:
    """Save the coordinator's edited rules (a formset's cleaned instances) at once."""
    with transaction.atomic():
        for rule in deleted:
            rule.delete()
        for rule in rules:
            rule.municipality = municipality
            rule.save()
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type=RoutingRule._meta.label_lower,
            organisation=municipality,
            detail={"rules": len(rules), "deleted": len(deleted)},
        )


def save_intake_settings(*, municipality, recidive_months: int, actor) -> IntakeSettings:
    """Raises ``ValidationError`` for a window the matching cannot use."""
    IntakeSettings(municipality=municipality, recidive_months=recidive_months).clean_fields(
        exclude=["municipality"]
    )
    settings_, _created = IntakeSettings.objects.update_or_create(
        municipality=municipality, defaults={"recidive_months": recidive_months}
    )
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=settings_,
        organisation=municipality,
        detail={"recidive_months": recidive_months},
    )
    return settings_
