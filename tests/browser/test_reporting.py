"""The results dashboard in a real browser: a coordinator opens it, reads a chart and its table,
filters on a partner label and downloads the monthly Excel report."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bereik.accounts.roles import Role
from bereik.outreach.defaults import seed_outcome_codes
from bereik.outreach.models import OutcomeCode
from tests.reporting.conftest import build_dataset

from .helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_reads_charts_filters_and_downloads(page, municipality, make_member):
    seed_outcome_codes(OutcomeCode)
    build_dataset(municipality)
    coordinator = make_member(Role.COORDINATOR, municipality)
    log_in(page, coordinator)

    page.goto("/rapportage/?start=2026-10-01&end=2026-10-31")
    chart = page.get_by_role("img", name="Grafiek: Bereik per poging", exact=False)
    assert chart.is_visible()
    curve = page.get_by_test_id("table-reach_curve")
    assert curve.locator("tbody tr").count() == 2
    assert "42,9%" in curve.locator("tbody tr").nth(1).inner_text()
    assert "42,9%" in page.get_by_test_id("kpi-reach").inner_text()

    page.fill("input[name=partner_name]", "Woonstad")
    page.get_by_role("button", name="Tonen").click()
    page.wait_for_url("**partner_name=Woonstad**")
    assert page.get_by_test_id("kpi-signals").inner_text().startswith("2")

    with page.expect_download() as download_info:
        page.get_by_test_id("report-download").get_by_role("button", name="Excel").click()
    download = download_info.value
    assert download.suggested_filename == "bereik-rapportage-0001-2026-10.xlsx"
    workbook = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    assert workbook.sheetnames[0] == "Kerncijfers"
