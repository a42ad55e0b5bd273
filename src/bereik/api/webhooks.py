"""Webhook events: made from the case and handover announcements, stored as deliveries,
signed and sent by the background worker, retried with exponential backoff.

Payloads carry ids and references only (case reference, municipality code, states, the DDAS end
result), never names, numbers or addresses.
"""

import datetime as dt
import json
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import structlog
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bereik.accounts.access import organisations_reaching
from bereik.accounts.models import Organisation
from bereik.cases.workflow import CaseState

from .models import WebhookAttempt, WebhookDelivery, WebhookEvent, WebhookSubscription
from .receiver import signature

log = structlog.get_logger()

MAX_ATTEMPTS = 8
FIRST_RETRY = dt.timedelta(minutes=1)
MAX_RETRY = dt.timedelta(hours=6)
TIMEOUT_SECONDS = 10
USER_AGENT = "Bereik-Webhooks/1"
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def url_is_allowed(url: str) -> bool:
    """HTTPS only; plain HTTP to this machine only where ``BEREIK_WEBHOOK_ALLOW_LOCAL_HTTP`` is
    set (development, tests)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    return (
        getattr(settings, "BEREIK_WEBHOOK_ALLOW_LOCAL_HTTP", False)
        and parts.scheme == "http"
        and (parts.hostname or "") in LOCAL_HOSTS
    )


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failure: 1, 2, 4, 8 ... minutes, at most 6 hours."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), MAX_RETRY)


def subscriptions_reaching(municipality_id: int) -> list[WebhookSubscription]:
    """Active subscriptions of the organisations that reach the municipality: one query,
    whatever the number of subscriptions in the installation (this runs for every case a
    closure or an import moves)."""
    return list(
        WebhookSubscription.objects.filter(
            is_active=True, organisation__in=organisations_reaching(municipality_id)
        )
    )


def publish(
    event: str,
    *,
    municipality_id: int,
    case_id: int | None,
    data: dict,
    subscriptions: list[WebhookSubscription] | None = None,
) -> int:
    """Store a delivery per interested subscription and queue them. Returns the count.
    ``subscriptions``: those reaching the municipality, when the caller already has them."""
    if subscriptions is None:
        subscriptions = subscriptions_reaching(municipality_id)
    subscriptions = [s for s in subscriptions if event in s.events]
    if not subscriptions:
        return 0
    code = (
        Organisation.objects.filter(pk=municipality_id)
        .values_list("municipality_code", flat=True)
        .first()
    )
    now = timezone.now()
    deliveries = []
    with transaction.atomic():
        for subscription in subscriptions:
            delivery = WebhookDelivery(
                subscription=subscription,
                municipality_id=municipality_id,
                case_id=case_id,
                event=event,
                next_attempt_at=now,
            )
            delivery.payload = {
                "id": str(delivery.event_id),
                "type": event,
                "occurredAt": now.isoformat(),
                "municipalityCode": code,
                "data": data,
            }
            delivery.save()
            deliveries.append(delivery.pk)
        transaction.on_commit(lambda: [_enqueue(pk) for pk in deliveries])
    log.info("webhook_published", hook_event=event, deliveries=len(deliveries))
    return len(deliveries)


def _enqueue(delivery_id: int, run_after: dt.datetime | None = None) -> None:
    from .tasks import send_webhook

    task = send_webhook
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # picked up by ``bereik send_webhooks`` (run it from cron)
        task = task.using(run_after=run_after)
    task.enqueue(delivery_id)


def _post(url: str, body: bytes, headers: dict) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def send(delivery_id: int, *, now: dt.datetime | None = None) -> WebhookDelivery | None:
    """One try of one delivery; schedules the next try on failure. Safe to call twice."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("subscription")
            .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
            .first()
        )
        if delivery is None:
            return None
        delivery.attempts += 1
        # Claimed: a parallel worker skips it until this try's outcome is saved.
        delivery.next_attempt_at = now + backoff(delivery.attempts)
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    subscription = delivery.subscription
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Bereik-Event": delivery.event,
        "Bereik-Event-Id": str(delivery.event_id),
        "Bereik-Timestamp": timestamp,
        "Bereik-Signature": signature(subscription.secret, timestamp, body),
    }
    started = time.monotonic()
    status_code, error = None, ""
    if not subscription.is_active:
        error = "subscription deactivated"
    elif not url_is_allowed(subscription.url):
        error = "receiver URL not allowed"
    else:
        try:
            status_code = _post(subscription.url, body, headers)
        except (OSError, ValueError) as exc:
            error = f"{type(exc).__name__}: {exc}"[:300]
    duration = int((time.monotonic() - started) * 1000)
    WebhookAttempt.objects.create(
        delivery=delivery,
        attempted_at=now,
        status_code=status_code,
        error=error,
        duration_ms=duration,
    )
    delivery.last_status_code = status_code
    delivery.last_error = error
    if status_code is not None and 200 <= status_code < 300:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = timezone.now()
    elif delivery.attempts >= MAX_ATTEMPTS or not subscription.is_active:
        delivery.status = WebhookDelivery.Status.FAILED
    delivery.save(update_fields=["last_status_code", "last_error", "status", "delivered_at"])
    log.info(
        "webhook_attempt",
        delivery_id=delivery.pk,
        attempt=delivery.attempts,
        status_code=status_code,
        delivered=delivery.status == WebhookDelivery.Status.DELIVERED,
    )
    if delivery.status == WebhookDelivery.Status.PENDING:
        _enqueue(delivery.pk, run_after=delivery.next_attempt_at)
    return delivery


def send_due(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Try every pending delivery whose time has come (the cron catch-up). Returns the count."""
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        send(pk, now=now)
    return len(due)


# --- receivers ---------------------------------------------------------------------------------


def on_case_transitioned(
    sender, *, case_id, municipality_id, from_state, to_state, end_result, **kw
):
    """Turn a case's move into events. Runs after commit; never raises into the sender."""
    from bereik.cases.models import Case

    events = []
    if to_state in (CaseState.REACHED_HELP, CaseState.REACHED_NO_HELP):
        events.append(WebhookEvent.CASE_REACHED)
    if to_state == CaseState.REACHED_HELP:
        events.append(WebhookEvent.CASE_HELP_REQUESTED)
    if to_state == CaseState.CLOSED:
        events.append(WebhookEvent.CASE_CLOSED)
    if not events:
        return
    try:
        subscriptions = subscriptions_reaching(municipality_id)
        if not any(event in s.events for s in subscriptions for event in events):
            return
        reference = Case.objects.filter(pk=case_id).values_list("reference", flat=True).first()
        data = {
            "caseReference": reference,
            "fromState": str(from_state),
            "state": str(to_state),
            "endResult": end_result or None,
        }
        for event in events:
            publish(
                event,
                municipality_id=municipality_id,
                case_id=case_id,
                data=data,
                subscriptions=subscriptions,
            )
    except Exception:
        log.exception("webhook_publish_failed", case_id=case_id)


def on_handover_accepted(sender, *, handover, **kwargs):
    try:
        publish(
            WebhookEvent.HANDOVER_ACCEPTED,
            municipality_id=handover.municipality_id,
            case_id=handover.case_id,
            data={
                "handoverId": handover.pk,
                "caseReference": handover.case.reference,
                "socialWorkOrganisation": handover.social_work.name,
                "acceptedAt": handover.accepted_at.isoformat() if handover.accepted_at else None,
            },
        )
    except Exception:
        log.exception("webhook_publish_failed", handover_id=handover.pk)
