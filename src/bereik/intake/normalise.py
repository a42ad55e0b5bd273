"""Normalising one cell of a signal file: dates, amounts, postcodes, house numbers, BSNs, booleans,
partner types and phone numbers, as real partner and platform files deliver them.

Every function takes the raw cell (a string from CSV, or a typed value from XLSX/JSON) and returns
the normalised value, or raises ``InvalidValue`` with a Dutch (translated) message. ``None`` means
"empty cell" for optional fields.
"""

import datetime
import math
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import NamedTuple

import phonenumbers
from django.utils.translation import gettext as _

from bereik.cases.models import PartnerType, PhoneNumber


class InvalidValue(ValueError):
    """A cell that cannot be normalised; ``message`` is shown to the user as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def text(value) -> str:
    """A cell as stripped text; ``None`` and floats from spreadsheets handled."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --- dates ---------------------------------------------------------------------------------

_DMY = re.compile(r"^(\d{1,2})[-/. ](\d{1,2})[-/. ](\d{4})$")
_YMD = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^(\d{1,5})(?:[.,]0+)?$")
_TWO_DIGIT_YEAR = re.compile(r"^\d{1,2}[-/.]\d{1,2}[-/.]\d{2}$")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)  # serial 1 = 1900-01-01, with Excel's 1900 leap bug
_MAX_SERIAL = 2958465  # 9999-12-31


def excel_serial_to_date(serial: int) -> datetime.date:
    if not 1 <= serial <= _MAX_SERIAL:
        raise InvalidValue(_("%(value)s is not a valid Excel date number.") % {"value": serial})
    if serial < 61:  # Excel counts a 29 February 1900 that never existed
        serial += 1
    return _EXCEL_EPOCH + datetime.timedelta(days=serial)


_DATE_CACHE: dict[str, datetime.date] = {}
_DATE_CACHE_SIZE = 100_000


def parse_date(value) -> datetime.date | None:
    """``dd-mm-yyyy`` (also ``/`` and ``.``), ISO ``yyyy-mm-dd`` (with time), ``yyyymmdd``,
    Excel serial numbers, and date/datetime objects from spreadsheets and JSON.

    A file has few distinct dates: text that parsed before is answered from a cache."""
    if type(value) is str:
        cached = _DATE_CACHE.get(value)
        if cached is not None:
            return cached
        if not value:
            return None
        parsed = _parse_date(value)
        if parsed is not None:
            if len(_DATE_CACHE) >= _DATE_CACHE_SIZE:
                _DATE_CACHE.clear()
            _DATE_CACHE[value] = parsed
        return parsed
    return _parse_date(value)


def _parse_date(value) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise InvalidValue(_("“%(value)s” is not a date.") % {"value": value})
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidValue(_("“%(value)s” is not a date.") % {"value": value})
        if isinstance(value, float) and not value.is_integer():
            value = int(value)  # a datetime serial: the fraction is the time of day
        return excel_serial_to_date(int(value))
    raw = str(value).strip()
    if not raw:
        return None
    try:
        if match := _DMY.match(raw):
            day, month, year = (int(g) for g in match.groups())
            return datetime.date(year, month, day)
        if match := _YMD.match(raw):
            year, month, day = (int(g) for g in match.groups())
            return datetime.date(year, month, day)
        if match := _COMPACT.match(raw):
            year, month, day = (int(g) for g in match.groups())
            return datetime.date(year, month, day)
    except ValueError:
        raise InvalidValue(_("“%(value)s” is not an existing date.") % {"value": raw}) from None
    if match := _SERIAL.match(raw):
        return excel_serial_to_date(int(match.group(1)))
    if _TWO_DIGIT_YEAR.match(raw):
        raise InvalidValue(
            _("“%(value)s” has a two-digit year; write the year in full (dd-mm-jjjj).")
            % {"value": raw}
        )
    raise InvalidValue(
        _("“%(value)s” is not a date; use dd-mm-jjjj or jjjj-mm-dd.") % {"value": raw}
    )


# --- amounts -------------------------------------------------------------------------------

_CURRENCY = re.compile(r"(?i)\s*(?:eur(?:o)?|€)\s*")
_AMOUNT = re.compile(r"^\d+(?:[.,]\d+)*$")
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")


_PLAIN_AMOUNT = re.compile(r"(\d{1,10})(?:[.,](\d\d))?")


def parse_amount(value) -> Decimal | None:
    """``1.234,56``, ``1234.56``, ``1,234.56``, ``EUR 75``, ``€ 75,-``; negative amounts raise.

    Plain amounts (``464.52``, ``464,52``, ``75``) take a short cut with the same result."""
    if type(value) is str and (match := _PLAIN_AMOUNT.fullmatch(value)):
        euros, cents = match.groups()
        return Decimal(f"{euros}.{cents or '00'}")
    return _parse_amount(value)


def _parse_amount(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidValue(_("“%(value)s” is not an amount.") % {"value": value})
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))
    elif isinstance(value, Decimal):
        amount = value
    else:
        raw = str(value).strip()
        cleaned = _CURRENCY.sub("", raw.replace("\xa0", " ")).replace(" ", "")
        if cleaned.endswith((",-", ".-")):
            cleaned = cleaned[:-2]
        negative = False
        if cleaned.startswith("-") or (cleaned.startswith("(") and cleaned.endswith(")")):
            negative = True
            cleaned = cleaned.strip("-()")
        elif cleaned.endswith("-"):
            negative = True
            cleaned = cleaned[:-1]
        if not cleaned:
            if raw:
                raise InvalidValue(_("“%(value)s” is not an amount.") % {"value": raw})
            return None
        if not _AMOUNT.match(cleaned):
            raise InvalidValue(_("“%(value)s” is not an amount.") % {"value": raw})
        try:
            amount = Decimal(_decimal_text(cleaned))
        except InvalidOperation:
            raise InvalidValue(_("“%(value)s” is not an amount.") % {"value": raw}) from None
        if negative:
            amount = -amount
    if not amount.is_finite():
        raise InvalidValue(_("“%(value)s” is not an amount.") % {"value": value})
    if amount < 0:
        raise InvalidValue(
            _("The amount %(value)s is negative; arrears are a positive amount.")
            % {"value": amount}
        )
    try:
        amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise InvalidValue(_("The amount is too large.")) from None
    if amount > MAX_AMOUNT:
        raise InvalidValue(_("The amount is too large."))
    return amount


def _decimal_text(cleaned: str) -> str:
    """Decide which separator is the decimal one. Dutch first: ``1.234`` is 1234 and
    ``12,5`` is 12.50; when both occur, the last one is the decimal separator."""
    dot, comma = cleaned.rfind("."), cleaned.rfind(",")
    if dot >= 0 and comma >= 0:
        decimal_sep, thousands = (".", ",") if dot > comma else (",", ".")
        whole, _sep, fraction = cleaned.rpartition(decimal_sep)
        return whole.replace(thousands, "") + "." + fraction
    sep = "." if dot >= 0 else "," if comma >= 0 else ""
    if not sep:
        return cleaned
    parts = cleaned.split(sep)
    if len(parts) > 2 or (len(parts[-1]) == 3 and 1 <= len(parts[0]) <= 3):
        return "".join(parts)  # thousands separators: 1.234 / 1.234.567 / 1,234
    return parts[0] + "." + parts[1]


# --- address -------------------------------------------------------------------------------

_POSTCODE = re.compile(r"^([1-9]\d{3})\s*([A-Za-z]{2})$")
_HOUSE_NUMBER = re.compile(r"^(\d{1,5})\s*(?:[-/]\s*)?([A-Za-z0-9][A-Za-z0-9 ./-]{0,9})?$")


def parse_postcode(value) -> str:
    if (
        type(value) is str
        and len(value) == 6
        and value.isascii()
        and value[0] in "123456789"
        and value[1:4].isdigit()
        and value[4:].isalpha()
    ):
        return value.upper()
    raw = text(value)
    if not raw:
        return ""
    match = _POSTCODE.match(raw.replace("\xa0", " "))
    if not match:
        raise InvalidValue(
            _("“%(value)s” is not a Dutch postcode (four digits and two letters, e.g. 1234 AB).")
            % {"value": raw}
        )
    return (match.group(1) + match.group(2)).upper()


def parse_house_number(value, addition_value=None) -> tuple[int | None, str]:
    """``12``, ``12a``, ``12-2``, ``12 bis``; an addition in its own column wins."""
    if (
        type(value) is str
        and 0 < len(value) <= 5
        and value.isascii()
        and value.isdigit()
        and value != "0" * len(value)
        and (not addition_value or type(addition_value) is str)
    ):
        addition = addition_value.strip().strip(" -").upper() if addition_value else ""
        if len(addition) <= 10:
            return int(value), addition
    raw = text(value)
    addition = text(addition_value).strip(" -").upper()
    if not raw:
        return None, addition
    match = _HOUSE_NUMBER.match(raw)
    if not match or int(match.group(1)) == 0:
        raise InvalidValue(_("“%(value)s” is not a house number.") % {"value": raw})
    number = int(match.group(1))
    if not addition and match.group(2):
        addition = match.group(2).strip(" -").upper()
    if len(addition) > 10:
        raise InvalidValue(_("The house number addition “%(value)s” is too long.") % {"value": raw})
    return number, addition


# --- BSN -----------------------------------------------------------------------------------

_BSN_SEPARATORS = re.compile(r"[\s.\-]")


def bsn_passes_eleven_test(bsn: str) -> bool:
    """The 11-proef: 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 is a multiple of 11 (and not zero)."""
    if len(bsn) != 9 or not bsn.isdigit():
        return False
    d = [int(digit) for digit in bsn]
    total = (
        9 * d[0] + 8 * d[1] + 7 * d[2] + 6 * d[3] + 5 * d[4] + 4 * d[5] + 3 * d[6] + 2 * d[7] - d[8]
    )
    return total % 11 == 0 and total != 0


def parse_bsn(value) -> str:
    if type(value) is str and len(value) == 9 and value.isascii() and value.isdigit():
        if not bsn_passes_eleven_test(value):
            raise InvalidValue(_("The BSN fails the 11-proef (check digit)."))
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and not value.is_integer():
            raise InvalidValue(_("The BSN must have nine digits."))
        raw = str(int(value))  # a spreadsheet number lost its leading zero
    else:
        raw = _BSN_SEPARATORS.sub("", text(value))
    if not raw:
        return ""
    if not raw.isdigit() or len(raw) > 9 or len(raw) < 8:
        raise InvalidValue(_("The BSN must have nine digits."))
    bsn = raw.zfill(9)
    if not bsn_passes_eleven_test(bsn):
        raise InvalidValue(_("The BSN fails the 11-proef (check digit)."))
    return bsn


# --- booleans and enumerations -------------------------------------------------------------

_TRUE = {"ja", "j", "yes", "y", "true", "waar", "1", "x", "t", "ok"}
_FALSE = {"nee", "n", "no", "false", "onwaar", "0", "f", "-"}


_BOOLS = {**dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False), "": False}


def parse_bool(value) -> bool:
    if type(value) is str and (known := _BOOLS.get(value)) is not None:
        return known
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if value in (0, 1):
            return bool(value)
    else:
        raw = str(value).strip().lower()
        if raw in _TRUE:
            return True
        if raw in _FALSE or raw == "":
            return False
    raise InvalidValue(_("“%(value)s” is not yes or no (ja/nee).") % {"value": value})


def _key(value: str) -> str:
    """Lower case, accents and everything but letters and digits removed."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if c.isalnum()).lower()


_PARTNER_ALIASES = {
    PartnerType.ENERGIE: ("energie", "energy", "gas", "elektriciteit", "stroom", "energiebedrijf"),
    PartnerType.HUUR: (
        "huur",
        "rent",
        "housing",
        "verhuurder",
        "woningcorporatie",
        "woningbouwvereniging",
        "landlord",
    ),
    PartnerType.HYPOTHEEK: ("hypotheek", "mortgage", "hypotheekverstrekker"),
    PartnerType.ZORG: (
        "zorg",
        "zorgverzekeraar",
        "zorgverzekering",
        "healthinsurance",
        "health",
        "zvw",
    ),
    PartnerType.CAK_ZORGVERZEKERINGEN: ("cakzorgverzekeringen", "cakzorgverzekering"),
    PartnerType.WATER: ("water", "drinkwater", "waterbedrijf", "waterleidingbedrijf"),
    PartnerType.DUO: ("duo", "studiefinanciering", "studieschuld"),
    PartnerType.BELASTINGDIENST: ("belastingdienst", "belasting", "taxes", "tax"),
    PartnerType.CAK_EIGEN_BIJDRAGE: ("cakeigenbijdrage", "eigenbijdrage"),
    PartnerType.DIENST_TOESLAGEN: ("diensttoeslagen", "toeslagen", "toeslag"),
    PartnerType.OVERIGE: ("overige", "overig", "other", "anders"),
}
PARTNER_TYPES = {
    alias: partner for partner, aliases in _PARTNER_ALIASES.items() for alias in aliases
}
PARTNER_TYPES.update({_key(partner.value): partner for partner in PartnerType})


_PARTNER_CACHE: dict[str, str] = {}


def parse_partner_type(value) -> str:
    if type(value) is str and (known := _PARTNER_CACHE.get(value)) is not None:
        return known
    partner = _parse_partner_type(value)
    if type(value) is str and len(_PARTNER_CACHE) < 1000:
        _PARTNER_CACHE[value] = partner
    return partner


def _parse_partner_type(value) -> str:
    raw = text(value)
    if not raw:
        return ""
    partner = PARTNER_TYPES.get(_key(raw))
    if partner is None:
        raise InvalidValue(
            _("“%(value)s” is not a known partner type (e.g. Zorg, Huur, Energie, Water).")
            % {"value": raw}
        )
    return partner.value


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


def parse_email(value) -> str:
    raw = text(value)
    if not raw:
        return ""
    if not _EMAIL.match(raw) or len(raw) > 254:
        raise InvalidValue(_("“%(value)s” is not an e-mail address.") % {"value": raw})
    return raw.lower()


@lru_cache(maxsize=65536)
def surname_key(surname_prefix: str, surname: str) -> str:
    """The surname as compared when matching without BSN: ``van Dijk`` = ``Van  Dijk`` = ``Dijk``
    with prefix ``van``."""
    return _key(surname_prefix + surname)


# --- phone numbers -------------------------------------------------------------------------


class Phone(NamedTuple):
    """One number of a row (a tuple: cheap to make and to spill for a million rows)."""

    raw: str
    e164: str
    kind: str  # PhoneNumber.Kind
    valid: bool


_PHONE_SPLIT = re.compile(r"\s*(?:[,;|\n&]\s*(?=[+0-9(])|\s+(?:of|en|or|and)\s+)", re.IGNORECASE)
_SOFT_SEPARATORS = (re.compile(r"\s*/\s*"), re.compile(r"\s+"))
_DIGITS = re.compile(r"\d")
_PHONE_NOISE = re.compile(r"[\s\-().]")
# One number written without separators or words (``0612345678``, ``+31 6-1234 5678``): no
# splitting needed (fewer than 18 digits, none of the separators of ``_PHONE_SPLIT``).
_SINGLE_NUMBER = re.compile(r"[0-9+\-(). ]{1,17}")
_NL_NATIONAL = re.compile(r"^(?:\+31|0031|0)(?:\(0\))?([1-9]\d{8})$")
_KIND_BY_TYPE = {
    phonenumbers.PhoneNumberType.MOBILE: PhoneNumber.Kind.MOBILE.value,
    phonenumbers.PhoneNumberType.FIXED_LINE: PhoneNumber.Kind.LANDLINE.value,
    phonenumbers.PhoneNumberType.VOIP: PhoneNumber.Kind.LANDLINE.value,
}


@lru_cache(maxsize=4096)
def _dutch_type(prefix: str):
    """The phonenumbers type of a nine-digit Dutch number. For nine digits every pattern in the
    Dutch metadata is decided by the first four digits, so the result is cached per prefix (a
    property test checks this against ``phonenumbers.parse``)."""
    national = int(prefix.ljust(9, "0"))
    return phonenumbers.number_type(
        phonenumbers.PhoneNumber(country_code=31, national_number=national)
    )


def parse_phone(raw: str) -> Phone:
    """One number with the phonenumbers library, region NL. Invalid numbers are returned as
    invalid, never dropped."""
    compact = raw if raw.isdigit() else _PHONE_NOISE.sub("", raw)
    if compact.isdigit() and len(compact) == 9 and compact[0] in "1234567":
        compact = "0" + compact  # a spreadsheet number lost its leading zero
    if match := _NL_NATIONAL.match(compact):
        national = match.group(1)
        number_type = _dutch_type(national[:4])
        if number_type == phonenumbers.PhoneNumberType.UNKNOWN:
            return Phone(raw, "", PhoneNumber.Kind.UNKNOWN.value, False)
        return Phone(raw, "+31" + national, _KIND_BY_TYPE.get(number_type, "unknown"), True)
    try:
        parsed = phonenumbers.parse(raw, "NL")
    except phonenumbers.NumberParseException:
        return Phone(raw, "", PhoneNumber.Kind.UNKNOWN.value, False)
    if not phonenumbers.is_valid_number(parsed):
        return Phone(raw, "", PhoneNumber.Kind.UNKNOWN.value, False)
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    kind = _KIND_BY_TYPE.get(phonenumbers.number_type(parsed), PhoneNumber.Kind.UNKNOWN.value)
    return Phone(raw, e164, kind, True)


def _split_numbers(raw: str) -> list[str]:
    """Split on ``,`` ``;`` ``|`` ``&`` new lines and "of"/"en"; split on ``/`` or spaces only
    when every piece is a whole number, so ``079/1234567`` and ``06 1234 5678`` stay one."""
    parts = []
    for part in _PHONE_SPLIT.split(raw):
        part = part.strip()
        if not part:
            continue
        if len(_DIGITS.findall(part)) >= 18:
            for separator in _SOFT_SEPARATORS:
                pieces = [p for p in separator.split(part) if p]
                if len(pieces) > 1 and all(len(_DIGITS.findall(p)) >= 9 for p in pieces):
                    parts.extend(pieces)
                    break
            else:
                parts.append(part)
            continue
        parts.append(part)
    return parts


def parse_phones(value) -> list[Phone]:
    """Several numbers in one field (``06-12345678 / 079 1234567``) are split; duplicates go."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    raw = text(value)
    if not raw:
        return []
    if _SINGLE_NUMBER.fullmatch(raw):
        return [parse_phone(raw)]
    phones: list[Phone] = []
    seen: set[str] = set()
    for part in _split_numbers(raw):
        if not part or part in seen:
            continue
        phone = parse_phone(part[:64])
        key = phone.e164 or phone.raw
        if key in seen:
            continue
        seen.update((part, key))
        phones.append(phone)
    return phones
