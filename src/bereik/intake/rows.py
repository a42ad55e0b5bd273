"""The row parser: one record of a signal file in, one normalised signal and/or row-level issues
out. Pure Python, no database: the import service stores what comes out.

Rejected (an ``ERROR`` issue, the row is not imported): no usable identity (a valid BSN, or birth
date + postcode + house number + surname), a BSN failing the 11-proef, a missing, unreadable or
negative amount, a missing or unreadable signal date, any date in the future, an unknown partner
type, an unreadable postcode, house number or yes/no value, a text too long for its field.
Kept with a ``WARNING``: an unusable phone number (stored, marked invalid) or e-mail address.
"""

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.utils.translation import gettext as _

from . import columns as c
from .normalise import (
    InvalidValue,
    Phone,
    parse_amount,
    parse_bool,
    parse_bsn,
    parse_date,
    parse_email,
    parse_house_number,
    parse_partner_type,
    parse_phones,
    parse_postcode,
    surname_key,
    text,
)
from .readers import Record


class Severity:
    ERROR = "error"
    WARNING = "warning"


class Issue(NamedTuple):
    row: int | None
    column: str
    message: str
    severity: str = Severity.ERROR


@dataclass(slots=True)
class ParsedSignal:
    row: int
    fingerprint: str
    external_id: str
    partner_type: str
    partner_name: str
    amount: Decimal
    arrears_since: datetime.date | None
    signal_date: datetime.date
    is_crisis: bool
    warm_handover: bool
    bsn: str
    initials: str
    surname_prefix: str
    surname: str
    birth_date: datetime.date | None
    street: str
    house_number: int | None
    house_number_addition: str
    postcode: str
    city: str
    email: str
    phones: tuple[Phone, ...]

    @property
    def identity_key(self) -> tuple | None:
        """How a resident without BSN is recognised (see ``bereik.cases.matching``)."""
        if not (self.birth_date and self.postcode and self.house_number and self.surname):
            return None
        return (
            self.birth_date,
            self.postcode,
            self.house_number,
            self.house_number_addition,
            surname_key(self.surname_prefix, self.surname),
        )


def pack(parsed: ParsedSignal) -> tuple:
    """The signal as a tuple of plain values, cheap to spill to disk (``unpack`` reverses it)."""
    return (
        parsed.row,
        parsed.fingerprint,
        parsed.external_id,
        parsed.partner_type,
        parsed.partner_name,
        str(parsed.amount),
        parsed.arrears_since.toordinal() if parsed.arrears_since else 0,
        parsed.signal_date.toordinal(),
        parsed.is_crisis,
        parsed.warm_handover,
        parsed.bsn,
        parsed.initials,
        parsed.surname_prefix,
        parsed.surname,
        parsed.birth_date.toordinal() if parsed.birth_date else 0,
        parsed.street,
        parsed.house_number,
        parsed.house_number_addition,
        parsed.postcode,
        parsed.city,
        parsed.email,
        tuple(tuple(phone) for phone in parsed.phones),
    )


def unpack(values: tuple) -> ParsedSignal:
    day = datetime.date.fromordinal
    return ParsedSignal(
        *values[:5],
        Decimal(values[5]),
        day(values[6]) if values[6] else None,
        day(values[7]),
        *values[8:14],
        day(values[14]) if values[14] else None,
        *values[15:21],
        tuple(Phone._make(phone) for phone in values[21]),
    )


MAX_LENGTHS = {
    c.SIGNAL_ID: 100,
    c.PARTNER_NAME: 200,
    c.INITIALS: 20,
    c.PREFIX: 20,
    c.SURNAME: 200,
    c.STREET: 200,
    c.CITY: 100,
}


def fingerprint_for(parsed: ParsedSignal) -> str:
    """The idempotency key within one source.

    With a signal ID: SHA-256 of ``id`` and the ID. Without: SHA-256 of partner type, partner name
    (case-insensitive), the resident (BSN, else birth date, postcode, house number, addition and
    surname), amount, signal date and arrears date. The same signal delivered twice gives the same
    key; a changed amount or date is a new signal.
    """
    if parsed.external_id:
        material = "id\x1f" + parsed.external_id
    else:
        who = parsed.bsn or "\x1e".join(str(part) for part in parsed.identity_key or ())
        material = "\x1f".join(
            (
                "content",
                parsed.partner_type,
                parsed.partner_name.casefold(),
                who,
                str(parsed.amount),
                parsed.signal_date.isoformat(),
                parsed.arrears_since.isoformat() if parsed.arrears_since else "",
            )
        )
    return hashlib.sha256(material.encode()).hexdigest()


def parse_record(
    record: Record, label, today: datetime.date
) -> tuple[ParsedSignal | None, list[Issue]]:
    """Normalise and validate one record. ``label(canonical)`` names a column as in the file.

    This runs for every row of files of a million rows: the common path calls the parsers
    directly; helpers only run when something is wrong."""
    row = record.row
    if record.problem:
        return None, [Issue(row, record.problem_column, record.problem)]
    get = record.values.get
    issues: list[Issue] = []
    failed: set[str] = set()  # canonical columns with an error

    def fail(canonical, message, severity=Severity.ERROR):
        if severity == Severity.ERROR:
            failed.add(canonical)
        issues.append(Issue(row, label(canonical), message, severity))

    try:
        partner_type = parse_partner_type(get(c.PARTNER_TYPE))
        if partner_type == "":
            fail(c.PARTNER_TYPE, _("This field is required."))
    except InvalidValue as exc:
        fail(c.PARTNER_TYPE, exc.message)
        partner_type = None
    try:
        amount = parse_amount(get(c.AMOUNT))
    except InvalidValue as exc:
        fail(c.AMOUNT, exc.message)
        amount = None
    if amount is None and c.AMOUNT not in failed:
        fail(c.AMOUNT, _("This field is required."))
    signal_date = _date(get, c.SIGNAL_DATE, today, fail)
    if signal_date is None and c.SIGNAL_DATE not in failed:
        fail(c.SIGNAL_DATE, _("This field is required."))
    arrears_since = _date(get, c.ARREARS_SINCE, today, fail)
    birth_date = _date(get, c.BIRTH_DATE, today, fail)
    if birth_date and birth_date.year < 1900:
        fail(c.BIRTH_DATE, _("The birth date is before 1900."))
        birth_date = None
    try:
        is_crisis = parse_bool(get(c.CRISIS))
    except InvalidValue as exc:
        fail(c.CRISIS, exc.message)
        is_crisis = None
    try:
        warm_handover = parse_bool(get(c.WARM_HANDOVER))
    except InvalidValue as exc:
        fail(c.WARM_HANDOVER, exc.message)
        warm_handover = None
    try:
        bsn = parse_bsn(get(c.BSN))
        bsn_failed = False
    except InvalidValue as exc:
        fail(c.BSN, exc.message)
        bsn, bsn_failed = None, True
    try:
        postcode = parse_postcode(get(c.POSTCODE)) or ""
    except InvalidValue as exc:
        fail(c.POSTCODE, exc.message)
        postcode = ""
    try:
        house_number, addition = parse_house_number(get(c.HOUSE_NUMBER), get(c.ADDITION))
    except InvalidValue as exc:
        fail(c.HOUSE_NUMBER, exc.message)
        house_number, addition = None, ""
    texts = []
    for canonical, limit in _TEXT_FIELDS:
        value = get(canonical)
        value = value.strip() if type(value) is str else text(value)
        if len(value) > limit:
            fail(
                canonical,
                _("The text is too long (at most %(limit)d characters).") % {"limit": limit},
            )
            value = ""
        texts.append(value)
    external_id, partner_name, initials, prefix, surname, street, city = texts

    email = ""
    try:
        email = parse_email(get(c.EMAIL))
    except InvalidValue as exc:
        fail(c.EMAIL, exc.message, Severity.WARNING)
    phones: list[Phone] = []
    for cell in record.phones or ():
        if cell is None or cell == "":
            continue
        phones.extend(p for p in parse_phones(cell) if p not in phones)
    for phone in phones:
        if not phone.valid:
            fail(
                c.PHONE,
                _("“%(value)s” is not a valid phone number; kept as invalid.")
                % {"value": phone.raw},
                Severity.WARNING,
            )

    if not bsn and not bsn_failed and not (birth_date and postcode and house_number and surname):
        missing = [
            label(name)
            for name, value in (
                (c.BIRTH_DATE, birth_date),
                (c.POSTCODE, postcode),
                (c.HOUSE_NUMBER, house_number),
                (c.SURNAME, surname),
            )
            if not value
        ]
        fail(
            c.BSN,
            _(
                "No usable identity: give a BSN, or birth date, postcode, house number and "
                "surname (missing or invalid: %(fields)s)."
            )
            % {"fields": ", ".join(missing)},
        )
    if failed:
        return None, issues
    parsed = ParsedSignal(
        row,
        "",
        external_id,
        partner_type,
        partner_name,
        amount,
        arrears_since,
        signal_date,
        bool(is_crisis),
        bool(warm_handover),
        bsn or "",
        initials,
        prefix,
        surname,
        birth_date,
        street,
        house_number,
        addition,
        postcode,
        city,
        email,
        tuple(phones),
    )
    parsed.fingerprint = fingerprint_for(parsed)
    return parsed, issues


_TEXT_FIELDS = tuple(
    (name, MAX_LENGTHS[name])
    for name in (c.SIGNAL_ID, c.PARTNER_NAME, c.INITIALS, c.PREFIX, c.SURNAME, c.STREET, c.CITY)
)


def _date(get, canonical, today, fail) -> datetime.date | None:
    try:
        value = parse_date(get(canonical))
    except InvalidValue as exc:
        fail(canonical, exc.message)
        return None
    if value is not None and value > today:
        fail(
            canonical,
            _("The date %(date)s lies in the future.") % {"date": value.strftime("%d-%m-%Y")},
        )
        return None
    return value
