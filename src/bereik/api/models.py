"""API tokens, webhook subscriptions and their delivery log, and calls reported by telephony.

A token belongs to one organisation and reaches the municipalities that organisation reaches
(itself, or those of its current service agreements, as for users; see
``bereik.accounts.access``). Its secret is stored only as a SHA-256 hash.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bereik.accounts.models import Organisation


class Scope(models.TextChoices):
    SIGNALS_WRITE = "signals:write", _("Deliver signals")
    CASES_READ = "cases:read", _("Read cases")
    ATTEMPTS_WRITE = "attempts:write", _("Register call results (telephony)")
    CALLERS_READ = "callers:read", _("Look up inbound callers")
    HANDOVERS_READ = "handovers:read", _("Read handovers")
    HANDOVERS_WRITE = "handovers:write", _("Accept handovers and register results")
    FIGURES_READ = "figures:read", _("Read report figures")
    DDAS_READ = "ddas:read", _("Download the DDAS delivery")
    WEBHOOKS_WRITE = "webhooks:write", _("Manage webhook subscriptions")


class ApiToken(models.Model):
    """An application's credential: ``brk_<prefix>_<secret>``, shown once at creation."""

    name = models.CharField(_("application"), max_length=100)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="api_tokens",
        verbose_name=_("organisation"),
    )
    scopes = models.JSONField(_("scopes"), default=list)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["organisation__name", "name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def audit_label(self) -> str:
        """How the token appears as actor in the audit trail."""
        return f"api:{self.prefix}:{self.name}"[:150]

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return "expired"
        return "active"


class WebhookEvent(models.TextChoices):
    CASE_REACHED = "case.reached", _("Case reached (resident spoken to)")
    CASE_HELP_REQUESTED = "case.help-requested", _("Help requested")
    HANDOVER_ACCEPTED = "handover.accepted", _("Handover accepted by social work")
    CASE_CLOSED = "case.closed", _("Case closed")


class WebhookSubscription(models.Model):
    """Where an organisation wants to hear about events in its municipalities."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    url = models.URLField(_("receiver URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    # Kept readable: the sender needs it to sign. Shown to the integrator once, at creation.
    secret = models.CharField(max_length=64)
    is_active = models.BooleanField(_("active"), default=True)
    created_by_token = models.ForeignKey(
        ApiToken, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event for one subscription, sent (and retried) by the background worker."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed (gave up)")

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    municipality = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    case_id = models.BigIntegerField(null=True, blank=True)  # for the retention purge
    event = models.CharField(_("event"), max_length=40, choices=WebhookEvent.choices)
    event_id = models.UUIDField(default=uuid.uuid4, unique=True)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], condition=models.Q(status="pending"), name="hook_due"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.event_id}"


class WebhookAttempt(models.Model):
    """The delivery log: every try, with the receiver's answer."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    attempted_at = models.DateTimeField(_("time"))
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["attempted_at", "pk"]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.status_code or self.error}"


class TelephonyCall(models.Model):
    """A finished call reported by a telephony system, with what the contact attempt cannot hold
    (its duration and the system's own call id, which makes a report idempotent)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    call_id = models.CharField(_("call id"), max_length=100)
    attempt = models.OneToOneField(
        "outreach.ContactAttempt", on_delete=models.CASCADE, related_name="telephony_call"
    )
    started_at = models.DateTimeField(_("started"))
    duration_seconds = models.PositiveIntegerField(_("duration (s)"), default=0)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("telephony call")
        verbose_name_plural = _("telephony calls")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "call_id"], name="unique_call_id")
        ]

    def __str__(self) -> str:
        return self.call_id
