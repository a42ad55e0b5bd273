"""The enrichment round-trip: cases without a usable phone number go to an enrichment vendor as a
file with only what the vendor needs (name, address, birth date, case reference: no BSN, no
amounts, no partner); the vendor's answer (case reference + numbers) is imported, enriched cases
go to the call queue and the rest to "letter or home visit". Each batch keeps its success rate.
"""

import csv
import io

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bereik.audit.models import AuditAction
from bereik.audit.services import record
from bereik.cases.models import PhoneNumber
from bereik.cases.workflow import CaseState, transition_many
from bereik.portal.downloads import csv_bytes

from .columns import header_key
from .models import EnrichmentBatch, EnrichmentRequest
from .normalise import parse_phones
from .readers import UnreadableFile
from .selectors import enrichment_queue

EXPORT_HEADER = [
    "zaaknummer",
    "voorletters",
    "voorvoegsel",
    "achternaam",
    "geboortedatum",
    "straatnaam",
    "huisnummer",
    "huisnummertoevoeging",
    "postcode",
    "plaatsnaam",
]
_REFERENCE_HEADERS = {"zaaknummer", "zaak", "casereference", "reference", "referentie", "kenmerk"}


def create_batch(*, municipality, actor) -> tuple[EnrichmentBatch, bytes]:
    """Put every case waiting for enrichment in a new batch; return it with the export file."""
    with transaction.atomic():
        cases = list(enrichment_queue(municipality))
        batch = EnrichmentBatch.objects.create(
            municipality=municipality, created_by=actor, case_count=len(cases)
        )
        EnrichmentRequest.objects.bulk_create(
            [EnrichmentRequest(batch=batch, case=case) for case in cases]
        )
        record(
            actor=actor,
            action=AuditAction.EXPORT,
            obj=batch,
            detail={"cases": len(cases), "fields": EXPORT_HEADER},
        )
    rows = (
        [
            case.reference,
            case.resident.initials,
            case.resident.surname_prefix,
            case.resident.surname,
            case.resident.birth_date.strftime("%d-%m-%Y") if case.resident.birth_date else "",
            case.resident.street,
            case.resident.house_number or "",
            case.resident.house_number_addition,
            case.resident.postcode,
            case.resident.city,
        ]
        for case in cases
    )
    return batch, csv_bytes(EXPORT_HEADER, rows)


def export_again(*, batch: EnrichmentBatch, actor) -> bytes:
    """The export file of an existing batch (audited as a new export)."""
    requests = batch.requests.select_related("case__resident").order_by("pk")
    record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=batch,
        detail={"cases": batch.case_count, "fields": EXPORT_HEADER, "again": True},
    )
    return csv_bytes(
        EXPORT_HEADER,
        (
            [
                r.case.reference,
                r.case.resident.initials,
                r.case.resident.surname_prefix,
                r.case.resident.surname,
                r.case.resident.birth_date.strftime("%d-%m-%Y")
                if r.case.resident.birth_date
                else "",
                r.case.resident.street,
                r.case.resident.house_number or "",
                r.case.resident.house_number_addition,
                r.case.resident.postcode,
                r.case.resident.city,
            ]
            for r in requests
        ),
    )


def _answer_rows(content: bytes):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    if not text.strip():
        raise UnreadableFile(_("The file is empty."))
    first_line = text.splitlines()[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [header_key(h) for h in next(reader)]
    except csv.Error as exc:
        raise UnreadableFile(
            _("The header row cannot be read (%(error)s).") % {"error": exc}
        ) from None
    reference_columns = [i for i, h in enumerate(header) if h in _REFERENCE_HEADERS]
    phone_columns = [
        i for i, h in enumerate(header) if h.startswith(("telefoon", "phone", "mobiel", "tel"))
    ]
    if not reference_columns or not phone_columns:
        raise UnreadableFile(
            _("The answer file needs a column “zaaknummer” and at least one phone column.")
        )
    row_number = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise UnreadableFile(
                _("The file cannot be read from row %(row)d on (%(error)s).")
                % {"row": row_number + 1, "error": exc}
            ) from None
        row_number += 1
        if not cells:
            continue
        reference = cells[reference_columns[0]].strip() if len(cells) > reference_columns[0] else ""
        numbers = [cells[i] for i in phone_columns if i < len(cells)]
        yield reference, numbers


class AlreadyAnswered(Exception):
    """The batch's answer was imported before; ``message`` says so in the user's language."""

    def __init__(self):
        self.message = _("The answer of this batch was imported already.")
        super().__init__(self.message)


def import_answers(*, batch: EnrichmentBatch, content: bytes, actor) -> dict:
    """Store the numbers found and route every case of the batch. Returns the counts.

    Raises ``UnreadableFile`` for a file that cannot be read and ``AlreadyAnswered`` when the
    batch's answer was imported before (also when two imports of it run at once: the batch row
    is locked, the second waits and is then refused)."""
    answers = list(_answer_rows(content))  # read the whole file before anything is stored
    with transaction.atomic():
        locked = EnrichmentBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.answered_at is not None:
            raise AlreadyAnswered
        requests = {r.case.reference: r for r in locked.requests.select_related("case")}
        found_numbers: dict[int, list] = {}
        unknown = 0
        for reference, cells in answers:
            request = requests.get(reference)
            if request is None:
                unknown += 1
                continue
            for cell in cells:
                found_numbers.setdefault(request.case_id, []).extend(
                    p for p in parse_phones(cell) if p.valid
                )
        found_cases, not_found_cases = [], []
        new_numbers = []
        for request in requests.values():
            phones = found_numbers.get(request.case_id, [])
            request.found = bool(phones)
            if request.case.state != CaseState.ENRICHMENT:
                continue
            if phones:
                found_cases.append(request.case_id)
                existing = set(
                    PhoneNumber.objects.filter(resident_id=request.case.resident_id).values_list(
                        "e164", flat=True
                    )
                )
                for position, phone in enumerate(phones, start=len(existing)):
                    if phone.e164 in existing:
                        continue
                    existing.add(phone.e164)
                    new_numbers.append(
                        PhoneNumber(
                            resident_id=request.case.resident_id,
                            raw=phone.raw,
                            e164=phone.e164,
                            kind=phone.kind,
                            status=PhoneNumber.Status.VALID,
                            source=PhoneNumber.Source.ENRICHMENT,
                            position=position,
                        )
                    )
            else:
                not_found_cases.append(request.case_id)
        PhoneNumber.objects.bulk_create(new_numbers)
        EnrichmentRequest.objects.bulk_update(list(requests.values()), ["found"])
        transition_many(
            found_cases,
            CaseState.CALL_QUEUE,
            municipality=batch.municipality,
            actor=actor,
            reason=_("Enrichment: phone number found"),
        )
        transition_many(
            not_found_cases,
            CaseState.LETTER_OR_VISIT,
            municipality=batch.municipality,
            actor=actor,
            reason=_("Enrichment: no phone number found"),
        )
        locked.found_count = sum(1 for r in requests.values() if r.found)
        locked.answered_at = timezone.now()
        locked.save(update_fields=["found_count", "answered_at"])
        batch.found_count, batch.answered_at = locked.found_count, locked.answered_at
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            detail={
                "found": batch.found_count,
                "not_found": batch.case_count - batch.found_count,
                "unknown_references": unknown,
            },
        )
    return {
        "found": batch.found_count,
        "not_found": batch.case_count - batch.found_count,
        "unknown_references": unknown,
    }
