import datetime
import io
from pathlib import Path

import pytest
from django.utils import translation

from bereik.intake.models import ImportRun
from bereik.intake.services import process_run, run_report

DATA = Path(__file__).parent / "data"
TODAY = datetime.date(2026, 11, 20)
HEADER = (
    "signaal_id;signaalpartner_type;signaalpartner_naam;bedrag;ontstaansdatum;signaaldatum;"
    "crisissignaal;warme_overdracht;bsn;voorletters;voorvoegsel;achternaam;geboortedatum;"
    "straatnaam;huisnummer;huisnummertoevoeging;postcode;plaatsnaam;telefoonnummer;email"
)


@pytest.fixture(autouse=True)
def dutch():
    """Messages are asserted in Dutch, whatever language an earlier test left active."""
    with translation.override("nl"):
        yield


def csv_row(**overrides) -> str:
    values = {
        "signaal_id": "S1",
        "signaalpartner_type": "Zorg",
        "signaalpartner_naam": "Zorgverzekeraar Test",
        "bedrag": "250,00",
        "ontstaansdatum": "01-09-2026",
        "signaaldatum": "05-11-2026",
        "crisissignaal": "nee",
        "warme_overdracht": "nee",
        "bsn": "111222333",
        "voorletters": "J.",
        "voorvoegsel": "de",
        "achternaam": "Vries",
        "geboortedatum": "17-05-1980",
        "straatnaam": "Dorpsstraat",
        "huisnummer": "12",
        "huisnummertoevoeging": "",
        "postcode": "1234 AB",
        "plaatsnaam": "Alfa",
        "telefoonnummer": "06-12345678",
        "email": "",
    }
    values.update(overrides)
    return ";".join(str(values[h]) for h in HEADER.split(";"))


def csv_file(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


@pytest.fixture
def run_import(municipality):
    """``run_import(content, **options)`` -> the JSON report of a run for ``municipality``."""

    def run(
        content: bytes, *, source="test", mode=ImportRun.Mode.VALID_ROWS, today=TODAY, org=None
    ):
        imported = ImportRun.objects.create(
            municipality=municipality, source=source, file_name="test.csv", mode=mode
        )
        process_run(imported, io.BytesIO(content), size=len(content), today=today)
        imported.refresh_from_db()
        return run_report(imported)

    return run
