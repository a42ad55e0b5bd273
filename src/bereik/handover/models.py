"""Warm handover of help requests to social workers, and the shared agenda they publish slots in.

A ``Handover`` belongs to one municipality (the tenant key of ``bereik.accounts.access``) and is
routed to one social-work organisation (``social_work``; empty when the municipality has none).
An ``AppointmentSlot`` belongs to the social-work organisation; an ``Appointment`` books one slot
for one handover. At most one active (not cancelled) appointment per slot: a partial unique
constraint, so double booking is impossible on every database.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from bereik.accounts.models import Organisation


class Handover(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        IN_CONTACT = "in_contact", _("In contact")
        COMPLETED = "completed", _("Completed")
        RETURNED = "returned", _("Returned")

    ACTIVE = (Status.OPEN, Status.ACCEPTED, Status.IN_CONTACT)

    municipality = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="handovers")
    social_work = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("social-work organisation"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("handed over at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("social worker"),
    )
    preferred_contact_time = models.CharField(
        _("preferred contact time"), max_length=200, blank=True
    )
    summary = models.TextField(_("summary"), blank=True)
    requested_in = models.ForeignKey(
        "outreach.ContactAttempt",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    result = models.CharField(_("result"), max_length=60, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    return_reason = models.CharField(_("reason for returning"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=["open", "accepted", "in_contact"]),
                name="one_active_handover_per_case",
            )
        ]
        indexes = [models.Index(fields=["social_work", "status"], name="handover_queue")]

    def __str__(self) -> str:
        return f"{self.case_id} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class AppointmentChannel(models.TextChoices):
    PHONE = "phone", _("By phone")
    OFFICE = "office", _("At the office")
    HOME_VISIT = "home_visit", _("Home visit")
    VIDEO = "video", _("Video call")


class AppointmentSlot(models.Model):
    """A time a social worker is available for a first conversation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    social_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    channel = models.CharField(
        _("kind of appointment"),
        max_length=12,
        choices=AppointmentChannel.choices,
        default=AppointmentChannel.PHONE,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("appointment slot")
        verbose_name_plural = _("appointment slots")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="slot_ends_after_start", condition=Q(ends_at__gt=F("starts_at"))
            ),
            models.UniqueConstraint(
                fields=["social_worker", "starts_at"], name="one_slot_per_worker_start"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "starts_at"], name="slot_agenda")]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M}"


class Appointment(models.Model):
    """A booked slot. Cancelling keeps the row (history) and frees the slot."""

    slot = models.ForeignKey(AppointmentSlot, on_delete=models.PROTECT, related_name="appointments")
    handover = models.ForeignKey(Handover, on_delete=models.PROTECT, related_name="appointments")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="appointments")
    municipality = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    booked_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["slot__starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot"],
                condition=Q(cancelled_at__isnull=True),
                name="one_active_appointment_per_slot",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} @ {self.slot_id}"
