"""The ``.ics`` invitation of an appointment (iCalendar, RFC 5545), written with the standard
library: one VEVENT, times in UTC, CRLF line endings, long lines folded at 75 octets.

The summary and description name only the case reference, never the resident: the invitation
travels by e-mail and lands in agenda software outside Bereik.
"""

import datetime as dt
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

PRODID = "-//Bereik//Vroegsignalering//NL"


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets (RFC 5545 §3.1)."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        piece = char.encode("utf-8")
        limit = 75 if not parts else 74  # continuation lines start with a space
        if len(current) + len(piece) > limit:
            parts.append(current.decode("utf-8"))
            current = b""
        current += piece
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def uid_for(appointment) -> str:
    host = (getattr(settings, "ALLOWED_HOSTS", None) or ["bereik"])[0].lstrip(".")
    if host in ("*", ""):
        host = "bereik"
    return f"appointment-{appointment.pk}@{host}"


def invitation(appointment, *, now: dt.datetime | None = None) -> str:
    """The invitation as text. A cancelled appointment yields a CANCEL for the same UID."""
    now = now or timezone.now()
    slot = appointment.slot
    cancelled = appointment.cancelled_at is not None
    summary = _("Vroegsignalering: appointment %(reference)s") % {
        "reference": appointment.case.reference
    }
    description = _(
        "First conversation after a help request (%(channel)s). Case %(reference)s."
    ) % {
        "channel": slot.get_channel_display(),
        "reference": appointment.case.reference,
    }
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{'CANCEL' if cancelled else 'REQUEST'}",
        "BEGIN:VEVENT",
        f"UID:{uid_for(appointment)}",
        f"DTSTAMP:{_utc(now)}",
        f"DTSTART:{_utc(slot.starts_at)}",
        f"DTEND:{_utc(slot.ends_at)}",
        f"SUMMARY:{_escape(summary)}",
        f"DESCRIPTION:{_escape(description)}",
    ]
    organiser = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    if organiser:
        lines.append(f"ORGANIZER;CN=Bereik:mailto:{organiser}")
    if slot.location:
        lines.append(f"LOCATION:{_escape(slot.location)}")
    worker = slot.social_worker
    if worker.email:
        lines.append(f"ATTENDEE;ROLE=REQ-PARTICIPANT:mailto:{worker.email}")
    lines += [
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        f"SEQUENCE:{1 if cancelled else 0}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(_fold(line) + "\r\n" for line in lines)
