"""The DDAS delivery to the national monitor (CBS): the exchange model ("Uitwisselmodel" v0.9)
for one municipality and one period, validated against the published JSON schema
(``schema/json_schema_Uitwisselmodel.json``, a copy of VNG-Realisatie/ddas v0.9).

What goes in:

- ``vroegsignalen``: the signals with a signal date in the period, plus the signals of the cases
  below (a case must reference its signals);
- ``vroegsignaalzaken``: the cases matched in the period, with their end result (closed cases
  only), matching date and period, date picked up, their signals and their contact attempts.

The mapping from Bereik to the DDAS enumerations (also in docs/ddas.md):

===================================  ============================================================
Bereik                               DDAS
===================================  ============================================================
``Signal.partner_type``              ``signaalpartner.type`` (values are the DDAS names)
``Signal.amount`` (cents)            ``bedrag``: whole euros, rounded half up
``Signal.status`` if a DDAS status   ``status`` as delivered by the signal platform
case closed, end result in           ``status``: that end result (``Niet opgepakt: …``,
  SIGNAL_STATUS_RESULTS                ``Inwoner is overleden``, ``Persoon is geen inwoner …``)
case state ``new``/``not_picked_up``  ``status``: ``Nog niet opgepakt`` (``not_picked_up`` not
  (not closed yet)                     closed yet: ``Niet opgepakt: andere reden``)
any other case state                 no ``status`` (the signal was picked up; the enumeration
                                      has no value for that)
``Case.state == closed``             ``resultaat``: ``Case.end_result`` (DDAS EnumEindresultaat)
open case                            no ``resultaat`` (not final yet)
``Case.matched_on``                  ``matchingsdatum``
``Case.matching_period``             ``startdatum_matchtingperiode`` (first day of the month;
                                      the schema's own spelling) and
                                      ``einddatum_matchingperiode`` (last day of the month)
``Case.picked_up_on``                ``datum_opgepakt``
``ContactAttempt.kind``              ``contactpogingen[].soort`` (values are the DDAS names)
``ContactAttempt.reached``           ``bereikt`` (set from the outcome code's "DDAS: reached")
``ContactAttempt.occurred_at``       ``datum`` (local date) and ``dagdeel``: Ochtend < 12:00,
                                      Middag 12:00-18:00, Avond >= 18:00 (Saturdays included)
===================================  ============================================================
"""

import datetime as dt
import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

import jsonschema
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bereik.cases.models import Case, Signal
from bereik.cases.results import EndResult
from bereik.cases.workflow import CaseState
from bereik.outreach.models import ContactAttempt
from bereik.outreach.scheduling import ddas_day_part

from .models import DEFAULT_SUPPLIER_CODE, ReportSettings

SCHEMA_PATH = Path(__file__).parent / "schema" / "json_schema_Uitwisselmodel.json"

NOT_YET_PICKED_UP = "Nog niet opgepakt"
# End results that are also a signal status (DDAS EnumSignaalstatus).
SIGNAL_STATUS_RESULTS = frozenset(
    {
        EndResult.NOT_PICKED_UP_UNJUSTIFIED.value,
        EndResult.DECEASED.value,
        EndResult.NOT_A_RESIDENT.value,
        EndResult.NOT_PICKED_UP_REPEAT.value,
        EndResult.NOT_PICKED_UP_OTHER.value,
    }
)
SIGNAL_STATUSES = SIGNAL_STATUS_RESULTS | {NOT_YET_PICKED_UP}


@dataclass(frozen=True)
class DeliveryError:
    """One schema violation: which record (e.g. ``vroegsignaal VS-2025-0001``), which field
    (e.g. ``client.Geboortedatum``) and what is wrong."""

    record: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.record}, {self.field}: {self.message}"


class DeliveryInvalid(Exception):
    def __init__(self, errors: list[DeliveryError]):
        super().__init__("; ".join(str(e) for e in errors[:5]))
        self.errors = errors


@cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def whole_euros(amount: Decimal) -> int:
    return int(Decimal(amount).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def signal_status(signal: Signal, case: Case | None) -> str | None:
    """The DDAS signal status of a signal (see the mapping table above)."""
    if signal.status in SIGNAL_STATUSES:
        return signal.status
    if case is None:
        return NOT_YET_PICKED_UP
    if case.state == CaseState.CLOSED:
        return case.end_result if case.end_result in SIGNAL_STATUS_RESULTS else None
    if case.state == CaseState.NEW:
        return NOT_YET_PICKED_UP
    if case.state == CaseState.NOT_PICKED_UP:
        return EndResult.NOT_PICKED_UP_OTHER.value
    return None


def signal_id(signal: Signal) -> str:
    return signal.external_id or f"BEREIK-{signal.pk}"


def _client(resident) -> dict:
    values = {
        "Burgerservicenummer": resident.bsn,
        "Voorletters": resident.initials,
        "Voorvoegsel": resident.surname_prefix,
        "Achternaam": resident.surname,
        "Geboortedatum": resident.birth_date.isoformat() if resident.birth_date else "",
        "Straatnaam": resident.street,
        "Postcode": resident.postcode,
        "Huisnummer": str(resident.house_number) if resident.house_number is not None else "",
        "Huisnummertoevoeging": resident.house_number_addition,
        "Plaatsnaam": resident.city,
    }
    return {key: value for key, value in values.items() if value}


def _signal(signal: Signal, case: Case | None) -> dict:
    document = {
        "ID": signal_id(signal),
        "crisissignaal": signal.is_crisis,
        "warmeOverdracht": signal.warm_handover,
        "bedrag": whole_euros(signal.amount),
    }
    if signal.arrears_since:
        document["ontstaansdatum"] = signal.arrears_since.isoformat()
    document["signaaldatum"] = signal.signal_date.isoformat()
    status = signal_status(signal, case)
    if status:
        document["status"] = status
    document["signaalpartner"] = {"type": signal.partner_type}
    document["client"] = _client(signal.resident)
    return document


def _attempt(attempt: ContactAttempt) -> dict:
    return {
        "soort": attempt.kind,
        "bereikt": attempt.reached,
        "datum": timezone.localtime(attempt.occurred_at).date().isoformat(),
        "dagdeel": ddas_day_part(attempt.occurred_at),
    }


def _month_end(first: dt.date) -> dt.date:
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def _case(case: Case, signal_ids: list[str]) -> dict:
    document = {}
    if case.state == CaseState.CLOSED and case.end_result:
        document["resultaat"] = case.end_result
    document["matchingsdatum"] = case.matched_on.isoformat()
    document["startdatum_matchtingperiode"] = case.matching_period.isoformat()
    if case.picked_up_on:
        document["datum_opgepakt"] = case.picked_up_on.isoformat()
    document["einddatum_matchingperiode"] = _month_end(case.matching_period).isoformat()
    document["vroegsignalen"] = [{"ID": value} for value in signal_ids]
    document["contactpogingen"] = [_attempt(a) for a in case.contact_attempts.all()]
    return document


def build_delivery(*, municipality, date_from: dt.date, date_to: dt.date) -> dict:
    """The exchange document of one municipality for ``[date_from, date_to]``. Not validated:
    call ``validate_delivery`` before offering it (``services.export_ddas`` does both)."""
    settings = ReportSettings.objects.filter(municipality=municipality).first()
    cases = list(
        Case.objects.filter(
            municipality=municipality, matched_on__gte=date_from, matched_on__lte=date_to
        )
        .prefetch_related(
            Prefetch(
                "contact_attempts",
                queryset=ContactAttempt.objects.order_by("occurred_at", "pk"),
            )
        )
        .order_by("matched_on", "pk")
    )
    case_ids = [case.pk for case in cases]
    signals = list(
        Signal.objects.filter(municipality=municipality)
        .filter(Q(signal_date__gte=date_from, signal_date__lte=date_to) | Q(case_id__in=case_ids))
        .select_related("resident", "case")
        .order_by("signal_date", "pk")
    )
    signals_by_case: dict[int, list[str]] = {}
    for signal in signals:
        if signal.case_id is not None:
            signals_by_case.setdefault(signal.case_id, []).append(signal_id(signal))
    delivery = {
        "teller": 1,
        "gemeentecode": municipality.municipality_code,
        "aanleverende_organisatie": {"naam": municipality.name},
        "vroegsignalen": [_signal(signal, signal.case) for signal in signals],
        "vroegsignaalzaken": [
            _case(case, signals_by_case[case.pk]) for case in cases if case.pk in signals_by_case
        ],
    }
    return {
        "startdatumLevering": date_from.isoformat(),
        "einddatumLevering": date_to.isoformat(),
        "aanleverdatumEnTijd": timezone.now()
        .astimezone(dt.UTC)
        .replace(microsecond=0)
        .strftime("%Y-%m-%dT%H:%M:%SZ"),
        "codeGegevensleverancier": settings.ddas_supplier_code
        if settings
        else DEFAULT_SUPPLIER_CODE,
        "leveringen": [delivery],
    }


def _record_name(document, path: list) -> tuple[str, list]:
    """Name the record a schema path points into, and the rest of the path (the field)."""
    if (
        len(path) >= 4
        and path[0] == "leveringen"
        and path[2] in ("vroegsignalen", "vroegsignaalzaken")
    ):
        try:
            item = document["leveringen"][path[1]][path[2]][path[3]]
        except (KeyError, IndexError, TypeError):
            item = None
        if path[2] == "vroegsignalen":
            identifier = item.get("ID") if isinstance(item, dict) else None
            name = f"vroegsignaal {identifier}" if identifier else f"vroegsignaal {path[3] + 1}"
        else:
            refs = item.get("vroegsignalen") if isinstance(item, dict) else None
            ids = (
                [r.get("ID") for r in refs if isinstance(r, dict)] if isinstance(refs, list) else []
            )
            name = f"vroegsignaalzaak {path[3] + 1}"
            if ids:
                name += f" ({', '.join(str(i) for i in ids)})"
        return name, path[4:]
    if len(path) >= 2 and path[0] == "leveringen":
        return f"levering {path[1] + 1}", path[2:]
    return "levering", path


def _field_name(parts: list) -> str:
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def validate_delivery(document) -> list[DeliveryError]:
    """Every violation of the national schema, each naming its record and field. Empty: valid."""
    validator = jsonschema.Draft202012Validator(
        schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = []
    for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.path))):
        path = list(error.absolute_path)
        record, rest = _record_name(document, path)
        if error.validator == "required" and isinstance(error.instance, dict):
            missing = [name for name in error.validator_value if name not in error.instance]
            rest = [*rest, *(missing[:1])]
        elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = set(error.schema.get("properties", {}))
            extra = [name for name in error.instance if name not in allowed]
            rest = [*rest, *(extra[:1])]
        errors.append(
            DeliveryError(record=record, field=_field_name(rest) or "-", message=_message(error))
        )
    return errors


_TYPES = {"string": "tekst", "integer": "geheel getal", "boolean": "ja/nee", "object": "object"}


def _message(error) -> str:
    """A Dutch description of a schema violation."""
    kind = error.validator
    if kind == "required":
        return _("required field is missing")
    if kind == "type":
        expected = error.validator_value
        return _("must be of type %(type)s, is %(value)s") % {
            "type": _TYPES.get(expected, expected) if isinstance(expected, str) else expected,
            "value": json.dumps(error.instance, ensure_ascii=False)[:60],
        }
    if kind == "enum":
        return _("value %(value)s is not in the DDAS list") % {
            "value": json.dumps(error.instance, ensure_ascii=False)[:60]
        }
    if kind == "format":
        return _("%(value)s is not a valid %(format)s") % {
            "value": json.dumps(error.instance, ensure_ascii=False)[:60],
            "format": {
                "date": _("date (YYYY-MM-DD)"),
                "date-time": _("date and time"),
                "email": _("e-mail address"),
            }.get(error.validator_value, error.validator_value),
        }
    if kind == "additionalProperties":
        return _("field not allowed by the schema")
    if kind == "minItems":
        return _("must contain at least %(n)s item(s)") % {"n": error.validator_value}
    if kind == "uniqueItems":
        return _("contains duplicate items")
    return error.message
