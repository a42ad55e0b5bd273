"""Privacy: retention terms per municipality, legal holds, objections to being contacted, and the
record of what the retention purge removed.

None of these models holds personal data of its own except the free-text notes of an objection
and the reasons of a legal hold; the purge empties those too (see ``docs/privacy.md``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bereik.accounts.models import Organisation


class RetentionCategory(models.TextChoices):
    """Which retention term applies to a closed case (``docs/privacy.md`` defines each)."""

    NOT_PICKED_UP = "not_picked_up", _("Cases not picked up")
    PICKED_UP = "picked_up", _("Picked-up cases")
    FOLLOW_UP = "follow_up", _("Cases with follow-up")
    # Not a case category: the error reports of signal imports quote values of the rows.
    IMPORT_REPORTS = "import_reports", _("Error reports of imports")


# Months after the start date (see ``docs/privacy.md``); one municipality's published policy.
DEFAULT_TERMS: dict[str, int] = {
    RetentionCategory.NOT_PICKED_UP: 6,
    RetentionCategory.PICKED_UP: 12,
    RetentionCategory.FOLLOW_UP: 18,
    RetentionCategory.IMPORT_REPORTS: 3,
}
MAX_TERM_MONTHS = 120


class RetentionTerm(models.Model):
    municipality = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("category"), max_length=20, choices=RetentionCategory.choices)
    months = models.PositiveSmallIntegerField(_("months"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("retention term")
        verbose_name_plural = _("retention terms")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "category"], name="one_retention_term_per_category"
            ),
            models.CheckConstraint(
                name="retention_term_positive",
                condition=Q(months__gte=1) & Q(months__lte=MAX_TERM_MONTHS),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.months}"


class LegalHold(models.Model):
    """While a hold is active (not lifted) the purge leaves the case and its resident alone."""

    municipality = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="legal_holds")
    reason = models.CharField(_("reason"), max_length=500)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    placed_at = models.DateTimeField(_("placed at"))
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lift_reason = models.CharField(_("reason for lifting"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ["-placed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(lifted_at__isnull=True), name="one_active_legal_hold"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.placed_at:%Y-%m-%d}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class ObjectionChannel(models.TextChoices):
    PHONE = "phone", _("By phone")
    LETTER = "letter", _("By letter")
    EMAIL = "email", _("By e-mail")
    IN_PERSON = "in_person", _("In person")
    OTHER = "other", _("Other")


class Objection(models.Model):
    """A resident's objection (bezwaar, AVG art. 21) to being contacted, and its withdrawal.

    Active while ``withdrawn_at`` is empty. The call queue and messages ask
    ``selectors.has_objection`` / ``residents_with_objection``.
    """

    municipality = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey(
        "cases.Resident", on_delete=models.PROTECT, related_name="objections"
    )
    received_on = models.DateField(_("received on"))
    channel = models.CharField(_("channel"), max_length=20, choices=ObjectionChannel.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_channel = models.CharField(
        _("channel of withdrawal"), max_length=20, choices=ObjectionChannel.choices, blank=True
    )
    withdrawal_note = models.TextField(_("note on withdrawal"), blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawal recorded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_active_objection",
            )
        ]

    def __str__(self) -> str:
        return f"{self.resident_id} {self.received_on}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class PurgeRun(models.Model):
    """One run of the retention purge for one municipality: when, and how many rows per category.

    Holds counts only. A run that failed halfway keeps the counts of the batches it committed.
    """

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed (the next run resumes)")

    municipality = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    reference_date = models.DateField(_("reference date"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cases_purged = models.PositiveIntegerField(_("cases purged"), default=0)
    skipped_legal_hold = models.PositiveIntegerField(_("skipped: legal hold"), default=0)
    batches = models.PositiveIntegerField(_("batches committed"), default=0)
    # category ("residents", "phone_numbers", "outreach.contact_attempts", ...) -> rows
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    # retention category -> cases purged
    by_category = models.JSONField(_("cases per retention category"), default=dict, blank=True)

    class Meta:
        verbose_name = _("purge run")
        verbose_name_plural = _("purge runs")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.started_at:%Y-%m-%d %H:%M}"


class PurgedCase(models.Model):
    """The marker that a case's personal data is gone, with the anonymous remnant reports may use.

    Written in the same transaction as the purge of the case, so "has a PurgedCase" means
    "completely purged": the purge skips these cases when it runs again.
    """

    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, primary_key=True, related_name="purge"
    )
    municipality = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey(PurgeRun, on_delete=models.PROTECT, related_name="cases")
    category = models.CharField(max_length=20, choices=RetentionCategory.choices)
    purged_at = models.DateTimeField()
    # Kept for area and age reports; neither identifies a person (see docs/privacy.md).
    age_band = models.CharField(_("age band at matching"), max_length=10, blank=True)
    postcode_area = models.CharField(_("postcode digits"), max_length=4, blank=True)

    class Meta:
        verbose_name = _("purged case")
        verbose_name_plural = _("purged cases")

    def __str__(self) -> str:
        return str(self.case_id)
