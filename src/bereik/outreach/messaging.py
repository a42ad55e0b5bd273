"""Sending SMS and e-mail: one small interface, a registry of backends, and the backends.

- ``log`` (default): sends nothing; the message is stored by ``services.send_message`` as an
  ``OutboundMessage`` and written to the log. Enough for a demo or a pilot without a provider.
- ``cm``: CM.com's Business Messaging JSON API (a Dutch provider used by municipalities), over
  ``urllib`` from the standard library. Configured by ``SMS_*`` environment variables.
- E-mail goes through Django's configured mailer (``EMAIL_URL``).

Another provider is one class with a ``send`` method and a ``register`` call.
"""

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import structlog
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
    reference: str = ""
    error: str = ""


class MessageBackend(Protocol):
    name: str

    def send(self, message: Message) -> Delivery: ...


_REGISTRY: dict[str, Callable[[], MessageBackend]] = {}


def register(name: str, factory: Callable[[], MessageBackend]) -> None:
    _REGISTRY[name] = factory


def backend_for(channel: str) -> MessageBackend:
    if channel == "email":
        return _REGISTRY["email"]()
    name = env("SMS_BACKEND")
    try:
        return _REGISTRY[name]()
    except KeyError:
        raise LookupError(f"SMS_BACKEND {name!r} is not one of {sorted(_REGISTRY)}") from None


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
            return Delivery(ok=False, backend=self.name, error=str(error)[:500])
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
            logger.warning("sms_provider_unreachable", backend=self.name, error=str(error))
            return Delivery(ok=False, backend=self.name, error=f"unreachable: {error}"[:500])
        try:
            answer = json.loads(body or b"{}")
        except ValueError:
            answer = {}
        results = answer.get("messages") or [{}]
        first = results[0] if isinstance(results, list) and results else {}
        accepted = 200 <= status < 300 and first.get("status", "Accepted") == "Accepted"
        if not accepted:
            detail = first.get("messageDetails") or answer.get("details") or ""
            logger.warning("sms_rejected", backend=self.name, status=status)
            return Delivery(ok=False, backend=self.name, error=f"HTTP {status}: {detail}"[:500])
        return Delivery(
            ok=True, backend=self.name, reference=str(first.get("reference") or message.reference)
        )


register("log", LogBackend)
register("email", EmailBackend)
register("cm", CmSmsBackend.from_env)
