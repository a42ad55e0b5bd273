"""Intake: import runs and their row-level issues, column-mapping profiles per source, the
routing rules and matching settings of a municipality, and enrichment batches."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from bereik.accounts.models import Organisation

MAX_RECIDIVE_MONTHS = 60  # five years; far beyond any useful window, far below date overflow


class ImportRun(models.Model):
    """One file imported for one municipality, with its counts."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        VALIDATING = "validating", _("Checking rows")
        STORING = "storing", _("Storing and matching")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Mode(models.TextChoices):
        VALID_ROWS = "valid_rows", _("Import the valid rows, report the rest")
        ALL_OR_NOTHING = "all_or_nothing", _("Import nothing when any row fails")

    municipality = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("source"), max_length=100)
    file_name = models.CharField(_("file"), max_length=255)
    stored_file = models.CharField(max_length=500, blank=True)  # storage name, until processed
    file_format = models.CharField(_("format"), max_length=10, blank=True)
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices, default=Mode.VALID_ROWS)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    message = models.TextField(_("message"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Last sign of life of the process working on the run: every save and progress update.
    updated_at = models.DateTimeField(auto_now=True)
    rows_processed = models.PositiveIntegerField(default=0)
    progress = models.PositiveSmallIntegerField(default=0)  # percent, for the progress bar
    routing = models.JSONField(_("routing"), default=dict, blank=True)  # outcome -> case count
    rows = models.PositiveIntegerField(_("rows"), default=0)
    imported = models.PositiveIntegerField(_("imported"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates"), default=0)
    warnings = models.PositiveIntegerField(_("warnings"), default=0)
    cases_created = models.PositiveIntegerField(_("cases created"), default=0)
    cases_updated = models.PositiveIntegerField(_("cases updated"), default=0)

    class Meta:
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class RowIssue(models.Model):
    """A problem with one row (or, with ``row`` empty, with the whole file). The message names
    the problem; the row number and column let the user find it in their own file."""

    class Severity(models.TextChoices):
        ERROR = "error", _("Error: row not imported")
        WARNING = "warning", _("Warning: row imported")

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="issues")
    row = models.PositiveIntegerField(_("row"), null=True, blank=True)
    column = models.CharField(_("column"), max_length=200, blank=True)
    message = models.TextField(_("message"))
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.ERROR)

    class Meta:
        verbose_name = _("row issue")
        verbose_name_plural = _("row issues")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.row}: {self.message}"


class MappingProfile(models.Model):
    """How one source's files name the columns, for one municipality."""

    municipality = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(
        _("source"),
        max_length=100,
        help_text=_("The name under which this source's files are imported, e.g. RIS or VPS."),
    )
    mapping = models.JSONField(_("column mapping"), default=dict)  # canonical -> header in file
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("column-mapping profile")
        verbose_name_plural = _("column-mapping profiles")
        ordering = ["source"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "source"], name="unique_profile_source")
        ]

    def __str__(self) -> str:
        return self.source


class RoutingRule(models.Model):
    """One step of a municipality's routing of new cases. Rules are tried in order; the first
    matching rule with a queue or closing action decides, ``urgent`` marks and goes on."""

    class Condition(models.TextChoices):
        TOTAL_BELOW = "total_below", _("Total arrears below the amount")
        TOTAL_ABOVE = "total_above", _("Total arrears above the amount")
        CRISIS = "crisis", _("A crisis signal")
        WARM_HANDOVER = "warm_handover", _("A warm handover was requested")
        VALID_PHONE = "valid_phone", _("A valid phone number is known")
        NO_VALID_PHONE = "no_valid_phone", _("No valid phone number is known")
        ALWAYS = "always", _("Always")

    class Action(models.TextChoices):
        NOT_PICKED_UP = "not_picked_up", _("Close: not picked up, unjustified signal")
        SOCIAL_WORK = "social_work_queue", _("To the social workers' queue")
        URGENT = "urgent", _("Mark urgent (due within the working days) and go on")
        CALL_QUEUE = "call_queue", _("To the call queue")
        ENRICHMENT = "enrichment", _("To the enrichment queue")

    municipality = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    condition = models.CharField(_("when"), max_length=20, choices=Condition.choices)
    amount = models.DecimalField(
        _("amount (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    action = models.CharField(_("then"), max_length=20, choices=Action.choices)
    due_working_days = models.PositiveSmallIntegerField(
        _("due within working days"), null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["municipality", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.get_condition_display()} → {self.get_action_display()}"


class IntakeSettings(models.Model):
    """Matching settings of one municipality."""

    municipality = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="intake_settings"
    )
    recidive_months = models.PositiveSmallIntegerField(
        _("recidive window (months)"),
        default=6,
        validators=[
            MaxValueValidator(
                MAX_RECIDIVE_MONTHS,
                message=_("The recidive window can be at most %(limit_value)s months."),
            )
        ],
        help_text=_(
            "A resident with a case in this many months before the matching period is marked "
            "recidive; a signal from the same partner in this window whose arrears did not grow "
            "is a repeat signal."
        ),
    )

    class Meta:
        verbose_name = _("intake settings")
        verbose_name_plural = _("intake settings")

    def __str__(self) -> str:
        return str(self.municipality)


class EnrichmentBatch(models.Model):
    """Cases without a usable phone number sent to an enrichment vendor, and what came back."""

    municipality = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    case_count = models.PositiveIntegerField(_("cases sent"), default=0)
    answered_at = models.DateTimeField(_("answer imported"), null=True, blank=True)
    found_count = models.PositiveIntegerField(_("numbers found"), default=0)

    class Meta:
        verbose_name = _("enrichment batch")
        verbose_name_plural = _("enrichment batches")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.municipality} {self.created_at:%Y-%m-%d}"

    @property
    def success_rate(self) -> float | None:
        if not self.answered_at or not self.case_count:
            return None
        return self.found_count / self.case_count


class EnrichmentRequest(models.Model):
    batch = models.ForeignKey(EnrichmentBatch, on_delete=models.CASCADE, related_name="requests")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    found = models.BooleanField(null=True)

    class Meta:
        verbose_name = _("enrichment request")
        verbose_name_plural = _("enrichment requests")
        constraints = [
            models.UniqueConstraint(fields=["batch", "case"], name="unique_enrichment_case")
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}/{self.case_id}"
