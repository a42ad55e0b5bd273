"""Sending SMS and e-mail: one small interface, a registry of backends, and the backends.

- ``log`` (default): sends nothing; the message is stored by ``services.send_message`` as an
  ``OutboundMessage`` and written to the log. Enough for a demo or a pilot without a provider.
- ``cm``: CM.com's Business Messaging JSON API (a Dutch provider used by municipalities), over
  ``urllib`` from the standard library. Configured by ``SMS_*`` environment variables.
- E-mail goes through Django's configured mailer (``EMAIL_URL``).

Another provider is one class with a ``send`` method and a ``register`` call.

A backend never raises for a message that could not be sent: it returns a failed ``Delivery``
whose ``error`` (the technical reason: configuration, HTTP status, provider details) is stored on
the ``OutboundMessage`` and logged with the message's reference; the agent is shown a generic
message. A backend that cannot even be set up (unknown ``SMS_BACKEND``, missing product token)
is replaced by ``UnavailableBackend``, which fails every message the same way.
"""

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import structlog
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage

from bereik.conf.env import env

logger = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Message:
    channel: str  # "sms" | "email"
    recipient: str  # E.164 number or e-mail address
    body: str
    subject: str = ""
    reference: str = ""  # our id, echoed by providers in delivery reports


@dataclass(frozen=True)
class Delivery:
    ok: bool
    backend: str
    reference: str = ""  # on a failure too: links the log events to the stored message
    error: str = ""


def failed(
    backend: str, message: Message, reason: str, *, event: str, level: str = "warning", **details
) -> Delivery:
    """A message that was not sent: logged as ``event`` with the message's reference (so the log
    finds the stored message), its technical ``reason`` kept as the delivery's error."""
    getattr(logger, level)(event, backend=backend, reference=message.reference, **details)
    return Delivery(ok=False, backend=backend, reference=message.reference, error=reason[:500])


class MessageBackend(Protocol):
    name: str

    def send(self, message: Message) -> Delivery: ...


_REGISTRY: dict[str, Callable[[], MessageBackend]] = {}


def register(name: str, factory: Callable[[], MessageBackend]) -> None:
    _REGISTRY[name] = factory


def backend_for(channel: str) -> MessageBackend:
    """The backend for a channel. Never raises: a misconfigured SMS backend (an unknown
    ``SMS_BACKEND``, a missing product token, a malformed timeout) becomes an
    :class:`UnavailableBackend`, so the message is stored as failed instead of the page failing."""
    if channel == "email":
        return _REGISTRY["email"]()
    try:
        name = env("SMS_BACKEND")
    except ImproperlyConfigured as error:
        return UnavailableBackend("sms", str(error))
    factory = _REGISTRY.get(name)
    if factory is None:
        return UnavailableBackend(name, f"SMS_BACKEND {name!r} is not one of {sorted(_REGISTRY)}")
    try:
        return factory()
    except (LookupError, ImproperlyConfigured) as error:
        return UnavailableBackend(name, str(error))


class UnavailableBackend:
    """Stands in for a backend that could not be set up: sends nothing, every message fails with
    the configuration problem as its (technical) error, and each attempt is logged as an error
    for the administrator."""

    def __init__(self, name: str, problem: str):
        self.name = (name or "sms")[:40]  # OutboundMessage.backend holds 40 characters
        self.problem = problem

    def send(self, message: Message) -> Delivery:
        return failed(
            self.name,
            message,
            f"configuration: {self.problem}",
            event="message_backend_unavailable",
            level="error",  # every message fails until an administrator mends the configuration
            channel=message.channel,
            problem=self.problem,
        )


class LogBackend:
    """Sends nothing. The service stores the message; this writes one log event."""

    name = "log"

    def send(self, message: Message) -> Delivery:
        logger.info(
            "message_logged",
            channel=message.channel,
            reference=message.reference,
            length=len(message.body),
        )
        return Delivery(ok=True, backend=self.name, reference=message.reference)


class EmailBackend:
    name = "email"

    def send(self, message: Message) -> Delivery:
        try:
            EmailMessage(subject=message.subject, body=message.body, to=[message.recipient]).send()
        except OSError as error:
            # The error's text may name the address: kept with the message, not logged.
            return failed(
                self.name, message, str(error), event="email_failed", error=type(error).__name__
            )
        return Delivery(ok=True, backend=self.name, reference=message.reference)


# (request, timeout) -> (HTTP status, response body). Tests inject their own.
Transport = Callable[[urllib.request.Request, float], tuple[int, bytes]]


def urllib_transport(request: urllib.request.Request, timeout: float) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (https URL from configuration)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class CmSmsBackend:
    """CM.com Business Messaging: ``POST {url}`` with the product token in the JSON body."""

    name = "cm"

    def __init__(
        self,
        *,
        url: str,
        product_token: str,
        sender: str,
        timeout: float = 10.0,
        transport: Transport = urllib_transport,
    ):
        if not product_token:
            raise LookupError("SMS_CM_PRODUCT_TOKEN is required for SMS_BACKEND=cm")
        self.url = url
        self.product_token = product_token
        self.sender = sender
        self.timeout = timeout
        self.transport = transport

    @classmethod
    def from_env(cls) -> "CmSmsBackend":
        return cls(
            url=env("SMS_CM_URL"),
            product_token=env("SMS_CM_PRODUCT_TOKEN"),
            sender=env("SMS_SENDER"),
            timeout=env("SMS_TIMEOUT_SECONDS"),
        )

    def payload(self, message: Message) -> dict:
        number = message.recipient
        if number.startswith("+"):
            number = "00" + number[1:]
        return {
            "messages": {
                "authentication": {"producttoken": self.product_token},
                "msg": [
                    {
                        "allowedChannels": ["SMS"],
                        "from": self.sender,
                        "to": [{"number": number}],
                        "body": {"type": "auto", "content": message.body},
                        "reference": message.reference,
                    }
                ],
            }
        }

    def send(self, message: Message) -> Delivery:
        data = json.dumps(self.payload(message)).encode()
        request = urllib.request.Request(  # noqa: S310 (https URL from configuration)
            self.url,
            data=data,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        try:
            status, body = self.transport(request, self.timeout)
        except (OSError, urllib.error.URLError) as error:
            return failed(
                self.name,
                message,
                f"unreachable: {error}",
                event="sms_provider_unreachable",
                error=str(error),
            )
        try:
            answer = json.loads(body or b"{}")
        except ValueError:
            answer = {}
        if not isinstance(answer, dict):
            return self._unexpected(message, status, answer)
        results = answer.get("messages") or [{}]
        if not isinstance(results, list) or not isinstance(results[0], dict):
            return self._unexpected(message, status, results)
        first = results[0]
        accepted = 200 <= status < 300 and first.get("status", "Accepted") == "Accepted"
        if not accepted:
            detail = first.get("messageDetails") or answer.get("details") or ""
            # The provider's text may quote the number: it stays with the stored message (which
            # the retention terms purge), the log gets the codes only.
            return failed(
                self.name,
                message,
                f"HTTP {status}: {detail}",
                event="sms_rejected",
                status=status,
                error_code=first.get("messageErrorCode", answer.get("errorCode")),
            )
        return Delivery(
            ok=True, backend=self.name, reference=str(first.get("reference") or message.reference)
        )

    def _unexpected(self, message: Message, status: int, part: object) -> Delivery:
        """Not the documented answer (a list, a string, a number where an object belongs): we
        cannot tell whether the message was accepted, so it counts as failed."""
        shape = type(part).__name__
        return failed(
            self.name,
            message,
            f"HTTP {status}: unexpected answer ({shape})",
            event="sms_unexpected_answer",
            status=status,
            shape=shape,
        )


register("log", LogBackend)
register("email", EmailBackend)
register("cm", CmSmsBackend.from_env)
