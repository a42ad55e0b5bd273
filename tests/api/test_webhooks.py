"""Webhook subscriptions (CRUD), signed deliveries to a real local HTTP server, retries with
backoff, the delivery log, and the receiver's verification helper (signature, replay)."""

import datetime as dt
import http.server
import json
import threading

import pytest
from django.utils import timezone

from bereik.api import webhooks
from bereik.api.models import Scope, WebhookDelivery, WebhookSubscription
from bereik.api.receiver import RejectedWebhook, WebhookVerifier
from bereik.cases.workflow import CaseState, transition
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _local_receivers(settings):
    settings.BEREIK_WEBHOOK_ALLOW_LOCAL_HTTP = True


URL = "/api/v1/webhook-subscriptions"


class Receiver:
    """A local HTTP server that records what it receives and answers with ``status``."""

    def __init__(self):
        self.received: list[tuple[dict, bytes]] = []
        self.status = 204
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def hooks_client(municipality, make_token, api):
    _token, secret = make_token(municipality, Scope.WEBHOOKS_WRITE)
    return api(secret)


def subscribe(client, url, events=("case.reached", "case.help-requested", "case.closed")):
    response = client.post(URL, {"url": url, "events": list(events)}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_plain_http_to_this_machine_needs_the_development_setting(hooks_client, settings):
    settings.BEREIK_WEBHOOK_ALLOW_LOCAL_HTTP = False
    body = {"url": "http://127.0.0.1:8000/hooks", "events": ["case.closed"]}
    assert hooks_client.post(URL, body, format="json").status_code == 400


def test_subscriptions_crud(hooks_client):
    created = subscribe(hooks_client, "https://zaaksysteem.example.nl/hooks")
    assert len(created["secret"]) == 64
    listed = hooks_client.get(URL).json()
    assert [s["id"] for s in listed["results"]] == [created["id"]]
    assert "secret" not in listed["results"][0]
    path = f"{URL}/{created['id']}"
    changed = hooks_client.patch(path, {"events": ["case.closed"]}, format="json").json()
    assert changed["events"] == ["case.closed"]
    assert hooks_client.delete(path).status_code == 204
    assert hooks_client.get(path).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"url": "http://zaaksysteem.example.nl/hooks", "events": ["case.closed"]},
        {"url": "https://zaaksysteem.example.nl/hooks", "events": ["case.teleported"]},
        {"url": "https://zaaksysteem.example.nl/hooks", "events": []},
        {"url": "https://zaaksysteem.example.nl/hooks", "events": ["case.closed"], "x": 1},
    ],
)
def test_invalid_subscriptions_are_400(hooks_client, body):
    response = hooks_client.post(URL, body, format="json")
    assert response.status_code == 400
    assert not WebhookSubscription.objects.exists()


def test_another_organisations_subscription_is_404(
    other_municipality, hooks_client, make_token, api
):
    _token, secret = make_token(other_municipality, Scope.WEBHOOKS_WRITE)
    theirs = subscribe(api(secret), "https://beta.example.nl/hooks")
    path = f"{URL}/{theirs['id']}"
    assert hooks_client.get(path).status_code == 404
    assert hooks_client.patch(path, {"events": ["case.closed"]}, format="json").status_code == 404
    assert hooks_client.delete(path).status_code == 404
    assert WebhookSubscription.objects.filter(pk=theirs["id"]).exists()


def test_a_reached_case_is_delivered_signed_and_verifiable(
    municipality, hooks_client, receiver, django_capture_on_commit_callbacks
):
    subscription = subscribe(hooks_client, receiver.url)
    case = CaseFactory(municipality=municipality, reference="VS-HOOK", state="call_queue")
    with django_capture_on_commit_callbacks(execute=True):
        transition(case, CaseState.REACHED_HELP)
    events = [json.loads(body)["type"] for _headers, body in receiver.received]
    assert sorted(events) == ["case.help-requested", "case.reached"]
    headers, body = receiver.received[0]
    verifier = WebhookVerifier(subscription["secret"])
    event = verifier.verify(headers, body)
    assert event["data"]["caseReference"] == "VS-HOOK"
    assert event["municipalityCode"] == "0001"
    assert case.resident.surname not in body.decode()
    assert headers["Bereik-Event-Id"] == event["id"]
    with pytest.raises(RejectedWebhook, match="replay"):
        verifier.verify(headers, body)
    assert WebhookDelivery.objects.filter(status="delivered").count() == 2


def test_the_verifier_rejects_tampering_and_old_timestamps(
    municipality, hooks_client, receiver, django_capture_on_commit_callbacks
):
    subscription = subscribe(hooks_client, receiver.url, events=["case.closed"])
    case = CaseFactory(municipality=municipality, state="call_queue")
    with django_capture_on_commit_callbacks(execute=True):
        transition(case, CaseState.CLOSED, end_result="Inwoner is overleden")
    headers, body = receiver.received[0]
    assert json.loads(body)["data"]["endResult"] == "Inwoner is overleden"
    with pytest.raises(RejectedWebhook, match="signature"):
        WebhookVerifier(subscription["secret"]).verify(headers, body.replace(b"overleden", b"x"))
    with pytest.raises(RejectedWebhook, match="signature"):
        WebhookVerifier("another secret").verify(headers, body)
    later = int(headers["Bereik-Timestamp"]) + 301
    with pytest.raises(RejectedWebhook, match="timestamp"):
        WebhookVerifier(subscription["secret"]).verify(headers, body, now=later)


def test_a_failing_receiver_is_retried_with_backoff_and_logged(
    municipality, hooks_client, receiver, django_capture_on_commit_callbacks
):
    subscribe(hooks_client, receiver.url, events=["case.closed"])
    receiver.status = 503
    case = CaseFactory(municipality=municipality, state="call_queue")
    with django_capture_on_commit_callbacks(execute=True):
        transition(case, CaseState.CLOSED, end_result="Inwoner is overleden")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 503)
    first_wait = delivery.next_attempt_at - delivery.log.get().attempted_at
    assert first_wait == webhooks.FIRST_RETRY
    assert webhooks.send_due() == 0  # not yet due
    receiver.status = 200
    assert webhooks.send_due(now=timezone.now() + dt.timedelta(minutes=2)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    assert [a.status_code for a in delivery.log.all()] == [503, 200]
    first, second = (json.loads(body)["id"] for _headers, body in receiver.received)
    assert first == second  # the same event id: receivers deduplicate retries


def test_backoff_doubles_and_gives_up_after_the_maximum(
    municipality, hooks_client, receiver, django_capture_on_commit_callbacks
):
    assert [webhooks.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert webhooks.backoff(20) == webhooks.MAX_RETRY
    subscribe(hooks_client, receiver.url, events=["case.closed"])
    receiver.status = 500
    case = CaseFactory(municipality=municipality, state="call_queue")
    with django_capture_on_commit_callbacks(execute=True):
        transition(case, CaseState.CLOSED, end_result="Inwoner is overleden")
    delivery = WebhookDelivery.objects.get()
    moment = timezone.now()
    while delivery.status == "pending":
        moment += webhooks.MAX_RETRY
        webhooks.send_due(now=moment)
        delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", webhooks.MAX_ATTEMPTS)


def test_events_of_other_municipalities_are_not_sent(
    other_municipality, hooks_client, receiver, django_capture_on_commit_callbacks
):
    subscribe(hooks_client, receiver.url)
    case = CaseFactory(municipality=other_municipality, state="call_queue")
    with django_capture_on_commit_callbacks(execute=True):
        transition(case, CaseState.REACHED_NO_HELP)
    assert receiver.received == []
    assert not WebhookDelivery.objects.exists()


def test_a_moved_case_costs_the_same_queries_however_many_subscriptions_exist(
    municipality,
    hooks_client,
    receiver,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    """The receiver runs for every case a closure or an import moves: its cost must not grow
    with the number of other organisations' subscriptions in the installation."""
    from tests.factories import MunicipalityFactory

    for _ in range(20):
        other = MunicipalityFactory()
        WebhookSubscription.objects.create(
            organisation=other, url=receiver.url, events=["case.reached", "case.closed"]
        )
    case = CaseFactory(municipality=municipality, state="call_queue")
    with django_assert_max_num_queries(4):  # subscriptions; nothing subscribed here: done
        webhooks.on_case_transitioned(
            None,
            case_id=case.pk,
            municipality_id=municipality.pk,
            from_state=CaseState.CALL_QUEUE,
            to_state=CaseState.REACHED_NO_HELP,
            end_result="",
        )
    assert not WebhookDelivery.objects.exists()

    subscribe(hooks_client, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        transition(case, CaseState.REACHED_NO_HELP)
    assert WebhookDelivery.objects.filter(municipality=municipality).count() == 1
