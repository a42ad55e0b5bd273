"""Synthetic, realistic Dutch signal files for the demo, the tests and the benchmark.

Deterministic for a seed. Partner mix about health insurance 41%, rent 20%, energy 20%, water
18% (the rest mortgage/other); about 10% of residents have several signals (some a repeat from
the same partner); amounts per sector; 7% without and 3% with a malformed phone number; about 5%
without BSN (recognised by address). ``messy`` produces every format variation of DOMAIN.md §5
(Dutch Excel ``;``, cp1252, mixed date/amount/postcode/phone notations, several numbers in one
field, Dutch headers in any case) plus about 2% defective rows and 0.5% duplicated rows, so the
error report has something to say. The generator counts what it put in (``GeneratedFile``).
"""

import csv
import datetime
import io
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import columns as c

PARTNERS = (
    # type, share, names
    ("Zorg", 41, ("Zorgverzekeraar Zilveren Kruis", "CZ", "VGZ", "Menzis", "DSW")),
    ("Huur", 20, ("Woningcorporatie Vidomes", "Staedion", "De Goede Woning", "Haag Wonen")),
    ("Energie", 20, ("Eneco", "Vattenfall", "Essent", "Greenchoice")),
    ("Water", 18, ("Dunea", "Evides", "Oasen")),
    ("Hypotheek", 1, ("Hypotheekbank Voorbeeld",)),
)
SURNAMES = [
    "Jansen",
    "Jong",
    "Vries",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "Boer",
    "Mulder",
    "Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "Dekker",
    "Brouwer",
    "Wit",
    "Dijkstra",
    "Smits",
    "Graaf",
    "Meer",
    "Linden",
    "Kok",
    "Jacobs",
    "Haan",
    "Vermeulen",
    "Heuvel",
    "Veen",
    "Broek",
    "Bruijn",
    "Berg",
    "Schouten",
    "Beek",
    "Willems",
    "Vliet",
    "Hoekstra",
    "Maas",
    "Verhoeven",
    "Koster",
    "Prins",
    "Leeuwen",
    "Dam",
    "Kuipers",
    "Wijk",
    "Postma",
    "Huisman",
    "Veenstra",
    "Yilmaz",
    "Kaya",
    "Öztürk",
    "Sahin",
    "Bouzid",
    "Amrani",
    "Tahiri",
    "Nguyen",
    "Pinas",
    "Kromodimedjo",
    "Ramdin",
    "Sitaldin",
    "Müller",
    "Kowalski",
    "Nowak",
    "Hoëk",
    "Eén",
    "Gül",
]
PREFIXES = ("", "", "", "", "van", "de", "van der", "van den", "van de", "ter", "ten", "'t")
STREETS = [
    "Dorpsstraat",
    "Kerkstraat",
    "Molenweg",
    "Stationsplein",
    "Schoolstraat",
    "Julianalaan",
    "Beatrixstraat",
    "Oranjelaan",
    "Parallelweg",
    "Sportlaan",
    "Meerzicht",
    "Rokkeveenseweg",
    "Dorpsstraat",
    "Zegwaartseweg",
    "Leidsewallen",
    "Bleiswijkseweg",
    "Amerikaweg",
    "Australiëweg",
    "Europaweg",
    "Afrikaweg",
]

CANONICAL_HEADERS = [
    c.SIGNAL_ID,
    c.PARTNER_TYPE,
    c.PARTNER_NAME,
    c.AMOUNT,
    c.ARREARS_SINCE,
    c.SIGNAL_DATE,
    c.CRISIS,
    c.WARM_HANDOVER,
    c.BSN,
    c.INITIALS,
    c.PREFIX,
    c.SURNAME,
    c.BIRTH_DATE,
    c.STREET,
    c.HOUSE_NUMBER,
    c.ADDITION,
    c.POSTCODE,
    c.CITY,
    c.PHONE,
    c.EMAIL,
]
DUTCH_HEADERS = [
    "Signaal ID",
    "Type signaalpartner",
    "Naam Signaalpartner",
    "BEDRAG",
    "Ontstaansdatum",
    "Signaaldatum",
    "Crisis",
    "Warme overdracht",
    "BSN",
    "Voorletters",
    "Tussenvoegsel",
    "Achternaam",
    "Geboortedatum",
    "Straat",
    " Huisnummer ",
    "Toevoeging",
    "Postcode",
    "Woonplaats",
    "Telefoon",
    "E-mail",
]
ENGLISH_HEADERS = [
    "Signal ID",
    "Partner type",
    "Partner name",
    "Amount",
    "Arrears since",
    "Signal date",
    "Crisis",
    "Warm handover",
    "Citizen service number",
    "Initials",
    "Prefix",
    "Surname",
    "Date of birth",
    "Street",
    "House number",
    "Addition",
    "Postal code",
    "City",
    "Phone",
    "Email",
]
_PARTNER_SPELLINGS = {
    "Zorg": ("Zorg", "zorgverzekeraar", "ZORG", "Zorgverzekering"),
    "Huur": ("Huur", "woningcorporatie", "huur", "Verhuurder"),
    "Energie": ("Energie", "energie", "Energiebedrijf"),
    "Water": ("Water", "drinkwater", "WATER"),
    "Hypotheek": ("Hypotheek",),
}
DEFECTS = (
    "bad_bsn",
    "negative_amount",
    "future_date",
    "unknown_partner",
    "missing_amount",
    "impossible_date",
)


@dataclass
class GeneratedFile:
    rows: int = 0
    defective: int = 0
    duplicated: int = 0
    residents: int = 0
    defects: dict[str, int] = field(default_factory=dict)

    @property
    def expected_valid(self) -> int:
        return self.rows - self.defective - self.duplicated


def valid_bsn(rng: random.Random, used: set[int]) -> str:
    while True:
        first = 0 if rng.random() < 0.03 else rng.randint(1, 9)
        digits = [first] + [rng.randint(0, 9) for _ in range(7)]
        check = sum(d * w for d, w in zip(digits, (9, 8, 7, 6, 5, 4, 3, 2), strict=True)) % 11
        if check == 10:
            continue
        number = int("".join(map(str, digits)) + str(check))
        if number == 0 or number in used:
            continue
        used.add(number)
        return f"{number:09d}"


class _Generator:
    def __init__(self, seed: int, month: datetime.date, messy: bool, city: str, area: str):
        self.rng = random.Random(seed)
        self.seed = seed
        self.month = month.replace(day=1)
        self.messy = messy
        self.city = city
        self.area = area  # e.g. "079"
        self.used_bsns: set[int] = set()
        self.last_defective = False
        self.stats = GeneratedFile()
        next_month = (self.month + datetime.timedelta(days=32)).replace(day=1)
        self.days_in_month = (next_month - self.month).days
        weights = [share for _t, share, _n in PARTNERS]
        self.partner_weights = weights

    def resident(self) -> dict:
        rng = self.rng
        self.stats.residents += 1
        prefix = rng.choice(PREFIXES)
        return {
            c.BSN: "" if rng.random() < 0.05 else valid_bsn(rng, self.used_bsns),
            c.INITIALS: "".join(
                f"{rng.choice('ABCDEFGHIJKLMNPRSTW')}." for _ in range(rng.choice((1, 1, 2, 3)))
            ),
            c.PREFIX: prefix,
            c.SURNAME: rng.choice(SURNAMES),
            c.BIRTH_DATE: datetime.date(1940, 1, 1)
            + datetime.timedelta(days=rng.randrange(0, 365 * 64)),
            c.STREET: rng.choice(STREETS),
            c.HOUSE_NUMBER: rng.randint(1, 250),
            c.ADDITION: rng.choice(("",) * 12 + ("A", "B", "1", "2", "bis", "hs")),
            c.POSTCODE: f"{rng.randint(2711, 2729)}{rng.choice('ABCDEGHJKLMNPRSTVWXZ')}"
            f"{rng.choice('ABCDEGHJKLMNPRSTVWXZ')}",
            c.CITY: self.city,
            "phones": self.phones(),
            c.EMAIL: "",
        }

    def phones(self) -> list[str]:
        rng = self.rng
        roll = rng.random()
        mobile = f"06{rng.randint(10000000, 59999999)}"
        landline = f"{self.area}{rng.randint(2000000, 9999999)}"
        if roll < 0.07:
            return []
        if roll < 0.10:
            return [rng.choice(("06-1234", "0612345", "n.v.t.", "onbekend", "000000000", "12345"))]
        if roll < 0.15:
            return [mobile, landline]
        if roll < 0.25:
            return [landline]
        return [mobile]

    def signal(self, index: int, resident: dict, partner=None, amount=None, day=None) -> dict:
        rng = self.rng
        partner = partner or rng.choices(PARTNERS, weights=self.partner_weights)[0]
        partner_type, _share, names = partner
        if amount is None:
            amount = self.amount(partner_type)
        day = day or rng.randint(1, self.days_in_month)
        signal_date = self.month.replace(day=day)
        crisis = rng.random() < (0.08 if partner_type in ("Huur", "Energie") else 0.005)
        return {
            **resident,
            c.SIGNAL_ID: f"VS-{self.seed}-{index:07d}",
            c.PARTNER_TYPE: partner_type,
            c.PARTNER_NAME: rng.choice(names),
            c.AMOUNT: amount,
            c.ARREARS_SINCE: signal_date - datetime.timedelta(days=rng.randint(35, 200)),
            c.SIGNAL_DATE: signal_date,
            c.CRISIS: crisis,
            c.WARM_HANDOVER: rng.random() < 0.02,
            "partner": partner,
        }

    def amount(self, partner_type: str) -> float:
        rng = self.rng
        if partner_type == "Zorg":
            value = rng.randint(2, 8) * rng.uniform(130, 170)
        elif partner_type == "Huur":
            value = rng.randint(1, 4) * rng.uniform(550, 1150)
        elif partner_type == "Energie":
            value = rng.lognormvariate(6.2, 0.7)
        elif partner_type == "Water":
            value = rng.lognormvariate(4.8, 0.6)
        else:
            value = rng.uniform(500, 6000)
        return round(value, 2)

    def signals(self, rows: int) -> Iterator[dict]:
        """Signals in blocks, shuffled within each block (a file is not ordered by resident)."""
        rng = self.rng
        index = 0
        block: list[dict] = []
        while index < rows:
            resident = self.resident()
            roll = rng.random()
            count = 1 if roll >= 0.10 else (2 if roll >= 0.02 else 3)
            count = min(count, rows - index)
            first = self.signal(index + 1, resident)
            block.append(first)
            index += 1
            for _n in range(count - 1):
                if rng.random() < 0.25:  # the same partner again: a repeat, sometimes grown
                    grown = rng.random() < 0.4
                    amount = round(first[c.AMOUNT] * (1.3 if grown else 1.0), 2)
                    day = min(self.days_in_month, first[c.SIGNAL_DATE].day + rng.randint(0, 5))
                    extra = self.signal(index + 1, resident, first["partner"], amount, day)
                else:
                    others = [p for p in PARTNERS if p is not first["partner"]]
                    extra = self.signal(index + 1, resident, rng.choice(others))
                block.append(extra)
                index += 1
            if len(block) >= 10000 or index >= rows:
                rng.shuffle(block)
                yield from block
                block = []

    # --- rendering ---------------------------------------------------------------------

    def cells(self, signal: dict) -> list:
        if self.messy:
            return self.messy_cells(signal)
        return [
            signal[c.SIGNAL_ID],
            signal[c.PARTNER_TYPE],
            signal[c.PARTNER_NAME],
            f"{signal[c.AMOUNT]:.2f}",
            signal[c.ARREARS_SINCE].isoformat(),
            signal[c.SIGNAL_DATE].isoformat(),
            "ja" if signal[c.CRISIS] else "nee",
            "ja" if signal[c.WARM_HANDOVER] else "nee",
            signal[c.BSN],
            signal[c.INITIALS],
            signal[c.PREFIX],
            signal[c.SURNAME],
            signal[c.BIRTH_DATE].isoformat(),
            signal[c.STREET],
            signal[c.HOUSE_NUMBER],
            signal[c.ADDITION],
            signal[c.POSTCODE],
            signal[c.CITY],
            ", ".join(signal["phones"]),
            signal[c.EMAIL],
        ]

    def messy_cells(self, signal: dict) -> list:
        rng = self.rng
        number, addition = str(signal[c.HOUSE_NUMBER]), signal[c.ADDITION]
        if addition and rng.random() < 0.5:
            glue = rng.choice(("-", " ")) if addition[0].isdigit() else rng.choice(("", "-", " "))
            number, addition = number + glue + addition, ""
        bsn = signal[c.BSN]
        if bsn and bsn.startswith("0") and rng.random() < 0.5:
            bsn = bsn[1:]  # Excel ate the leading zero
        elif bsn and rng.random() < 0.1:
            bsn = f"{bsn[:4]}.{bsn[4:6]}.{bsn[6:]}"
        cells = [
            signal[c.SIGNAL_ID],
            rng.choice(_PARTNER_SPELLINGS[signal[c.PARTNER_TYPE]]),
            signal[c.PARTNER_NAME],
            self.messy_amount(signal[c.AMOUNT]),
            self.messy_date(signal[c.ARREARS_SINCE]),
            self.messy_date(signal[c.SIGNAL_DATE]),
            self.messy_bool(signal[c.CRISIS]),
            self.messy_bool(signal[c.WARM_HANDOVER]),
            bsn,
            signal[c.INITIALS],
            signal[c.PREFIX],
            signal[c.SURNAME],
            self.messy_date(signal[c.BIRTH_DATE]),
            signal[c.STREET],
            number,
            addition,
            self.messy_postcode(signal[c.POSTCODE]),
            signal[c.CITY],
            " / ".join(self.messy_phone(p) for p in signal["phones"]),
            signal[c.EMAIL],
        ]
        self.last_defective = rng.random() < 0.02
        if self.last_defective:
            self.defect(cells)
        return cells

    def defect(self, cells: list) -> None:
        kind = self.rng.choice(DEFECTS)
        self.stats.defective += 1
        self.stats.defects[kind] = self.stats.defects.get(kind, 0) + 1
        if kind == "bad_bsn":
            cells[8] = "123456789"
        elif kind == "negative_amount":
            cells[3] = "-" + str(cells[3]).lstrip("€EUR ")
        elif kind == "future_date":
            cells[5] = "01-01-2099"
        elif kind == "unknown_partner":
            cells[1] = "Telecom"
        elif kind == "missing_amount":
            cells[3] = ""
        else:
            cells[5] = "31-02-" + str(self.month.year)

    def messy_date(self, day: datetime.date) -> str:
        style = self.rng.random()
        if style < 0.5:
            return day.strftime("%d-%m-%Y")
        if style < 0.7:
            return day.isoformat()
        if style < 0.8:
            return f"{day.day}-{day.month}-{day.year}"
        if style < 0.9:
            return day.strftime("%d/%m/%Y")
        return str((day - datetime.date(1899, 12, 30)).days)  # Excel serial

    def messy_amount(self, amount: float) -> str:
        style = self.rng.random()
        euros, cents = divmod(round(amount * 100), 100)
        dutch_thousands = f"{euros:,}".replace(",", ".")
        if style < 0.4:
            return f"{dutch_thousands},{cents:02d}"
        if style < 0.6:
            return f"{euros},{cents:02d}"
        if style < 0.75:
            return f"{euros}.{cents:02d}"
        if style < 0.85:
            return f"EUR {dutch_thousands},{cents:02d}"
        if style < 0.95:
            return f"€ {euros}"  # whole euros
        return str(euros)

    def messy_postcode(self, postcode: str) -> str:
        return self.rng.choice(
            (
                postcode,
                f"{postcode[:4]} {postcode[4:].lower()}",
                postcode.lower(),
                f" {postcode[:4]} {postcode[4:]} ",
            )
        )

    def messy_phone(self, phone: str) -> str:
        if not phone.startswith("0") or len(phone) != 10:
            return phone
        rest = phone[1:]
        if phone.startswith("06"):
            return self.rng.choice(
                (
                    f"06-{phone[2:]}",
                    f"+31 6 {phone[2:]}",
                    f"0031{rest}",
                    f"06 {phone[2:4]} {phone[4:6]} {phone[6:8]} {phone[8:]}",
                    phone,
                )
            )
        area = phone[:3]
        return self.rng.choice(
            (f"{area} {phone[3:]}", f"{area}-{phone[3:]}", f"({area}) {phone[3:6]} {phone[6:]}")
        )

    def messy_bool(self, value: bool) -> str:
        return self.rng.choice(
            ("ja", "J", "true", "1", "Ja") if value else ("nee", "N", "", "0", "false")
        )


def generate(
    path,
    *,
    rows: int,
    seed: int = 1,
    messy: bool = False,
    month: datetime.date = datetime.date(2026, 10, 1),
    city: str = "Voorbeeld",
    area_code: str = "079",
    headers: str | None = None,
    encoding: str | None = None,
) -> GeneratedFile:
    """Write ``rows`` signals to ``path`` (.csv, .xlsx or .json by extension)."""
    path = Path(path)
    generator = _Generator(seed, month, messy, city, area_code)
    suffix = path.suffix.lower()
    if suffix == ".json":
        _write_json(path, generator, rows)
    elif suffix == ".xlsx":
        _write_xlsx(path, generator, rows, headers or ("nl" if messy else "canonical"))
    else:
        _write_csv(path, generator, rows, headers or ("nl" if messy else "canonical"), encoding)
    return generator.stats


def _header_row(style: str) -> list[str]:
    return {"nl": DUTCH_HEADERS, "en": ENGLISH_HEADERS}.get(style, CANONICAL_HEADERS)


def _rows_with_duplicates(generator: _Generator, rows: int) -> Iterator[list]:
    """Rendered rows; in messy mode about 0.5% of them are written twice."""
    written = 0
    for signal in generator.signals(rows):
        cells = generator.cells(signal)
        yield cells
        written += 1
        generator.stats.rows += 1
        duplicate = generator.messy and not generator.last_defective
        if duplicate and generator.rng.random() < 0.005 and written < rows:
            yield cells
            written += 1
            generator.stats.rows += 1
            generator.stats.duplicated += 1
        if written >= rows:
            return


def _write_csv(path: Path, generator: _Generator, rows: int, headers: str, encoding) -> None:
    delimiter = ";" if generator.messy else ","
    encoding = encoding or ("cp1252" if generator.messy else "utf-8")
    with path.open("w", encoding=encoding, errors="replace", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(_header_row(headers))
        for cells in _rows_with_duplicates(generator, rows):
            writer.writerow(cells)


def _write_xlsx(path: Path, generator: _Generator, rows: int, headers: str) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Signalen")
    sheet.append(_header_row(headers))
    for cells in _rows_with_duplicates(generator, rows):
        sheet.append(cells)
    workbook.save(path)


def _write_json(path: Path, generator: _Generator, rows: int) -> None:
    """The DDAS exchange model: one delivery with its ``vroegsignalen`` (no phone numbers:
    DDAS has none)."""
    signals = []
    for signal in generator.signals(rows):
        generator.stats.rows += 1
        client = {
            "Burgerservicenummer": signal[c.BSN],
            "Voorletters": signal[c.INITIALS],
            "Voorvoegsel": signal[c.PREFIX],
            "Achternaam": signal[c.SURNAME],
            "Geboortedatum": signal[c.BIRTH_DATE].isoformat(),
            "Straatnaam": signal[c.STREET],
            "Postcode": signal[c.POSTCODE],
            "Huisnummer": str(signal[c.HOUSE_NUMBER]),
            "Huisnummertoevoeging": signal[c.ADDITION][:4],
            "Plaatsnaam": signal[c.CITY],
        }
        signals.append(
            {
                "ID": signal[c.SIGNAL_ID],
                "crisissignaal": signal[c.CRISIS],
                "warmeOverdracht": signal[c.WARM_HANDOVER],
                "bedrag": round(signal[c.AMOUNT]),
                "ontstaansdatum": signal[c.ARREARS_SINCE].isoformat(),
                "signaaldatum": signal[c.SIGNAL_DATE].isoformat(),
                "status": "Nog niet opgepakt",
                "signaalpartner": {"type": signal[c.PARTNER_TYPE]},
                "client": {k: v for k, v in client.items() if v},
            }
        )
    next_month = (generator.month + datetime.timedelta(days=32)).replace(day=1)
    document = {
        "codeGegevensleverancier": "BEREIK-GEN",
        "startdatumLevering": generator.month.isoformat(),
        "einddatumLevering": (next_month - datetime.timedelta(days=1)).isoformat(),
        "aanleverdatumEnTijd": f"{next_month.isoformat()}T08:00:00Z",
        "leveringen": [{"teller": 1, "gemeentecode": "", "vroegsignalen": signals}],
    }
    with path.open("w", encoding="utf-8") as handle:
        json.dump(document, handle, ensure_ascii=False)


def generate_bytes(rows: int, **options) -> tuple[bytes, GeneratedFile]:
    """The same file in memory (for tests): CSV only."""
    generator = _Generator(
        options.get("seed", 1),
        options.get("month", datetime.date(2026, 10, 1)),
        options.get("messy", False),
        options.get("city", "Voorbeeld"),
        options.get("area_code", "079"),
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if generator.messy else ",", lineterminator="\r\n")
    writer.writerow(
        _header_row(options.get("headers") or ("nl" if generator.messy else "canonical"))
    )
    for cells in _rows_with_duplicates(generator, rows):
        writer.writerow(cells)
    encoding = options.get("encoding") or ("cp1252" if generator.messy else "utf-8")
    return buffer.getvalue().encode(encoding, errors="replace"), generator.stats
