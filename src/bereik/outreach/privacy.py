"""Outreach's part in the retention purge, the exit export and the inzage (``docs/privacy.md``).

Registered with ``bereik.privacy.registry`` from ``OutreachConfig.ready``.

What the purge removes from outreach rows of purged cases (and of anonymised residents):

* contact attempts: the agent's summary, the preferred time for the social worker, the link to
  the dialled number; kept: kind, direction, time, day-part, outcome code, reached, help
  requested and the reason code, the agent and the script version (anonymous figures for
  DDAS and AAPOR reports);
* messages: recipient, subject, text, the provider's reference (it finds the message at the
  provider) and the provider's error text; kept: channel, status, backend, template, time;
* queue entries: the link to the number to dial next; kept: the schedule and the result.

Callbacks hold no text (a time, an agent and links to attempts) and are kept as they are.
"""

from django.db.models import Q

from bereik.privacy.registry import Column, Table

from .models import Callback, ContactAttempt, OutboundMessage, QueueEntry


def _of(case_ids, resident_ids) -> Q:
    """Rows of these cases, and of any case of these residents."""
    return Q(case_id__in=list(case_ids)) | Q(case__resident_id__in=list(resident_ids))


def purge_outreach(*, case_ids: list[int], resident_ids: list[int]) -> dict[str, int]:
    """Irreversibly remove the personal data in outreach rows of these cases and residents.

    Idempotent: rows already emptied are not touched again, so a second run counts zero.
    """
    attempts = (
        ContactAttempt.objects.filter(_of(case_ids, resident_ids))
        .exclude(summary="", preferred_contact_time="", phone_number__isnull=True)
        .update(summary="", preferred_contact_time="", phone_number=None)
    )
    messages = (
        OutboundMessage.objects.filter(_of(case_ids, resident_ids))
        .exclude(recipient="", subject="", body="", provider_reference="", error="")
        .update(recipient="", subject="", body="", provider_reference="", error="")
    )
    queue_entries = QueueEntry.objects.filter(
        _of(case_ids, resident_ids), current_number__isnull=False
    ).update(current_number=None)
    return {
        "contact_attempts": attempts,
        "messages": messages,
        "queue_entries": queue_entries,
    }


ATTEMPT_COLUMNS = [
    ("id", "Internal id."),
    ("case_id", "The case (cases.id)."),
    ("resident_id", "The resident (residents.id)."),
    ("campaign_id", "The call campaign, if any."),
    ("kind", "DDAS contact kind: Telefoon, SMS/Whatsapp, Mail, ..."),
    ("direction", "outbound or inbound."),
    ("occurred_at", "When, ISO 8601."),
    ("day_part", "ochtend, middag, avond or zaterdag."),
    ("reached", "DDAS 'bereikt': true when the resident was reached."),
    ("outcome", "Outcome code (geen_gehoor, bereikt, ...; see docs/outreach.md)."),
    ("outcome_label", "Outcome as shown to agents."),
    ("phone_number", "The number dialled (E.164); empty once purged."),
    ("agent", "User name of the agent."),
    ("script_version", "Version number of the script the agent was shown."),
    ("help_requested", "Whether the resident asked for help (true/false/empty)."),
    ("no_help_reason", "Why not: already_solved, paid_or_arranged, helped_elsewhere, ..."),
    ("preferred_contact_time", "Preferred time for the social worker's call; empty once purged."),
    ("summary", "The agent's short description; empty once purged."),
    ("objection", "The resident objected to further calls in this conversation."),
    ("message_id", "The SMS or e-mail of this attempt (outreach_messages.id), if any."),
]
CALLBACK_COLUMNS = [
    ("id", "Internal id."),
    ("case_id", "The case (cases.id)."),
    ("resident_id", "The resident (residents.id)."),
    ("due_at", "Agreed time to call back, ISO 8601."),
    ("only_for_agent", "User name of the agent who reserved the callback, if any."),
    ("requested_in_attempt_id", "The attempt in which it was agreed (contact_attempts.id)."),
    ("fulfilled_at", "When the callback was made, ISO 8601; empty if not (yet)."),
    ("fulfilled_by_attempt_id", "The attempt that made the callback."),
    ("was_missed", "Made more than 30 minutes after its time."),
    ("cancelled_at", "When it was cancelled (case closed), ISO 8601."),
]
MESSAGE_COLUMNS = [
    ("id", "Internal id."),
    ("case_id", "The case (cases.id)."),
    ("resident_id", "The resident (residents.id)."),
    ("channel", "sms or email."),
    ("template", "Name of the text template used."),
    ("recipient", "Mobile number (E.164) or e-mail address; empty once purged."),
    ("subject", "E-mail subject; empty once purged."),
    ("body", "The text as sent; empty once purged."),
    ("backend", "The messaging backend: log, cm or email."),
    ("status", "sent or failed."),
    ("provider_reference", "The provider's message reference; empty once purged."),
    ("error", "The provider's error, if sending failed."),
    ("created_at", "When sent, ISO 8601."),
]


def _rows(queryset, columns, lookups: dict[str, str]):
    names = [name for name, _ in columns]
    fields = [lookups.get(name, name) for name in names]
    for values in queryset.order_by("pk").values_list(*fields).iterator(chunk_size=2000):
        yield dict(zip(names, values, strict=True))


def _table(name: str, description: str, queryset, columns, **lookups) -> Table:
    return Table(
        name=name,
        description=description,
        columns=[Column(column, text) for column, text in columns],
        rows=_rows(queryset, columns, lookups),
    )


def export_outreach(*, municipality, resident_ids: list[int] | None) -> list[Table]:
    """Contact attempts, callbacks and messages of the municipality (``resident_ids=None``, for
    the exit export) or about these residents (the inzage). Objections to calls are in the privacy
    app's ``objections`` table."""
    attempts = ContactAttempt.objects.filter(municipality=municipality)
    callbacks = Callback.objects.filter(municipality=municipality)
    messages = OutboundMessage.objects.filter(municipality=municipality)
    if resident_ids is not None:
        attempts = attempts.filter(case__resident_id__in=resident_ids)
        callbacks = callbacks.filter(entry__case__resident_id__in=resident_ids)
        messages = messages.filter(case__resident_id__in=resident_ids)
    return [
        _table(
            "contact_attempts",
            "Contact attempts (DDAS contactpoging): calls, SMS and e-mails, with the "
            "conversation's outcome.",
            attempts,
            ATTEMPT_COLUMNS,
            resident_id="case__resident_id",
            outcome="outcome__code",
            outcome_label="outcome__label",
            phone_number="phone_number__e164",
            agent="agent__username",
            script_version="script_version__number",
        ),
        _table(
            "callbacks",
            "Callbacks agreed with residents.",
            callbacks,
            CALLBACK_COLUMNS,
            case_id="entry__case_id",
            resident_id="entry__case__resident_id",
            only_for_agent="agent__username",
            requested_in_attempt_id="requested_in_id",
            fulfilled_by_attempt_id="fulfilled_by_id",
        ),
        _table(
            "messages",
            "SMS and e-mail messages sent to residents.",
            messages,
            MESSAGE_COLUMNS,
            resident_id="case__resident_id",
            template="template__name",
        ),
    ]
