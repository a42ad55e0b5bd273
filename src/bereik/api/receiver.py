"""Verifying a Bereik webhook on the receiving side: a self-contained example (standard library
only) that integrators may copy. See docs/api.md, "Receiving webhooks".

A delivery carries ``Bereik-Timestamp`` (Unix seconds), ``Bereik-Event-Id`` (a UUID) and
``Bereik-Signature: v1=<hex>``, the HMAC-SHA256 with the subscription's secret over
``"<timestamp>." + body``. A receiver accepts a delivery only when the signature matches, the
timestamp is recent (default: within 5 minutes) and the event id was not seen before.
"""

import hashlib
import hmac
import json
import time


class RejectedWebhook(Exception):
    """The delivery must be refused; answer 400 (bad signature) or 409 (replay)."""


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "v1=" + digest.hexdigest()


class WebhookVerifier:
    """Keep one per subscription secret; ``seen`` remembers event ids (use a shared store with
    an expiry of at least twice the tolerance when you run several receiver processes)."""

    def __init__(self, secret: str, *, tolerance_seconds: int = 300, seen: set | None = None):
        self.secret = secret
        self.tolerance = tolerance_seconds
        self.seen = seen if seen is not None else set()

    def verify(self, headers: dict, body: bytes, *, now: float | None = None) -> dict:
        """Return the event as a dict, or raise ``RejectedWebhook``."""
        lower = {key.lower(): value for key, value in headers.items()}
        timestamp = lower.get("bereik-timestamp", "")
        event_id = lower.get("bereik-event-id", "")
        given = lower.get("bereik-signature", "")
        if not (timestamp.isdigit() and event_id and given):
            raise RejectedWebhook("missing signature headers")
        expected = signature(self.secret, timestamp, body)
        if not hmac.compare_digest(expected, given):
            raise RejectedWebhook("signature does not match")
        now = time.time() if now is None else now
        if abs(now - int(timestamp)) > self.tolerance:
            raise RejectedWebhook("timestamp outside the tolerance")
        if event_id in self.seen:
            raise RejectedWebhook("event already received (replay)")
        self.seen.add(event_id)
        return json.loads(body)
