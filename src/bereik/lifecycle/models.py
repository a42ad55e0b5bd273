"""Month-end closure batches, re-approach and escalation rules, and the proposals they make.

Every row belongs to one municipality (``municipality``), the tenant key of
``bereik.accounts.access``. Nothing here changes a case by itself: a closure batch is started by a
person or the ``close_month`` command, and a proposal only acts when a coordinator confirms it.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bereik.accounts.models import Organisation
from bereik.cases.workflow import CaseState


class ClosureBatch(models.Model):
    """One run of the month-end closure: the cases of one matching period it closed at once."""

    municipality = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"), help_text=_("First day of the closed matching period."))
    closed_at = models.DateTimeField(_("closed at"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    case_count = models.PositiveIntegerField(_("cases closed"), default=0)
    counts = models.JSONField(_("cases per end result"), default=dict, blank=True)
    skipped = models.JSONField(_("cases skipped per reason"), default=dict, blank=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("undone by"),
    )
    restored_count = models.PositiveIntegerField(_("cases restored"), default=0)
    kept_closed_count = models.PositiveIntegerField(
        _("cases left as they were"),
        default=0,
        help_text=_("Cases that changed after the closure and were therefore not restored."),
    )

    class Meta:
        verbose_name = _("month-end closure")
        verbose_name_plural = _("month-end closures")
        ordering = ["-month", "-closed_at", "-pk"]
        indexes = [models.Index(fields=["municipality", "month"], name="closure_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} #{self.pk}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None


class ClosureItem(models.Model):
    """One case in a closure batch, with what undo needs to put it back exactly."""

    batch = models.ForeignKey(ClosureBatch, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    previous_state = models.CharField(max_length=30, choices=CaseState.choices)
    end_result = models.CharField(_("end result"), max_length=60)
    reason = models.CharField(max_length=30)
    queue_status = models.CharField(
        max_length=10, blank=True, help_text="The call-queue entry's status before the closure."
    )
    is_active = models.BooleanField(default=True)
    restored = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("closed case")
        verbose_name_plural = _("closed cases")
        ordering = ["pk"]
        constraints = [
            # A case is in at most one batch that has not been undone: two closures running at the
            # same time cannot both close it (the second one fails and changes nothing).
            models.UniqueConstraint(
                fields=["case"], condition=Q(is_active=True), name="one_active_closure_per_case"
            )
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}/{self.case_id}"


class RuleKind(models.TextChoices):
    RE_APPROACH_REFUSER = (
        "re_approach_refuser",
        _("Re-approach a resident who refused help, via the social workers"),
    )
    REFER_UNREACHED = (
        "refer_unreached",
        _("Propose a referral: not reached in consecutive months"),
    )
    REFER_GROWING_ARREARS = (
        "refer_growing_arrears",
        _("Propose a referral: arrears grew past a threshold while refusing help"),
    )


class LifecycleRule(models.Model):
    """A re-approach or escalation rule of one municipality: data the coordinator edits.

    ``months``: for a re-approach, after how many months without a new signal; for the unreached,
    how many consecutive months. ``arrears_threshold``: for growing arrears, the amount the
    arrears must exceed.
    """

    municipality = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("rule"), max_length=30, choices=RuleKind.choices)
    purpose = models.TextField(
        _("purpose"),
        help_text=_(
            "Why this step is needed and lawful (purpose limitation under the GDPR). Shown with "
            "every proposal this rule makes."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    months = models.PositiveSmallIntegerField(
        _("months"), default=3, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    arrears_threshold = models.DecimalField(
        _("arrears threshold (EUR)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    refer_to = models.CharField(
        _("refer to"),
        max_length=100,
        blank=True,
        help_text=_("Where a confirmed referral goes, e.g. Meldpunt Bezorgd or the crisis team."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("re-approach or escalation rule")
        verbose_name_plural = _("re-approach and escalation rules")
        ordering = ["municipality", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "kind"], name="one_rule_per_kind"),
            models.CheckConstraint(name="rule_purpose_required", condition=~Q(purpose="")),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def is_referral(self) -> bool:
        return self.kind != RuleKind.RE_APPROACH_REFUSER


class Proposal(models.Model):
    """What a rule proposes for one resident. Nothing happens until a coordinator confirms it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    class Action(models.TextChoices):
        RE_APPROACH = "re_approach", _("Re-approach via the social workers")
        REFERRAL = "referral", _("Referral without contact")

    municipality = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(LifecycleRule, on_delete=models.PROTECT, related_name="proposals")
    action = models.CharField(_("proposal"), max_length=20, choices=Action.choices)
    resident = models.ForeignKey("cases.Resident", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="+", verbose_name=_("case")
    )
    trigger_key = models.CharField(max_length=80)
    facts = models.JSONField(_("facts"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["created_at", "pk"]
        constraints = [
            # Running the rules twice proposes nothing twice: one proposal per rule and trigger.
            models.UniqueConstraint(
                fields=["rule", "resident", "trigger_key"], name="one_proposal_per_trigger"
            )
        ]
        indexes = [models.Index(fields=["municipality", "status"], name="proposal_review")]

    def __str__(self) -> str:
        return f"{self.action} {self.case_id} ({self.status})"
