"""SMS and e-mail: the default backend stores and logs, the CM.com adapter speaks HTTP (here to a
stub server on 127.0.0.1), and every message is a DDAS contact attempt."""

import json
import smtplib
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from freezegun import freeze_time

from bereik.outreach import messaging, services
from bereik.outreach.models import ContactAttempt, OutboundMessage
from tests.factories import MessageTemplateFactory

from .conftest import TUESDAY_MORNING as NOW

pytestmark = pytest.mark.django_db


class StubProvider(BaseHTTPRequestHandler):
    received: list = []
    answer: tuple[int, dict] = (200, {})

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        StubProvider.received.append(json.loads(body))
        status, answer = StubProvider.answer
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def provider():
    StubProvider.received = []
    server = HTTPServer(("127.0.0.1", 0), StubProvider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/v1.0/message"
    server.shutdown()


@pytest.fixture
def sms_template(municipality):
    return MessageTemplateFactory(municipality=municipality)


def test_default_backend_stores_the_sms_and_logs_a_contact_attempt(
    make_entry, agent, sms_template, campaign
):
    entry = make_entry()
    message = services.send_message(actor=agent, case=entry.case, template=sms_template)
    assert message.status == OutboundMessage.Status.SENT
    assert message.backend == "log"
    assert message.recipient == "+31612345678"
    assert campaign.caller_id in message.body and entry.case.resident.display_name in message.body
    attempt = ContactAttempt.objects.get(case=entry.case)
    assert attempt.kind == ContactAttempt.Kind.SMS
    assert attempt.message == message


def test_cm_adapter_posts_the_documented_json_and_reads_the_answer(
    make_entry, agent, sms_template, provider, monkeypatch
):
    monkeypatch.setenv("SMS_BACKEND", "cm")
    monkeypatch.setenv("SMS_CM_URL", provider)
    monkeypatch.setenv("SMS_CM_PRODUCT_TOKEN", "00000000-0000-0000-0000-000000000000")
    monkeypatch.setenv("SMS_SENDER", "GemAlfa")
    StubProvider.answer = (
        200,
        {
            "details": "Created 1 message(s)",
            "errorCode": 0,
            "messages": [{"to": "0031612345678", "status": "Accepted", "reference": "r1"}],
        },
    )
    entry = make_entry()
    message = services.send_message(actor=agent, case=entry.case, template=sms_template)
    assert message.status == OutboundMessage.Status.SENT
    assert message.backend == "cm"
    sent = StubProvider.received[0]["messages"]
    assert sent["authentication"] == {"producttoken": "00000000-0000-0000-0000-000000000000"}
    assert sent["msg"][0]["to"] == [{"number": "0031612345678"}]
    assert sent["msg"][0]["from"] == "GemAlfa"
    assert sent["msg"][0]["body"]["content"] == message.body


def test_cm_rejection_is_recorded_as_failed(
    make_entry, agent, sms_template, provider, monkeypatch, caplog
):
    monkeypatch.setenv("SMS_BACKEND", "cm")
    monkeypatch.setenv("SMS_CM_URL", provider)
    monkeypatch.setenv("SMS_CM_PRODUCT_TOKEN", "token")
    StubProvider.answer = (
        400,
        {"details": "Gsm '0031612345678' is not a valid number", "errorCode": 101, "messages": []},
    )
    entry = make_entry()
    message = services.send_message(actor=agent, case=entry.case, template=sms_template)
    assert message.status == OutboundMessage.Status.FAILED
    assert "is not a valid number" in message.error
    assert ContactAttempt.objects.get(case=entry.case).kind == ContactAttempt.Kind.SMS
    [event] = logged(caplog, "sms_rejected")
    assert (event["status"], event["error_code"]) == (400, 101)
    assert event["reference"] == message.provider_reference != ""
    # The number the provider's text quotes stays out of the log (personal data).
    assert not [r for r in caplog.records if "612345678" in str(r.msg)]


def test_unreachable_provider_fails_without_raising():
    def refuse(request, timeout):
        raise OSError("connection refused")

    backend = messaging.CmSmsBackend(
        url="https://sms.invalid/v1.0/message", product_token="t", sender="x", transport=refuse
    )
    delivery = backend.send(messaging.Message("sms", "+31612345678", "hallo"))
    assert not delivery.ok and "connection refused" in delivery.error


@pytest.fixture
def emailed(make_entry, municipality):
    """(an e-mail template, an entry whose resident has an address)"""
    template = MessageTemplateFactory(
        municipality=municipality, channel="email", subject="Uw gemeente", body="Beste {naam}"
    )
    entry = make_entry()
    entry.case.resident.email = "inwoner@example.invalid"
    entry.case.resident.save()
    return template, entry


def test_email_goes_through_the_configured_mailer(emailed, agent):
    template, entry = emailed
    message = services.send_message(actor=agent, case=entry.case, template=template)
    assert message.status == OutboundMessage.Status.SENT
    assert mail.outbox[0].to == ["inwoner@example.invalid"]
    assert ContactAttempt.objects.get(case=entry.case).kind == ContactAttempt.Kind.MAIL


def test_a_refused_email_is_a_failed_message_without_the_address_in_the_log(emailed, agent, caplog):
    template, entry = emailed
    refused = smtplib.SMTPRecipientsRefused({"inwoner@example.invalid": (550, b"no such user")})
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=refused):
        message = services.send_message(actor=agent, case=entry.case, template=template)
    assert message.status == OutboundMessage.Status.FAILED
    assert "inwoner@example.invalid" in message.error
    [event] = logged(caplog, "email_failed")
    assert event["error"] == "SMTPRecipientsRefused"
    assert not [r for r in caplog.records if "inwoner@example.invalid" in str(r.msg)]


def test_template_of_another_municipality_is_refused(make_entry, agent, other_municipality):
    entry = make_entry()
    foreign = MessageTemplateFactory(municipality=other_municipality)
    with pytest.raises(services.OutreachError):
        services.send_message(actor=agent, case=entry.case, template=foreign)


def test_agent_sends_an_sms_from_the_workspace_with_htmx(
    make_entry, agent, sms_template, verified_client
):
    with freeze_time(NOW):
        entry = make_entry()
        client = verified_client(agent)
        client.post(reverse("outreach:next"))
        response = client.post(
            reverse("outreach:send_message", args=[entry.pk]),
            {"template": sms_template.pk},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 200
    assert 'data-testid="send-result"' in response.text
    assert OutboundMessage.objects.filter(case=entry.case).exists()


def test_prenotification_sms_before_the_first_attempt_delays_the_first_call(
    campaign, agent, sms_template, django_capture_on_commit_callbacks
):
    from tests.factories import CaseFactory, PhoneNumberFactory

    campaign.sms_before_first_attempt = True
    campaign.prenotification_template = sms_template
    campaign.save()
    case = CaseFactory(municipality=campaign.municipality, state="call_queue")
    PhoneNumberFactory(resident=case.resident)
    with freeze_time(NOW), django_capture_on_commit_callbacks(execute=True):
        services.enqueue_cases(actor=agent, campaign=campaign)
    assert ContactAttempt.objects.get(case=case).kind == ContactAttempt.Kind.SMS
    assert case.queue_entry.next_attempt_at == NOW + services.PRENOTIFICATION_LEAD


# --- failures: recorded as failed, detail in the log and on the record, never shown raw ---------


def logged(caplog, event):
    """The structlog events (dicts, routed through stdlib logging) with this name."""
    return [r.msg for r in caplog.records if isinstance(r.msg, dict) and r.msg["event"] == event]


def test_an_unknown_sms_backend_is_a_failed_message_not_an_error(
    make_entry, agent, sms_template, monkeypatch, caplog
):
    monkeypatch.setenv("SMS_BACKEND", "kpn")
    entry = make_entry()
    message = services.send_message(actor=agent, case=entry.case, template=sms_template)
    assert message.status == OutboundMessage.Status.FAILED
    assert message.backend == "kpn"
    assert "SMS_BACKEND 'kpn'" in message.error
    assert ContactAttempt.objects.get(case=entry.case).message == message
    [event] = logged(caplog, "message_backend_unavailable")
    assert "SMS_BACKEND 'kpn'" in event["problem"]
    assert event["reference"] == message.provider_reference != ""  # the log finds the record


def test_cm_without_a_product_token_is_a_failed_message_not_an_error(
    make_entry, agent, sms_template, provider, monkeypatch, caplog
):
    monkeypatch.setenv("SMS_BACKEND", "cm")
    monkeypatch.setenv("SMS_CM_URL", provider)
    monkeypatch.delenv("SMS_CM_PRODUCT_TOKEN", raising=False)
    entry = make_entry()
    message = services.send_message(actor=agent, case=entry.case, template=sms_template)
    assert message.status == OutboundMessage.Status.FAILED
    assert message.backend == "cm"
    assert "SMS_CM_PRODUCT_TOKEN" in message.error
    assert StubProvider.received == []  # nothing left Bereik
    assert "SMS_CM_PRODUCT_TOKEN" in logged(caplog, "message_backend_unavailable")[0]["problem"]


def test_a_malformed_sms_timeout_is_a_failed_message_not_an_error(
    make_entry, agent, sms_template, provider, monkeypatch
):
    monkeypatch.setenv("SMS_BACKEND", "cm")
    monkeypatch.setenv("SMS_CM_URL", provider)
    monkeypatch.setenv("SMS_CM_PRODUCT_TOKEN", "token")
    monkeypatch.setenv("SMS_TIMEOUT_SECONDS", "tien")
    entry = make_entry()
    message = services.send_message(actor=agent, case=entry.case, template=sms_template)
    assert message.status == OutboundMessage.Status.FAILED
    assert "SMS_TIMEOUT_SECONDS" in message.error


@pytest.mark.parametrize(
    "answer",
    [
        ["Accepted"],
        "Accepted",
        None,
        {"details": "Created 1 message(s)", "messages": ["Accepted"]},
        {"details": "Created 1 message(s)", "messages": {"status": "Accepted"}},
    ],
    ids=["list", "string", "null", "message-not-an-object", "messages-not-a-list"],
)
def test_cm_answer_that_is_not_the_documented_object_is_a_failed_message(
    answer, make_entry, agent, sms_template, provider, monkeypatch, caplog
):
    monkeypatch.setenv("SMS_BACKEND", "cm")
    monkeypatch.setenv("SMS_CM_URL", provider)
    monkeypatch.setenv("SMS_CM_PRODUCT_TOKEN", "token")
    StubProvider.answer = (200, answer)
    entry = make_entry()
    message = services.send_message(actor=agent, case=entry.case, template=sms_template)
    assert message.status == OutboundMessage.Status.FAILED
    assert message.error.startswith("HTTP 200: unexpected answer")
    [event] = logged(caplog, "sms_unexpected_answer")
    assert event["status"] == 200 and event["reference"] == message.provider_reference != ""


def send_from_workspace(client, entry, template):
    client.post(reverse("outreach:next"))
    return client.post(
        reverse("outreach:send_message", args=[entry.pk]),
        {"template": template.pk},
        HTTP_HX_REQUEST="true",
    )


GENERIC_FAILURE = "Het bericht kon niet worden verstuurd"


@pytest.mark.parametrize(
    ("environment", "answer", "detail"),
    [
        ({"SMS_BACKEND": "kpn"}, None, "SMS_BACKEND 'kpn'"),
        ({"SMS_BACKEND": "cm", "SMS_CM_PRODUCT_TOKEN": ""}, None, "SMS_CM_PRODUCT_TOKEN"),
        (
            {"SMS_BACKEND": "cm", "SMS_CM_PRODUCT_TOKEN": "token"},
            (401, {"details": "Invalid product token", "errorCode": 999, "messages": []}),
            "HTTP 401: Invalid product token",
        ),
        (
            {"SMS_BACKEND": "cm", "SMS_CM_PRODUCT_TOKEN": "token"},
            (200, ["Accepted"]),
            "HTTP 200: unexpected answer",
        ),
    ],
    ids=["unknown-backend", "no-token", "rejected", "not-an-object"],
)
def test_the_agent_sees_a_clear_dutch_message_and_not_the_technical_reason(
    environment,
    answer,
    detail,
    make_entry,
    agent,
    sms_template,
    provider,
    verified_client,
    monkeypatch,
):
    monkeypatch.setenv("SMS_CM_URL", provider)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    if answer is not None:
        StubProvider.answer = answer
    with freeze_time(NOW):
        entry = make_entry()
        response = send_from_workspace(verified_client(agent), entry, sms_template)
    assert response.status_code == 200
    assert GENERIC_FAILURE in response.text
    for technical in (detail, "HTTP", "SMS_", "configuration", "unexpected"):
        assert technical not in response.text
    message = OutboundMessage.objects.get(case=entry.case)
    assert message.status == OutboundMessage.Status.FAILED and detail in message.error


def test_an_unreachable_provider_is_not_shown_to_the_agent(
    make_entry, agent, sms_template, verified_client, monkeypatch
):
    import socket

    with socket.socket() as closed:  # a local port nobody listens on: connection refused
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("SMS_BACKEND", "cm")
    monkeypatch.setenv("SMS_CM_URL", f"http://127.0.0.1:{port}/v1.0/message")
    monkeypatch.setenv("SMS_CM_PRODUCT_TOKEN", "token")
    with freeze_time(NOW):
        entry = make_entry()
        client = verified_client(agent)
        client.post(reverse("outreach:next"))
        response = client.post(  # without htmx: a flash message on the workspace
            reverse("outreach:send_message", args=[entry.pk]),
            {"template": sms_template.pk},
            follow=True,
        )
    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) == 1 and shown[0].startswith(GENERIC_FAILURE)
    assert "unreachable" not in response.text
    assert OutboundMessage.objects.get(case=entry.case).error.startswith("unreachable: ")


class RecordCheckingBackend:
    """Looks, while it is asked to send, at what the database already holds of the message."""

    name = "record-check"
    seen: list = []

    def send(self, message):
        RecordCheckingBackend.seen.append(
            list(
                OutboundMessage.objects.filter(provider_reference=message.reference).values_list(
                    "status", "body"
                )
            )
        )
        return messaging.Delivery(ok=True, backend=self.name, reference="provider-42")


def test_a_message_is_recorded_before_the_provider_is_asked(
    make_entry, agent, sms_template, monkeypatch
):
    monkeypatch.setitem(messaging._REGISTRY, "record-check", RecordCheckingBackend)
    monkeypatch.setenv("SMS_BACKEND", "record-check")
    RecordCheckingBackend.seen = []
    entry = make_entry()
    message = services.send_message(actor=agent, case=entry.case, template=sms_template)
    [[(status, body)]] = RecordCheckingBackend.seen
    assert status == OutboundMessage.Status.SENDING and body == message.body
    assert ContactAttempt.objects.get(case=entry.case).message == message
    message.refresh_from_db()
    assert (message.status, message.provider_reference) == ("sent", "provider-42")
