"""The API's rows in the retention purge and the exports."""

import pytest

from bereik.api.models import Scope, TelephonyCall, WebhookDelivery, WebhookSubscription
from bereik.privacy.registry import exporters, purgers
from tests.factories import QueueEntryFactory

pytestmark = pytest.mark.django_db


def test_purge_removes_call_records_and_deliveries_of_the_cases(
    municipality, contact_centre, make_token, api
):
    entry = QueueEntryFactory(campaign__municipality=municipality)
    _token, secret = make_token(contact_centre, Scope.ATTEMPTS_WRITE)
    api(secret).post(
        "/api/v1/contact-attempts",
        {
            "callId": "pbx-1",
            "phoneNumber": "0612345678",
            "startedAt": "2026-11-02T10:00:00+01:00",
            "durationSeconds": 3,
            "resultCode": "geen_gehoor",
        },
        format="json",
    )
    subscription = WebhookSubscription.objects.create(
        organisation=municipality, url="https://a.example.nl/h", events=[], secret="s"
    )
    WebhookDelivery.objects.create(
        subscription=subscription, municipality=municipality, case_id=entry.case_id, event="x"
    )
    tables = exporters()["api"](municipality=municipality, resident_ids=[entry.case.resident_id])
    rows = list(tables[0].rows)
    assert [(row["call_id"], row["duration_seconds"]) for row in rows] == [("pbx-1", 3)]
    counts = purgers()["api"](case_ids=[entry.case_id], resident_ids=[])
    assert counts == {"telephony_calls": 1, "webhook_deliveries": 1}
    assert not TelephonyCall.objects.exists()
    assert purgers()["api"](case_ids=[entry.case_id], resident_ids=[]) == {
        "telephony_calls": 0,
        "webhook_deliveries": 0,
    }
