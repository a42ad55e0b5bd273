"""The canonical columns of a signal file (the DDAS names in snake_case, DOMAIN §5) and the header
aliases by which partner and platform files name them, in Dutch and English, in any case or
spacing. A municipality's mapping profile (``MappingProfile``) overrides the aliases per source.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

SIGNAL_ID = "signaal_id"
PARTNER_TYPE = "signaalpartner_type"
PARTNER_NAME = "signaalpartner_naam"
AMOUNT = "bedrag"
ARREARS_SINCE = "ontstaansdatum"
SIGNAL_DATE = "signaaldatum"
CRISIS = "crisissignaal"
WARM_HANDOVER = "warme_overdracht"
STATUS = "status"
BSN = "bsn"
INITIALS = "voorletters"
PREFIX = "voorvoegsel"
SURNAME = "achternaam"
BIRTH_DATE = "geboortedatum"
STREET = "straatnaam"
HOUSE_NUMBER = "huisnummer"
ADDITION = "huisnummertoevoeging"
POSTCODE = "postcode"
CITY = "plaatsnaam"
PHONE = "telefoonnummer"
EMAIL = "email"

CANONICAL = (
    SIGNAL_ID,
    PARTNER_TYPE,
    PARTNER_NAME,
    AMOUNT,
    ARREARS_SINCE,
    SIGNAL_DATE,
    CRISIS,
    WARM_HANDOVER,
    STATUS,
    BSN,
    INITIALS,
    PREFIX,
    SURNAME,
    BIRTH_DATE,
    STREET,
    HOUSE_NUMBER,
    ADDITION,
    POSTCODE,
    CITY,
    PHONE,
    EMAIL,
)
REQUIRED = (PARTNER_TYPE, AMOUNT, SIGNAL_DATE)
# Without a BSN column, a resident is recognised by these together.
IDENTITY = (BIRTH_DATE, POSTCODE, HOUSE_NUMBER, SURNAME)

_ALIASES: dict[str, tuple[str, ...]] = {
    SIGNAL_ID: ("id", "signaalid", "signalid", "kenmerk", "signaalkenmerk", "referentie", "ref"),
    PARTNER_TYPE: (
        "signaalpartnertype",
        "partnertype",
        "typesignaalpartner",
        "signaalpartner",
        "sector",
        "branche",
        "soortpartner",
        "soort",
        "type",
        "signalpartnertype",
    ),
    PARTNER_NAME: (
        "signaalpartnernaam",
        "partnernaam",
        "partner",
        "partnername",
        "naamsignaalpartner",
        "signalpartnername",
        "label",
        "leverancier",
        "crediteur",
        "creditor",
    ),
    AMOUNT: (
        "bedrag",
        "amount",
        "achterstand",
        "bedragachterstand",
        "achterstandsbedrag",
        "openstaandbedrag",
        "arrears",
        "arrearsamount",
        "schuld",
        "debt",
    ),
    ARREARS_SINCE: (
        "ontstaansdatum",
        "datumontstaan",
        "ontstaan",
        "startdatumachterstand",
        "achterstandsinds",
        "arrearssince",
        "arrearsdate",
        "origindate",
    ),
    SIGNAL_DATE: (
        "signaaldatum",
        "datumsignaal",
        "signaldate",
        "datummelding",
        "meldingsdatum",
        "meldingdatum",
        "reportdate",
        "datum",
        "date",
    ),
    CRISIS: ("crisissignaal", "crisis", "crisissignal", "iscrisis", "spoed", "urgent"),
    WARM_HANDOVER: ("warmeoverdracht", "warmhandover", "warmoverdracht"),
    STATUS: ("status", "signaalstatus", "signalstatus"),
    BSN: (
        "bsn",
        "burgerservicenummer",
        "citizenservicenumber",
        "bsnnummer",
        "sofinummer",
        "sofi",
    ),
    INITIALS: ("voorletters", "initials", "voorletter", "initial"),
    PREFIX: (
        "voorvoegsel",
        "voorvoegsels",
        "tussenvoegsel",
        "tussenvoegsels",
        "prefix",
        "surnameprefix",
        "nameprefix",
        "infix",
    ),
    SURNAME: (
        "achternaam",
        "geslachtsnaam",
        "surname",
        "lastname",
        "familyname",
        "naam",
        "name",
    ),
    BIRTH_DATE: (
        "geboortedatum",
        "gebdatum",
        "geboren",
        "birthdate",
        "dateofbirth",
        "dob",
    ),
    STREET: ("straatnaam", "straat", "street", "streetname", "adres", "address"),
    HOUSE_NUMBER: ("huisnummer", "huisnr", "nummer", "housenumber", "housenr", "number"),
    ADDITION: (
        "huisnummertoevoeging",
        "toevoeging",
        "huisnrtoevoeging",
        "huisletter",
        "addition",
        "housenumberaddition",
        "housenumbersuffix",
        "suffix",
    ),
    POSTCODE: ("postcode", "postalcode", "zipcode", "zip", "postcodecijfers"),
    CITY: ("plaatsnaam", "plaats", "woonplaats", "city", "town", "place"),
    EMAIL: ("email", "emailadres", "mail", "mailadres", "emailaddress"),
}
ALIASES = {alias: canonical for canonical, aliases in _ALIASES.items() for alias in aliases}
ALIASES.update({c.replace("_", ""): c for c in CANONICAL})
# Phone numbers may come in several columns (``telefoon 1``, ``mobiel``, ``vast nummer``).
_PHONE_HEADER = re.compile(
    r"^(?:telefoon(?:nummer)?s?|tel(?:nr|efoonnr)?|phone(?:number)?s?|telephone|mobiel(?:nummer)?"
    r"|mobile(?:number)?|mobielnr|gsm|vast(?:e)?(?:telefoon|nummer)|landline|telefoonmobiel"
    r"|telefoonvast|privetelefoon)\d*$"
)


def header_key(header: str) -> str:
    """``" Signaal-ID "`` → ``signaalid``: lower case, accents and non-alphanumerics gone."""
    decomposed = unicodedata.normalize("NFKD", str(header).replace("\ufeff", ""))
    return "".join(c for c in decomposed if c.isalnum()).lower()


@dataclass
class ColumnMap:
    """Which file column holds which canonical field."""

    # canonical -> position of the column in the file (phones: several positions)
    positions: dict[str, int] = field(default_factory=dict)
    phone_positions: list[int] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # file-level errors

    def header_of(self, canonical: str) -> str:
        if canonical == PHONE and self.phone_positions:
            return self.headers[self.phone_positions[0]]
        position = self.positions.get(canonical)
        return self.headers[position] if position is not None else canonical


def resolve_headers(headers: list[str], profile_mapping: dict[str, str] | None = None) -> ColumnMap:
    """Map the file's headers onto canonical columns; report unknown, doubled and missing ones.

    ``profile_mapping`` maps canonical names to the header as it appears in this source's files.
    """
    column_map = ColumnMap(headers=[str(h if h is not None else "").strip() for h in headers])
    by_profile = {
        header_key(file_header): canonical
        for canonical, file_header in (profile_mapping or {}).items()
        if file_header
    }
    doubled: dict[str, list[str]] = {}
    for position, header in enumerate(column_map.headers):
        key = header_key(header)
        if not key:
            continue
        canonical = by_profile.get(key) or ALIASES.get(key)
        if canonical is None and _PHONE_HEADER.match(key):
            canonical = PHONE
        if canonical == PHONE:
            column_map.phone_positions.append(position)
        elif canonical is None:
            column_map.unknown.append(header)
        elif canonical in column_map.positions:
            doubled.setdefault(canonical, [column_map.header_of(canonical)]).append(header)
        else:
            column_map.positions[canonical] = position
    for canonical, names in doubled.items():
        column_map.problems.append(
            _("The columns %(columns)s all hold “%(field)s”; keep one or map them in a profile.")
            % {"columns": ", ".join(f"“{n}”" for n in names), "field": canonical}
        )
    missing = [c for c in REQUIRED if c not in column_map.positions]
    if BSN not in column_map.positions:
        missing += [c for c in IDENTITY if c not in column_map.positions]
    if missing:
        message = _("Required columns are missing: %(columns)s.") % {"columns": ", ".join(missing)}
        if BSN not in column_map.positions and any(c in IDENTITY for c in missing):
            message += " " + _(
                "Without a “bsn” column, birth date, postcode, house number and surname are "
                "needed to recognise residents."
            )
        column_map.problems.append(message)
    return column_map
