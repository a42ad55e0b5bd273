"""Handovers for social work's systems, report figures and the DDAS delivery over the API."""

import http.server
import json
import threading

import pytest

from bereik.accounts.roles import Role
from bereik.api.models import Scope, WebhookDelivery
from bereik.audit.models import AuditEntry
from bereik.cases.results import EndResult
from bereik.handover.models import Handover
from tests.factories import (
    CaseFactory,
    HandoverFactory,
    ProviderFactory,
    ServiceAgreementFactory,
    SignalFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def social_work(municipality):
    organisation = ProviderFactory(social_work=True, name="Sociaal Werk Alfa")
    ServiceAgreementFactory(provider=organisation, municipality=municipality)
    return organisation


@pytest.fixture
def worker(make_member, social_work):
    return make_member(Role.SOCIAL_WORKER, social_work, username="hanna")


@pytest.fixture
def handover(municipality, social_work):
    made = HandoverFactory(case__municipality=municipality, social_work=social_work)
    SignalFactory(case=made.case)
    return made


@pytest.fixture
def social_client(social_work, make_token, api):
    _token, secret = make_token(social_work, Scope.HANDOVERS_READ, Scope.HANDOVERS_WRITE)
    return api(secret)


def test_social_work_lists_its_handovers(handover, social_client, other_municipality):
    HandoverFactory(case__municipality=other_municipality)
    data = social_client.get("/api/v1/handovers?status=open").json()
    assert [h["id"] for h in data["results"]] == [handover.pk]
    item = data["results"][0]
    assert item["caseReference"] == handover.case.reference
    assert item["preferredContactTime"] == "dinsdagmiddag"
    assert item["status"] == "open"


def test_accept_and_register_the_result(handover, worker, social_client, settings):
    accepted = social_client.post(
        f"/api/v1/handovers/{handover.pk}/accept", {"socialWorker": "hanna"}, format="json"
    )
    assert accepted.status_code == 200, accepted.content
    assert (accepted.json()["status"], accepted.json()["assignedTo"]) == ("accepted", "hanna")
    again = social_client.post(
        f"/api/v1/handovers/{handover.pk}/accept", {"socialWorker": "hanna"}, format="json"
    )
    assert again.status_code == 409
    result = social_client.post(
        f"/api/v1/handovers/{handover.pk}/result",
        {"socialWorker": "hanna", "result": EndResult.NO_REACTION_AFTER_CONTACT},
        format="json",
    )
    assert result.status_code == 200, result.content
    handover.refresh_from_db()
    assert handover.status == Handover.Status.COMPLETED
    assert handover.case.state == "closed"


def test_accept_needs_a_social_worker_of_that_organisation(
    handover, social_client, make_member, municipality
):
    make_member(Role.COORDINATOR, municipality, username="coco")
    unknown = social_client.post(
        f"/api/v1/handovers/{handover.pk}/accept", {"socialWorker": "nobody"}, format="json"
    )
    assert unknown.status_code == 400
    outsider = social_client.post(
        f"/api/v1/handovers/{handover.pk}/accept", {"socialWorker": "coco"}, format="json"
    )
    assert outsider.status_code == 409
    handover.refresh_from_db()
    assert handover.status == Handover.Status.OPEN


def test_a_municipality_token_reads_but_cannot_accept(
    handover, worker, municipality, make_token, api
):
    _token, secret = make_token(municipality, Scope.HANDOVERS_READ, Scope.HANDOVERS_WRITE)
    client = api(secret)
    assert client.get("/api/v1/handovers").json()["count"] == 1
    response = client.post(
        f"/api/v1/handovers/{handover.pk}/accept", {"socialWorker": "hanna"}, format="json"
    )
    assert response.status_code == 404


def test_another_social_work_organisations_handover_is_404(
    handover, other_municipality, make_token, api
):
    other = ProviderFactory(social_work=True, name="Sociaal Werk Beta")
    ServiceAgreementFactory(provider=other, municipality=other_municipality)
    _token, secret = make_token(other, Scope.HANDOVERS_READ, Scope.HANDOVERS_WRITE)
    client = api(secret)
    assert client.get("/api/v1/handovers").json()["count"] == 0
    response = client.post(
        f"/api/v1/handovers/{handover.pk}/accept", {"socialWorker": "x"}, format="json"
    )
    assert response.status_code == 404


def test_accepting_sends_the_handover_accepted_webhook(
    handover,
    worker,
    social_client,
    municipality,
    make_token,
    api,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.BEREIK_WEBHOOK_ALLOW_LOCAL_HTTP = True
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        _token, secret = make_token(municipality, Scope.WEBHOOKS_WRITE)
        api(secret).post(
            "/api/v1/webhook-subscriptions",
            {
                "url": f"http://127.0.0.1:{server.server_address[1]}/",
                "events": ["handover.accepted"],
            },
            format="json",
        )
        with django_capture_on_commit_callbacks(execute=True):
            social_client.post(
                f"/api/v1/handovers/{handover.pk}/accept", {"socialWorker": "hanna"}, format="json"
            )
    finally:
        server.shutdown()
        server.server_close()
    events = [json.loads(body) for body in received]
    assert [e["type"] for e in events] == ["handover.accepted"]
    assert events[0]["data"]["caseReference"] == handover.case.reference
    assert WebhookDelivery.objects.get().status == "delivered"


def test_figures_are_aggregates_with_camel_case_keys(municipality, make_token, api):
    CaseFactory.create_batch(3, municipality=municipality)
    _token, secret = make_token(municipality, Scope.FIGURES_READ)
    response = api(secret).get("/api/v1/figures?periodStart=2026-10-01&periodEnd=2026-10-31")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["period"] == {"start": "2026-10-01", "end": "2026-10-31"}
    assert "byPartnerType" in data and "by_partner_type" not in data


@pytest.mark.parametrize(
    "query",
    [
        "?periodStart=2026-10-31&periodEnd=2026-10-01",
        "?periodStart=gisteren",
        "?periodEnd=2030-01-01&periodStart=2020-01-01",
    ],
)
def test_bad_periods_are_400(municipality, make_token, api, query):
    _token, secret = make_token(municipality, Scope.FIGURES_READ)
    assert api(secret).get("/api/v1/figures" + query).status_code == 400


def test_figures_of_another_municipality_are_404(municipality, other_municipality, make_token, api):
    _token, secret = make_token(municipality, Scope.FIGURES_READ)
    assert api(secret).get("/api/v1/figures?municipalityCode=0002").status_code == 404


def test_ddas_delivery_for_the_municipalitys_own_token_is_audited_as_export(
    municipality, make_token, api
):
    case = CaseFactory(municipality=municipality)
    SignalFactory(case=case)
    token, secret = make_token(municipality, Scope.DDAS_READ)
    response = api(secret).get(
        "/api/v1/ddas-deliveries?periodStart=2026-10-01&periodEnd=2026-10-31"
    )
    assert response.status_code in (200, 422), response.content
    if response.status_code == 200:
        assert response.json()["leveringen"][0]["gemeentecode"] == "0001"
    assert AuditEntry.objects.filter(
        object_type="reporting.ddas_delivery", actor_label=token.audit_label, action="export"
    ).exists()


def test_ddas_delivery_is_refused_to_a_provider_token(contact_centre, make_token, api):
    _token, secret = make_token(contact_centre, Scope.DDAS_READ)
    assert api(secret).get("/api/v1/ddas-deliveries").status_code == 403
