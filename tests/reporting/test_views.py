"""The dashboard, the JSON figures, the downloads and the settings form: access (403 without the
permission, 404 for another municipality), bad input and what is shown."""

import io
import json

import pytest
from openpyxl import load_workbook

from bereik.accounts.roles import Role
from bereik.audit.models import AuditEntry
from bereik.reporting.models import ReportSettings
from tests.factories import MunicipalityFactory, ServiceAgreementFactory

from .conftest import build_dataset

pytestmark = pytest.mark.django_db

OCTOBER = {"start": "2026-10-01", "end": "2026-10-31"}


@pytest.fixture
def coordinator(municipality, make_member):
    return make_member(Role.COORDINATOR, municipality)


def test_dashboard_shows_kpis_charts_and_tables(known_dataset, coordinator, verified_client):
    client = verified_client(coordinator)
    response = client.get("/rapportage/", OCTOBER)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="kpi-reach"' in html and "42,9%" in html
    for key in ("reach_curve", "day_parts", "weekdays", "wrong_numbers", "outcomes"):
        assert f'data-testid="chart-{key}"' in html
        assert f'data-testid="table-{key}"' in html
    assert 'data-testid="aapor-mapping"' in html and "Verkeerd persoon" in html
    assert "niet gemeten" in html
    assert 'data-testid="ddas-download"' in html  # one municipality, coordinator holds VIEW_BSN


def test_dashboard_filters(known_dataset, coordinator, verified_client):
    client = verified_client(coordinator)
    response = client.get("/rapportage/", {**OCTOBER, "partner_name": "Woonstad"})
    assert response.context["figures"]["signals"]["cases"] == 2


def test_reversed_and_malformed_dates_are_explained(coordinator, verified_client):
    client = verified_client(coordinator)
    response = client.get("/rapportage/", {"start": "2026-10-31", "end": "2026-10-01"})
    assert response.status_code == 200
    assert "De einddatum ligt vóór de begindatum." in response.content.decode()
    assert "figures" not in response.context
    response = client.get("/rapportage/", {"start": "31-10-2026", "end": "x"})
    assert response.status_code == 200 and "figures" not in response.context
    assert client.get("/rapportage/cijfers.json", {"start": "x"}).status_code == 400


def test_agent_is_denied(municipality, make_member, verified_client):
    client = verified_client(make_member(Role.AGENT, municipality))
    assert client.get("/rapportage/", OCTOBER).status_code == 403
    assert client.get("/rapportage/cijfers.json", OCTOBER).status_code == 403
    assert client.get("/rapportage/maandrapportage/", {"month": "2026-10"}).status_code == 403


def test_other_municipality_is_not_found(
    known_dataset, coordinator, other_municipality, verified_client
):
    client = verified_client(coordinator)
    other = {"municipality": other_municipality.pk, **OCTOBER}
    assert client.get("/rapportage/", other).status_code == 404
    assert client.get("/rapportage/cijfers.json", other).status_code == 404
    assert (
        client.get(
            "/rapportage/maandrapportage/",
            {"municipality": other_municipality.pk, "month": "2026-10", "format": "xlsx"},
        ).status_code
        == 404
    )
    assert client.get("/rapportage/ddas/", other).status_code == 404
    assert (
        client.get("/rapportage/instellingen/", {"municipality": other_municipality.pk}).status_code
        == 404
    )


def test_contact_centre_sees_its_municipalities_together(
    known_dataset, municipality, contact_centre, make_member, verified_client
):
    second = MunicipalityFactory(name="Gemeente Gamma")
    ServiceAgreementFactory(provider=contact_centre, municipality=second)
    build_dataset(second, label_prefix="Gamma ")
    outsider = MunicipalityFactory(name="Gemeente Delta")
    build_dataset(outsider, label_prefix="Delta ")
    supervisor = make_member(Role.SUPERVISOR, contact_centre)
    client = verified_client(supervisor)
    figures = json.loads(client.get("/rapportage/cijfers.json", OCTOBER).content)
    assert {m["name"] for m in figures["municipalities"]} == {"Gemeente Alfa", "Gemeente Gamma"}
    assert figures["signals"]["received"] == 20
    assert all(not r["label"].startswith("Delta") for r in figures["wrong_numbers"])
    response = client.get("/rapportage/", {**OCTOBER, "municipality": second.pk})
    assert response.context["figures"]["signals"]["received"] == 10
    # a supervisor has no VIEW_BSN: no DDAS button, and the download is refused
    assert 'data-testid="ddas-download"' not in response.content.decode()
    assert (
        client.get("/rapportage/ddas/", {**OCTOBER, "municipality": second.pk}).status_code == 403
    )
    assert client.get("/rapportage/", {**OCTOBER, "municipality": outsider.pk}).status_code == 404


def test_figures_json_is_audited(known_dataset, coordinator, verified_client):
    response = verified_client(coordinator).get("/rapportage/cijfers.json", OCTOBER)
    assert response.status_code == 200
    assert response.json()["aapor"]["con1"] == 0.5
    assert AuditEntry.objects.filter(object_type="reporting.figures", action="export").exists()


def test_excel_download(known_dataset, coordinator, municipality, verified_client):
    response = verified_client(coordinator).get(
        "/rapportage/maandrapportage/",
        {"municipality": municipality.pk, "month": "2026-10", "format": "xlsx"},
    )
    assert response.status_code == 200
    assert "bereik-rapportage-0001-2026-10.xlsx" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[0] == "Kerncijfers"


def test_pdf_download(known_dataset, coordinator, verified_client):
    response = verified_client(coordinator).get(
        "/rapportage/maandrapportage/", {"month": "2026-10", "format": "pdf"}
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_bad_report_input(coordinator, verified_client):
    client = verified_client(coordinator)
    response = client.get("/rapportage/maandrapportage/", {"month": "2026-13", "format": "xlsx"})
    assert response.status_code == 400
    assert "JJJJ-MM" in response.content.decode()
    response = client.get("/rapportage/maandrapportage/", {"month": "2026-10", "format": "doc"})
    assert response.status_code == 400


def test_ddas_download(known_dataset, coordinator, verified_client):
    client = verified_client(coordinator)
    response = client.get("/rapportage/ddas/", OCTOBER)
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["leveringen"][0]["gemeentecode"] == "0001"
    response = client.get("/rapportage/ddas/", {"start": "2026-10-31", "end": "2026-10-01"})
    assert response.status_code == 400


def test_ddas_download_refuses_an_invalid_delivery(known_dataset, coordinator, verified_client):
    from bereik.cases.models import Signal

    Signal.objects.filter(partner_name="Vitens").update(partner_type="Telecom")
    response = verified_client(coordinator).get("/rapportage/ddas/", OCTOBER)
    assert response.status_code == 422
    html = response.content.decode()
    assert "signaalpartner.type" in html and "vroegsignaal" in html


def test_settings_form_saves_and_audits(coordinator, municipality, verified_client):
    client = verified_client(coordinator)
    assert client.get("/rapportage/instellingen/").status_code == 200
    response = client.post(
        "/rapportage/instellingen/",
        {
            "price_per_callable_record": "3,25",
            "monthly_fee": "0",
            "min_cell_count": "10",
            "ddas_supplier_code": "SOFT-123",
        },
    )
    assert response.status_code == 302
    settings = ReportSettings.objects.get(municipality=municipality)
    assert str(settings.price_per_callable_record) == "3.25" and settings.min_cell_count == 10
    assert AuditEntry.objects.filter(object_type="reporting.reportsettings").exists()
    response = client.post("/rapportage/instellingen/", {"price_per_callable_record": "-1"})
    assert response.status_code == 200 and response.context["form"].errors


def test_supervisor_cannot_edit_the_tariff(municipality, make_member, verified_client):
    client = verified_client(make_member(Role.SUPERVISOR, municipality))
    assert client.get("/rapportage/instellingen/").status_code == 403
