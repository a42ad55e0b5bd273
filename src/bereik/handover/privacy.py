"""The handover app's part in the retention purge, the exit export and the inzage
(``docs/privacy.md``, ``docs/handover.md``). Registered from ``HandoverConfig.ready``.

What the purge removes from handovers of purged cases (and of anonymised residents): the agent's
summary, the preferred contact time and the reason for returning. Kept: organisation, status,
times, who handled it and the result (anonymous figures). Appointments hold no text about the
resident (a slot, a case and who booked it) and are kept; the social workers' contact attempts
are contact attempts, purged with outreach's.
"""

from django.db.models import Q

from bereik.privacy.registry import Column, Table

from .models import Appointment, Handover


def _of(case_ids, resident_ids) -> Q:
    return Q(case_id__in=list(case_ids)) | Q(case__resident_id__in=list(resident_ids))


def purge_handover(*, case_ids: list[int], resident_ids: list[int]) -> dict[str, int]:
    """Irreversibly empty the free text of these cases' handovers. Idempotent."""
    handovers = (
        Handover.objects.filter(_of(case_ids, resident_ids))
        .exclude(summary="", preferred_contact_time="", return_reason="")
        .update(summary="", preferred_contact_time="", return_reason="")
    )
    return {"handovers": handovers}


HANDOVER_COLUMNS = [
    ("id", "Internal id."),
    ("case_id", "The case (cases.id)."),
    ("resident_id", "The resident (residents.id)."),
    ("social_work", "The social-work organisation it was handed to; empty when unrouted."),
    ("status", "open, accepted, in_contact, completed or returned."),
    ("created_at", "When handed over, ISO 8601."),
    ("accepted_at", "When a social worker accepted it."),
    ("assigned_to", "User name of the social worker handling it."),
    ("preferred_contact_time", "The resident's preferred time to be called; empty once purged."),
    ("summary", "The agent's description of the situation; empty once purged."),
    ("requested_in_attempt_id", "The conversation with the help request (contact_attempts.id)."),
    ("result", "The follow-up result (DDAS end result) once completed."),
    ("completed_at", "When the result was registered, ISO 8601."),
    ("returned_at", "When it was returned to the coordinator, ISO 8601."),
    ("return_reason", "Why it was returned; empty once purged."),
]
APPOINTMENT_COLUMNS = [
    ("id", "Internal id."),
    ("case_id", "The case (cases.id)."),
    ("resident_id", "The resident (residents.id)."),
    ("handover_id", "The handover (handovers.id)."),
    ("starts_at", "Start, ISO 8601."),
    ("ends_at", "End, ISO 8601."),
    ("channel", "phone, office, home_visit or video."),
    ("location", "Where (the social worker's office or meeting place)."),
    ("social_worker", "User name of the social worker."),
    ("booked_by", "User name of who booked it."),
    ("booked_at", "When booked, ISO 8601."),
    ("cancelled_at", "When cancelled, ISO 8601; empty if not."),
]


def _rows(queryset, columns, lookups: dict[str, str]):
    names = [name for name, _ in columns]
    fields = [lookups.get(name, name) for name in names]
    for values in queryset.order_by("pk").values_list(*fields).iterator(chunk_size=2000):
        yield dict(zip(names, values, strict=True))


def _table(name, description, queryset, columns, **lookups) -> Table:
    return Table(
        name=name,
        description=description,
        columns=[Column(column, text) for column, text in columns],
        rows=_rows(queryset, columns, lookups),
    )


def export_handover(*, municipality, resident_ids: list[int] | None) -> list[Table]:
    handovers = Handover.objects.filter(municipality=municipality)
    appointments = Appointment.objects.filter(municipality=municipality)
    if resident_ids is not None:
        handovers = handovers.filter(case__resident_id__in=resident_ids)
        appointments = appointments.filter(case__resident_id__in=resident_ids)
    return [
        _table(
            "handovers",
            "Warm handovers of help requests to social workers, with the follow-up result.",
            handovers,
            HANDOVER_COLUMNS,
            resident_id="case__resident_id",
            social_work="social_work__name",
            assigned_to="assigned_to__username",
            requested_in_attempt_id="requested_in_id",
        ),
        _table(
            "appointments",
            "Appointments booked in the social workers' shared agenda.",
            appointments,
            APPOINTMENT_COLUMNS,
            resident_id="case__resident_id",
            starts_at="slot__starts_at",
            ends_at="slot__ends_at",
            channel="slot__channel",
            location="slot__location",
            social_worker="slot__social_worker__username",
            booked_by="booked_by__username",
        ),
    ]
