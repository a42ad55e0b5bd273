"""Outreach: call campaigns, the call queue, contact attempts and the texts agents use.

Every row with personal data carries its municipality (the tenant key of
``bereik.accounts.access``). The queue is a table of its own (``QueueEntry``, one per case) so the
claim query can run on a partial index instead of scanning cases.
"""

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from bereik.accounts.models import Organisation

from .scheduling import DayPart

FAR_FUTURE_DATE = dt.date(9999, 12, 31)


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class DayPartChoice(models.TextChoices):
    MORNING = DayPart.MORNING.value, _("Morning")
    AFTERNOON = DayPart.AFTERNOON.value, _("Afternoon")
    EVENING = DayPart.EVENING.value, _("Evening")
    SATURDAY = DayPart.SATURDAY.value, _("Saturday")


class Script(models.Model):
    """A conversation script of one municipality; its text lives in numbered versions."""

    municipality = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("script")
        verbose_name_plural = _("scripts")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ScriptVersion(models.Model):
    """An immutable text of a script. Each conversation stores the version the agent was shown."""

    script = models.ForeignKey(Script, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    body = models.TextField(_("text"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("script version")
        verbose_name_plural = _("script versions")
        ordering = ["script", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["script", "number"], name="unique_script_version")
        ]

    def __str__(self) -> str:
        return f"{self.script} v{self.number}"


class MessageChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


class MessageTemplate(models.Model):
    municipality = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    channel = models.CharField(_("channel"), max_length=10, choices=MessageChannel.choices)
    subject = models.CharField(_("subject (e-mail)"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SchedulingPolicy(models.TextChoices):
    BASELINE = "baseline", _("Fixed rotation of day-parts (today's practice)")
    ADAPTIVE = "adaptive", _("Learning: call each resident when they answer best")


class ScheduledBy(models.TextChoices):
    """Which rule chose the moment of an attempt, so its effect can be evaluated afterwards."""

    BASELINE = "baseline", _("Fixed rotation")
    ADAPTIVE = "adaptive", _("Learning policy")
    EXPLORATION = "exploration", _("Random day-part (evaluation sample)")


class Campaign(models.Model):
    municipality = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    max_attempts_per_number = models.PositiveSmallIntegerField(
        _("maximum attempts per number"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    max_attempts_per_day = models.PositiveSmallIntegerField(
        _("maximum attempts per number per day"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    caller_id = models.CharField(
        _("caller ID"),
        max_length=20,
        blank=True,
        help_text=_("The number residents see, preferably a local one they can call back."),
    )
    script = models.ForeignKey(
        Script,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaigns",
        verbose_name=_("script"),
    )
    sms_before_first_attempt = models.BooleanField(_("SMS before the first attempt"), default=False)
    prenotification_template = models.ForeignKey(
        MessageTemplate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pre-notification text"),
    )
    lock_minutes = models.PositiveSmallIntegerField(
        _("reservation time (minutes)"),
        default=20,
        validators=[MinValueValidator(2), MaxValueValidator(240)],
        help_text=_("How long a resident stays reserved for the agent who took them."),
    )
    scheduling_policy = models.CharField(
        _("scheduling"),
        max_length=10,
        choices=SchedulingPolicy.choices,
        default=SchedulingPolicy.BASELINE,
        help_text=_(
            "The learning schedule uses the answer rates observed in this municipality's own "
            "attempts (docs/outreach.md, “Learning schedule”)."
        ),
    )
    exploration_percent = models.PositiveSmallIntegerField(
        _("evaluation sample (%)"),
        default=10,
        validators=[MaxValueValidator(50)],
        help_text=_(
            "With the learning schedule, this share of attempts gets a random day-part, so the "
            "effect of the schedule can be measured honestly."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                name="campaign_daily_cap_within_total",
                condition=Q(max_attempts_per_day__lte=F("max_attempts_per_number")),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CallingWindow(models.Model):
    """Calling hours on one weekday; a weekday without a row is closed."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="windows")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("calling window")
        verbose_name_plural = _("calling windows")
        ordering = ["weekday"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "weekday"], name="one_window_per_weekday"),
            models.CheckConstraint(
                name="window_ends_after_start", condition=Q(ends_at__gt=F("starts_at"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"


class AaporClass(models.TextChoices):
    INTERVIEW = "I", _("I: conversation held")
    PARTIAL = "P", _("P: partial")
    REFUSAL = "R", _("R: refusal")
    NON_CONTACT = "NC", _("NC: non-contact")
    OTHER = "O", _("O: other")
    UNKNOWN_HOUSEHOLD = "UH", _("UH: unknown if reachable")
    UNKNOWN_OTHER = "UO", _("UO: unknown, other")
    NOT_ELIGIBLE = "NE", _("NE: not eligible")


class OutcomeCode(models.Model):
    """The result of one call attempt, with the behaviour the queue derives from it (DOMAIN §4)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("label"), max_length=80)
    description = models.CharField(_("description"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    contact_made = models.BooleanField(_("contact made"), default=False)
    right_party_contact = models.BooleanField(_("spoke to the resident"), default=False)
    is_final = models.BooleanField(
        _("final"), default=False, help_text=_("Ends calling for the case.")
    )
    retry_delay_minutes = models.PositiveIntegerField(
        _("retry after (minutes)"), default=0, validators=[MaxValueValidator(60 * 24 * 14)]
    )
    retry_other_day_part = models.BooleanField(_("retry in another day-part"), default=False)
    retire_number = models.BooleanField(
        _("try another number"),
        default=False,
        help_text=_("The number is taken out of use; the next number is tried, else enrichment."),
    )
    needs_note = models.BooleanField(_("needs a note"), default=False)
    requires_callback = models.BooleanField(_("needs a callback time"), default=False)
    aapor_class = models.CharField(_("AAPOR class"), max_length=2, choices=AaporClass.choices)
    ddas_reached = models.BooleanField(
        _("DDAS: reached"), default=False, help_text=_("The DDAS contact attempt's 'bereikt'.")
    )

    class Meta:
        verbose_name = _("outcome code")
        verbose_name_plural = _("outcome codes")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.label


# The part of an outcome code that a municipality's calling practice may tune. The rest (contact,
# final, number retired, AAPOR class, DDAS "reached") is what the code *means*: it is national,
# because every report and the DDAS delivery compare municipalities on it.
TUNABLE_OUTCOME_FIELDS = (
    "is_active",
    "position",
    "retry_delay_minutes",
    "retry_other_day_part",
    "needs_note",
    "requires_callback",
)


class OutcomeSetting(models.Model):
    """How one municipality's call queue handles an outcome code (its calling practice).

    Without a row the code's national defaults apply. A supervisor of a contact centre changes
    these for the municipalities the centre serves, never for another's.
    """

    municipality = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    outcome = models.ForeignKey(OutcomeCode, on_delete=models.CASCADE, related_name="settings")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    retry_delay_minutes = models.PositiveIntegerField(
        _("retry after (minutes)"), default=0, validators=[MaxValueValidator(60 * 24 * 14)]
    )
    retry_other_day_part = models.BooleanField(_("retry in another day-part"), default=False)
    needs_note = models.BooleanField(_("needs a note"), default=False)
    requires_callback = models.BooleanField(_("needs a callback time"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("outcome setting")
        verbose_name_plural = _("outcome settings")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "outcome"], name="unique_outcome_setting"
            )
        ]

    def __str__(self) -> str:
        return f"{self.outcome} ({self.municipality})"


class QueueEntry(models.Model):
    """A case's place in a campaign's call queue, with its reservation (lock) and schedule.

    ``status`` is ``waiting`` until ``next_attempt_at`` passes, then ``ready``; the claim query
    reads only ``ready`` rows through the ``queue_ready`` partial index, in ranking order.
    """

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        READY = "ready", _("Ready to call")
        CLOSED = "closed", _("Closed")

    class Band(models.IntegerChoices):
        CALLBACK = 0, _("Callback")
        CRISIS = 1, _("Crisis")
        NORMAL = 2, _("Normal")

    class ClosedReason(models.TextChoices):
        REACHED = "reached", _("Reached")
        EXHAUSTED = "exhausted", _("Not reached (attempts used up)")
        NO_NUMBER = "no_number", _("No usable number (enrichment)")
        OBJECTION = "objection", _("Objection to calls")
        INVALID_RECORD = "invalid_record", _("Unusable record")
        WITHDRAWN = "withdrawn", _("Case left the call queue")

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="queue_entry")
    # Foreign keys covered by one of the indexes below (or whose target rows are never deleted:
    # outcome codes) get no index of their own: every reservation and outcome rewrites the row,
    # and each index is one more entry to write per update.
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="entries", db_index=False
    )
    municipality = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    band = models.PositiveSmallIntegerField(choices=Band.choices, default=Band.NORMAL)
    is_crisis = models.BooleanField(default=False)
    rank_date = models.DateField(default=FAR_FUTURE_DATE, help_text="The case's deadline.")
    entered_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    current_number = models.ForeignKey(
        "cases.PhoneNumber", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    day_parts_tried = models.PositiveSmallIntegerField(default=0)  # bits, current number
    attempts = models.PositiveIntegerField(default=0)
    callback_due_at = models.DateTimeField(null=True, blank=True)
    callback_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    locked_until = models.DateTimeField(null=True, blank=True)
    lock_token = models.UUIDField(null=True, blank=True)
    locked_inbound = models.BooleanField(default=False)
    scheduled_by = models.CharField(max_length=12, choices=ScheduledBy.choices, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_outcome = models.ForeignKey(
        OutcomeCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    result_outcome = models.ForeignKey(
        OutcomeCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    closed_reason = models.CharField(max_length=20, choices=ClosedReason.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("queue entry")
        verbose_name_plural = _("queue entries")
        indexes = [
            models.Index(
                fields=["campaign", "band", "rank_date", "entered_at", "id"],
                condition=Q(status="ready"),
                name="queue_ready",
            ),
            models.Index(
                fields=["campaign", "next_attempt_at"],
                condition=Q(status="waiting"),
                name="queue_waiting",
            ),
            models.Index(
                fields=["locked_by"], condition=Q(locked_by__isnull=False), name="queue_locked"
            ),
            models.Index(
                fields=["callback_agent"],
                condition=Q(callback_agent__isnull=False),
                name="queue_callback_agent",
            ),
            models.Index(fields=["campaign", "status", "closed_reason"], name="queue_progress"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.case_id}"


class ContactAttempt(models.Model):
    """One attempt to reach a resident (DDAS Contactpoging), with the conversation if there was
    one."""

    class Kind(models.TextChoices):
        """DDAS EnumContactsoort; values are the DDAS names."""

        MAIL = "Mail", _("E-mail")
        LETTER = "Brief", _("Letter")
        SMS = "SMS/Whatsapp", _("SMS/WhatsApp")
        PHONE = "Telefoon", _("Phone")
        HOME_VISIT = "Huisbezoek", _("Home visit")
        CARD = "Kaartje", _("Card")
        OTHER = "Overige", _("Other")
        ADMINISTRATIVE = "Administratief", _("Administrative")

    class Direction(models.TextChoices):
        OUTBOUND = "outbound", _("Outbound")
        INBOUND = "inbound", _("Inbound")

    class NoHelpReason(models.TextChoices):
        ALREADY_SOLVED = "already_solved", _("Already solved")
        PAID_OR_ARRANGED = "paid_or_arranged", _("Paid or payment arrangement")
        HELPED_ELSEWHERE = "helped_elsewhere", _("Already helped elsewhere (e.g. debt counselling)")
        NO_INTEREST = "no_interest", _("No interest")
        OTHER = "other", _("Other")

    municipality = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="contact_attempts"
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, null=True, blank=True, related_name="attempts"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.OUTBOUND
    )
    occurred_at = models.DateTimeField(_("time"))
    day_part = models.CharField(_("day-part"), max_length=10, choices=DayPartChoice.choices)
    reached = models.BooleanField(_("reached"), default=False)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    phone_number = models.ForeignKey(
        "cases.PhoneNumber", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.ForeignKey(
        OutcomeCode, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    script_version = models.ForeignKey(
        ScriptVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    help_requested = models.BooleanField(_("help requested"), null=True, blank=True)
    no_help_reason = models.CharField(
        _("reason for no help"), max_length=20, choices=NoHelpReason.choices, blank=True
    )
    preferred_contact_time = models.CharField(
        _("preferred time for the social worker"), max_length=200, blank=True
    )
    summary = models.TextField(_("short description"), blank=True)
    objection = models.BooleanField(_("objects to further calls"), default=False)
    scheduled_by = models.CharField(
        _("scheduled by"), max_length=12, choices=ScheduledBy.choices, blank=True
    )
    submission_token = models.UUIDField(null=True, blank=True, unique=True)
    message = models.ForeignKey(
        "OutboundMessage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("contact attempt")
        verbose_name_plural = _("contact attempts")
        ordering = ["occurred_at", "pk"]
        indexes = [
            models.Index(fields=["case", "occurred_at"], name="attempt_case"),
            models.Index(fields=["municipality", "occurred_at"], name="attempt_day"),
            models.Index(fields=["phone_number", "occurred_at"], name="attempt_number"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.occurred_at:%Y-%m-%d %H:%M}"


# A callback neither answered nor cancelled.
OPEN_CALLBACK = Q(fulfilled_at__isnull=True, cancelled_at__isnull=True)


class CallbackQuerySet(models.QuerySet):
    def open(self) -> "CallbackQuerySet":
        return self.filter(OPEN_CALLBACK)


class Callback(models.Model):
    """An agreed moment to call a resident again. Held until due, then it jumps the queue."""

    municipality = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey(QueueEntry, on_delete=models.CASCADE, related_name="callbacks")
    due_at = models.DateTimeField(_("call back at"))
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("only for agent"),
    )
    requested_in = models.ForeignKey(
        ContactAttempt, on_delete=models.CASCADE, related_name="+", null=True
    )
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    fulfilled_by = models.ForeignKey(
        ContactAttempt, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    was_missed = models.BooleanField(default=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = CallbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        ordering = ["due_at"]
        indexes = [
            models.Index(
                fields=["municipality", "due_at"],
                condition=OPEN_CALLBACK,
                name="callback_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} @ {self.due_at:%Y-%m-%d %H:%M}"


class OutboundMessage(models.Model):
    """An SMS or e-mail as handed to a messaging backend."""

    class Status(models.TextChoices):
        # Stored before the provider is asked; a message still "sending" later was perhaps
        # delivered, perhaps not (the process stopped while handing it over).
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    municipality = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    template = models.ForeignKey(
        MessageTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=MessageChannel.choices)
    recipient = models.CharField(max_length=254)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    backend = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=Status.choices)
    provider_reference = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.channel} {self.created_at:%Y-%m-%d %H:%M}"
