import datetime
import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from bereik.accounts.roles import Role
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


@pytest.fixture(params=["process", "command", "upload"])
def import_through(request, municipality):
    """``import_through(content, name)`` -> the JSON report of importing the file for
    ``municipality`` one of three ways: ``process_run`` directly, the ``import_signals --json``
    command, or the upload page (stored file -> background task -> processing)."""

    def by_process(content: bytes, name: str) -> dict:
        return request.getfixturevalue("run_import")(content)

    def by_command(content: bytes, name: str) -> dict:
        path = request.getfixturevalue("tmp_path") / name
        path.write_bytes(content)
        out = io.StringIO()
        try:
            call_command(
                "import_signals",
                str(path),
                organisation=municipality.municipality_code,
                json=True,
                stdout=out,
            )
        except SystemExit as exit_:  # a failed run exits 1 after printing its report
            assert exit_.code == 1
        return json.loads(out.getvalue())

    client = None

    def by_upload(content: bytes, name: str) -> dict:
        nonlocal client
        if client is None:
            user = request.getfixturevalue("make_member")(Role.COORDINATOR, municipality)
            client = request.getfixturevalue("verified_client")(user)
        response = client.post(
            reverse("intake:upload"),
            {
                "municipality": municipality.pk,
                "source": "RIS",
                "mode": ImportRun.Mode.VALID_ROWS,
                "file": SimpleUploadedFile(name, content),
            },
        )
        assert response.status_code == 302, response.content[:500]
        run = ImportRun.objects.order_by("-pk").first()
        assert response.url == reverse("intake:run_detail", args=[run.pk])
        assert run.is_finished and run.stored_file == ""  # processed, upload deleted
        return run_report(run)

    return {"process": by_process, "command": by_command, "upload": by_upload}[request.param]
