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
    """Normalise and validate one record. ``label(canonical)`` names a column as in the file."""
    row = record.row
    values = record.values
    issues: list[Issue] = []
    if record.problem:
        return None, [Issue(row, record.problem_column, record.problem)]

    def field(canonical, parser, *args):
        try:
            return parser(values.get(canonical), *args)
        except InvalidValue as exc:
            issues.append(Issue(row, label(canonical), exc.message))
            return None

    def date_field(canonical, *, required=False):
        value = field(canonical, parse_date)
        if value is None:
            if required and not any(i.column == label(canonical) for i in issues):
                issues.append(Issue(row, label(canonical), _("This field is required.")))
            return None
        if value > today:
            issues.append(
                Issue(
                    row,
                    label(canonical),
                    _("The date %(date)s lies in the future.")
                    % {"date": value.strftime("%d-%m-%Y")},
                )
            )
            return None
        return value

    def text_field(canonical):
        value = text(values.get(canonical))
        limit = MAX_LENGTHS.get(canonical)
        if limit and len(value) > limit:
            issues.append(
                Issue(
                    row,
                    label(canonical),
                    _("The text is too long (at most %(limit)d characters).") % {"limit": limit},
                )
            )
            return ""
        return value

    partner_type = field(c.PARTNER_TYPE, parse_partner_type)
    if partner_type == "":
        issues.append(Issue(row, label(c.PARTNER_TYPE), _("This field is required.")))
    amount = field(c.AMOUNT, parse_amount)
    if amount is None and not any(i.column == label(c.AMOUNT) for i in issues):
        issues.append(Issue(row, label(c.AMOUNT), _("This field is required.")))
    signal_date = date_field(c.SIGNAL_DATE, required=True)
    arrears_since = date_field(c.ARREARS_SINCE)
    birth_date = date_field(c.BIRTH_DATE)
    if birth_date and birth_date.year < 1900:
        issues.append(Issue(row, label(c.BIRTH_DATE), _("The birth date is before 1900.")))
        birth_date = None
    is_crisis = field(c.CRISIS, parse_bool)
    warm_handover = field(c.WARM_HANDOVER, parse_bool)
    bsn = field(c.BSN, parse_bsn)
    bsn_failed = bsn is None
    postcode = field(c.POSTCODE, parse_postcode) or ""
    try:
        house_number, addition = parse_house_number(
            values.get(c.HOUSE_NUMBER), values.get(c.ADDITION)
        )
    except InvalidValue as exc:
        issues.append(Issue(row, label(c.HOUSE_NUMBER), exc.message))
        house_number, addition = None, ""
    external_id = text_field(c.SIGNAL_ID)
    partner_name = text_field(c.PARTNER_NAME)
    initials = text_field(c.INITIALS)
    prefix = text_field(c.PREFIX)
    surname = text_field(c.SURNAME)
    street = text_field(c.STREET)
    city = text_field(c.CITY)

    email = ""
    try:
        email = parse_email(values.get(c.EMAIL))
    except InvalidValue as exc:
        issues.append(Issue(row, label(c.EMAIL), exc.message, Severity.WARNING))
    phones: list[Phone] = []
    for cell in record.phones or ():
        phones.extend(p for p in parse_phones(cell) if p not in phones)
    for phone in phones:
        if not phone.valid:
            issues.append(
                Issue(
                    row,
                    label(c.PHONE),
                    _("“%(value)s” is not a valid phone number; kept as invalid.")
                    % {"value": phone.raw},
                    Severity.WARNING,
                )
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
        issues.append(
            Issue(
                row,
                label(c.BSN),
                _(
                    "No usable identity: give a BSN, or birth date, postcode, house number and "
                    "surname (missing or invalid: %(fields)s)."
                )
                % {"fields": ", ".join(missing)},
            )
        )
    if any(issue.severity == Severity.ERROR for issue in issues):
        return None, issues
    parsed = ParsedSignal(
        row=row,
        fingerprint="",
        external_id=external_id,
        partner_type=partner_type,
        partner_name=partner_name,
        amount=amount,
        arrears_since=arrears_since,
        signal_date=signal_date,
        is_crisis=bool(is_crisis),
        warm_handover=bool(warm_handover),
        bsn=bsn or "",
        initials=initials,
        surname_prefix=prefix,
        surname=surname,
        birth_date=birth_date,
        street=street,
        house_number=house_number,
        house_number_addition=addition,
        postcode=postcode,
        city=city,
        email=email,
        phones=tuple(phones),
    )
    parsed.fingerprint = fingerprint_for(parsed)
    return parsed, issues
