"""The API's part in the retention purge and the exports: telephony call records (a call's
duration and the telephony system's id) and webhook deliveries about a case."""

from bereik.privacy.registry import Column, Table

from .models import TelephonyCall, WebhookDelivery


def purge_api(*, case_ids: list[int], resident_ids: list[int]) -> dict[str, int]:
    calls, _by_model = TelephonyCall.objects.filter(attempt__case_id__in=case_ids).delete()
    deliveries, _by_model = WebhookDelivery.objects.filter(case_id__in=case_ids).delete()
    return {"telephony_calls": calls, "webhook_deliveries": deliveries}


def export_api(*, municipality, resident_ids: list[int] | None) -> list[Table]:
    calls = TelephonyCall.objects.filter(attempt__municipality=municipality).select_related(
        "attempt__case"
    )
    if resident_ids is not None:
        calls = calls.filter(attempt__case__resident_id__in=resident_ids)
    return [
        Table(
            name="telephony_calls",
            description="Calls reported by a telephony system through the API.",
            columns=[
                Column("case", "Case reference."),
                Column("call_id", "The telephony system's id of the call."),
                Column("started_at", "Start of the call."),
                Column("duration_seconds", "Duration of the call in seconds."),
            ],
            rows=(
                {
                    "case": call.attempt.case.reference,
                    "call_id": call.call_id,
                    "started_at": call.started_at.isoformat(),
                    "duration_seconds": call.duration_seconds,
                }
                for call in calls.iterator()
            ),
        )
    ]
