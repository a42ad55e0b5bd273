"""The monthly rollup gives exactly the live figures: every KPI, on the hand-built dataset of
``conftest.build_dataset`` and on a second month that shares residents and phone numbers with
the first, with filters (answered live), empty periods, stale data and two municipalities."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from bereik.cases.models import PartnerType
from bereik.cases.workflow import CaseState, transition
from bereik.reporting import services
from bereik.reporting.figures import ReportFilters, compute
from bereik.reporting.models import FigureRefresh, FigureRefreshRequest, MonthlyFigure
from bereik.reporting.tasks import refresh_requested_figures
from tests.factories import (
    CaseFactory,
    ContactAttemptFactory,
    QueueEntryFactory,
    SignalFactory,
)

from .conftest import AMS, build_dataset

pytestmark = pytest.mark.django_db

OCTOBER = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
NOVEMBER = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def refresh(*municipalities):
    for municipality in municipalities:
        services.refresh_figures(municipality=municipality)


def both(municipalities, period, filters=None) -> tuple[dict, dict]:
    """The figures from the rollup (as the dashboard gets them) and computed live."""
    kwargs = {
        "municipality_ids": [m.pk for m in municipalities],
        "period_start": period[0],
        "period_end": period[1],
        "filters": filters,
    }
    return compute(**kwargs), compute(**kwargs, live=True)


def assert_identical(rolled: dict, live: dict) -> None:
    assert rolled["refreshed_at"] is not None, "the rollup did not answer"
    assert live["refreshed_at"] is None
    for key in live:
        if key != "refreshed_at":
            assert rolled[key] == live[key], key


def november_cases(municipality, known_dataset):
    """November: c1's resident again (same phone number, a new Eneco signal), and two new
    residents: one reached on the third attempt after 10 days (an even number of durations in
    October + November), one crisis case never attempted (pending or late, decided today)."""
    campaign = known_dataset["campaign"]
    c1 = known_dataset["cases"][0]
    again = CaseFactory(
        municipality=municipality,
        resident=c1.resident,
        state="call_queue",
        matching_period=dt.date(2026, 11, 1),
        matched_on=dt.date(2026, 11, 4),
    )
    number = c1.resident.phone_numbers.get(e164="+31612345678")
    QueueEntryFactory(campaign=campaign, case=again, current_number=number)
    SignalFactory(
        case=again,
        partner_type=PartnerType.ENERGIE,
        partner_name="Eneco",
        signal_date=dt.date(2026, 11, 2),
    )
    ContactAttemptFactory(
        case=again,
        campaign=campaign,
        outcome_code="informatietoon",  # the number is no longer in service
        phone_number=number,
        occurred_at=dt.datetime(2026, 11, 5, 10, tzinfo=AMS),
    )
    new = CaseFactory(
        municipality=municipality,
        state="call_queue",
        matching_period=dt.date(2026, 11, 1),
        matched_on=dt.date(2026, 11, 6),
    )
    QueueEntryFactory(campaign=campaign, case=new)
    SignalFactory(
        case=new,
        partner_type=PartnerType.HUUR,
        partner_name="Woonstad",
        signal_date=dt.date(2026, 11, 5),
    )
    for day, code in ((9, "geen_gehoor"), (11, "voicemail"), (15, "bereikt")):
        ContactAttemptFactory(
            case=new,
            campaign=campaign,
            outcome_code=code,
            help_requested=True if code == "bereikt" else None,
            occurred_at=dt.datetime(2026, 11, day, 19, tzinfo=AMS),
        )
    crisis = CaseFactory(
        municipality=municipality,
        state="call_queue",
        is_crisis=True,
        matching_period=dt.date(2026, 11, 1),
        matched_on=dt.date(2026, 11, 20),
    )
    QueueEntryFactory(campaign=campaign, case=crisis)
    SignalFactory(
        case=crisis,
        partner_type=PartnerType.WATER,
        partner_name="Vitens",
        is_crisis=True,
        signal_date=dt.date(2026, 11, 19),
    )
    return again, new, crisis


def test_every_figure_of_the_month_is_identical(known_dataset, municipality):
    refresh(municipality)
    rolled, live = both([municipality], OCTOBER)
    assert_identical(rolled, live)
    # Not vacuous: the month has every kind of figure.
    assert rolled["signals"]["received"] == 10
    assert rolled["aapor"]["counts"]["NE"] == 1
    assert rolled["wrong_numbers"] and rolled["reach_curve"] and rolled["outcomes"]
    assert rolled["durations"]["signal_to_first_contact"]["median_days"] == 4
    assert rolled["crisis"]["cases"] == 2
    assert rolled["costs"]["total"] == 27.5


def test_months_add_up_and_residents_and_numbers_count_once(known_dataset, municipality):
    november_cases(municipality, known_dataset)
    refresh(municipality)
    for period in (
        OCTOBER,
        NOVEMBER,
        (dt.date(2026, 10, 1), dt.date(2026, 11, 30)),
        (dt.date(2026, 9, 1), dt.date(2026, 11, 30)),  # September: no cases, not refreshed
        (dt.date(2026, 1, 1), dt.date(2026, 12, 31)),  # December: the future, no cases
    ):
        rolled, live = both([municipality], period)
        assert_identical(rolled, live)
    rolled, _live = both([municipality], (dt.date(2026, 10, 1), dt.date(2026, 11, 30)))
    # c1's resident has cases in both months: 12 cases, 11 residents.
    assert (rolled["signals"]["cases"], rolled["signals"]["residents"]) == (12, 11)
    eneco = {r["label"]: r for r in rolled["wrong_numbers"]}["Eneco"]
    # c1's number delivered by Eneco in October and again in November counts once, and is
    # wrong since November's attempt (not in service).
    assert (eneco["delivered"], eneco["wrong"]) == (2, 1)
    durations = rolled["durations"]["signal_to_first_contact"]
    assert durations == {"cases": 4, "median_days": 4.5, "mean_days": 5.5}  # 3, 4, 5, 10
    assert rolled["crisis"]["cases"] == 3


def test_a_case_moving_later_changes_the_figures_after_the_refresh(known_dataset, municipality):
    refresh(municipality)
    c5 = known_dataset["cases"][4]
    ContactAttemptFactory(
        case=c5,
        campaign=known_dataset["campaign"],
        outcome_code="bereikt",
        help_requested=False,
        occurred_at=dt.datetime(2026, 10, 12, 10, tzinfo=AMS),
    )
    stale, live = both([municipality], OCTOBER)
    assert stale["reach"]["reached"] == 3  # as refreshed
    assert live["reach"]["reached"] == 4
    services.refresh_figures(municipality=municipality, month=dt.date(2026, 10, 17))
    assert_identical(*both([municipality], OCTOBER))


def test_filters_partial_months_and_unrefreshed_months_are_computed_live(
    known_dataset, municipality
):
    refresh(municipality)
    for filters in (
        ReportFilters(partner_type=PartnerType.ZORG),
        ReportFilters(partner_name="Woonstad"),
        ReportFilters(campaign_id=known_dataset["campaign"].pk),
    ):
        rolled, live = both([municipality], OCTOBER, filters)
        assert rolled["refreshed_at"] is None
        assert rolled == live
    partial, _live = both([municipality], (dt.date(2026, 10, 2), dt.date(2026, 10, 31)))
    assert partial["refreshed_at"] is None
    november_cases(municipality, known_dataset)
    FigureRefresh.objects.filter(month=dt.date(2026, 11, 1)).delete()
    # November has cases now but was not refreshed: live.
    rolled, live = both([municipality], (dt.date(2026, 10, 1), dt.date(2026, 11, 30)))
    assert rolled["refreshed_at"] is None
    assert rolled["signals"]["cases"] == 12


def test_empty_months_from_the_rollup(known_dataset, municipality):
    refresh(municipality)
    # September has no cases; October (refreshed) makes the rollup answer.
    rolled, live = both([municipality], (dt.date(2026, 9, 1), dt.date(2026, 9, 30)))
    assert rolled == live  # no refreshed month at all: live
    assert rolled["signals"]["received"] == 0
    assert rolled["reach"]["reach"] is None
    rolled, live = both([municipality], (dt.date(2026, 8, 1), dt.date(2026, 10, 31)))
    assert_identical(rolled, live)
    assert rolled["costs"]["total"] == 47.5  # 7 callable * 2.50 + 3 months * 10


def test_one_municipality_never_shows_another(known_dataset, municipality, other_municipality):
    build_dataset(other_municipality, label_prefix="Beta ")
    refresh(municipality, other_municipality)
    assert set(MonthlyFigure.objects.values_list("municipality_id", flat=True)) == {
        municipality.pk,
        other_municipality.pk,
    }
    rolled, live = both([municipality], OCTOBER)
    assert_identical(rolled, live)
    assert rolled["signals"]["received"] == 10
    assert all(not r["label"].startswith("Beta") for r in rolled["wrong_numbers"])
    assert all(not name.startswith("Beta") for name in rolled["partner_names"])
    together, live = both([municipality, other_municipality], OCTOBER)
    assert_identical(together, live)
    assert together["signals"]["received"] == 20
    assert together["costs"]["total"] == 55.0
    # A municipality that was never refreshed makes the whole question live.
    MonthlyFigure.objects.filter(municipality=other_municipality).delete()
    FigureRefresh.objects.filter(municipality=other_municipality).delete()
    together, live = both([municipality, other_municipality], OCTOBER)
    assert together["refreshed_at"] is None
    assert together["signals"]["received"] == 20


def test_crisis_pending_is_decided_when_shown(known_dataset, municipality):
    """A crisis case without an attempt is pending until its deadline and late after it; the
    rollup keeps the deadline, so the day of showing decides, as live."""
    today = dt.date.today()
    for offset in (0, 40):
        case = CaseFactory(
            municipality=municipality,
            state="call_queue",
            is_crisis=True,
            matched_on=dt.date(2026, 10, 20),
        )
        SignalFactory(
            case=case,
            partner_type=PartnerType.WATER,
            partner_name="Vitens",
            is_crisis=True,
            signal_date=today - dt.timedelta(days=offset),
        )
    refresh(municipality)
    rolled, live = both([municipality], OCTOBER)
    assert_identical(rolled, live)
    assert (rolled["crisis"]["pending"], rolled["crisis"]["late"]) == (1, 2)


def test_refresh_replaces_a_month(known_dataset, municipality):
    refresh(municipality)
    before = MonthlyFigure.objects.filter(municipality=municipality).count()
    refresh(municipality)
    assert MonthlyFigure.objects.filter(municipality=municipality).count() == before
    months = set(
        FigureRefresh.objects.filter(municipality=municipality).values_list("month", flat=True)
    )
    assert dt.date(2026, 10, 1) in months


def test_command(known_dataset, municipality, capsys):
    call_command(
        "refresh_figures", "--organisation", municipality.municipality_code, "--month", "2026-10"
    )
    assert "1 months" in capsys.readouterr().out or FigureRefresh.objects.count() == 1
    assert list(FigureRefresh.objects.values_list("month", flat=True)) == [dt.date(2026, 10, 1)]
    assert_identical(*both([municipality], OCTOBER))
    with pytest.raises(CommandError, match="JJJJ-MM"):
        call_command("refresh_figures", "--month", "2026-13")
    with pytest.raises(CommandError):
        call_command("refresh_figures", "--organisation", "9999")
    call_command("refresh_figures")
    assert FigureRefresh.objects.filter(municipality=municipality).count() >= 1


def test_a_moved_case_asks_for_one_refresh(
    known_dataset, municipality, django_capture_on_commit_callbacks
):
    c5 = known_dataset["cases"][4]
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        transition(c5, CaseState.EXHAUSTED)
    assert FigureRefreshRequest.objects.filter(municipality=municipality).count() == 1
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        transition(known_dataset["cases"][3], CaseState.EXHAUSTED)
    assert FigureRefreshRequest.objects.count() == 1  # debounced: still one request
    assert not FigureRefresh.objects.exists()  # the tests' task backend cannot defer
    assert refresh_requested_figures.call(municipality_id=municipality.pk) == 1
    assert not FigureRefreshRequest.objects.exists()
    rolled, live = both([municipality], OCTOBER)
    assert_identical(rolled, live)
    assert rolled["end_results"] == live["end_results"]


def test_requested_refreshes_from_the_command(known_dataset, municipality):
    services.request_figures_refresh(municipality_id=municipality.pk)
    call_command("refresh_figures", "--requested")
    assert not FigureRefreshRequest.objects.exists()
    assert FigureRefresh.objects.filter(municipality=municipality).exists()


def test_the_dashboard_says_when_the_figures_were_refreshed(
    known_dataset, municipality, make_member, verified_client
):
    from bereik.accounts.roles import Role

    client = verified_client(make_member(Role.COORDINATOR, municipality))
    params = {"start": "2026-10-01", "end": "2026-10-31"}
    response = client.get("/rapportage/", params)
    assert "Berekend uit de registraties van dit moment" in response.content.decode()
    refresh(municipality)
    response = client.get("/rapportage/", params)
    text = response.content.decode()
    assert "Bijgewerkt op" in text
    assert response.context["figures"]["refreshed_at"] is not None
    assert "Eneco" in response.context["partner_labels"]


def test_tariff_changes_apply_at_once(known_dataset, municipality):
    """Costs are computed when shown from the stored callable counts and the current tariff."""
    refresh(municipality)
    from bereik.reporting.models import ReportSettings

    ReportSettings.objects.filter(municipality=municipality).update(
        price_per_callable_record=Decimal("3.00")
    )
    rolled, live = both([municipality], OCTOBER)
    assert_identical(rolled, live)
    assert rolled["costs"]["total"] == 31.0


def test_a_burst_of_moves_queues_one_deferred_refresh(
    known_dataset, municipality, settings, django_capture_on_commit_callbacks
):
    """With a task backend that defers work (the database worker in production): the first move
    queues one refresh after the delay; the following moves of the burst cost no query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    settings.REPORTING_REFRESH_DELAY = 300
    services._covered_until.clear()
    backend = refresh_requested_figures.get_backend()
    assert backend.supports_defer
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        transition(known_dataset["cases"][4], CaseState.EXHAUSTED)
    request = FigureRefreshRequest.objects.get(municipality=municipality)
    assert len(backend.results) == 1
    queued = backend.results[0]
    assert queued.kwargs == {"municipality_id": municipality.pk}
    assert queued.task.run_after == request.requested_at + dt.timedelta(seconds=300)
    with CaptureQueriesContext(connection) as queries:
        services.on_case_transitioned(None, municipality_id=municipality.pk)
    assert len(queries.captured_queries) == 0
    assert len(backend.results) == 1
    services._covered_until.clear()
    services.on_case_transitioned(None, municipality_id=municipality.pk)
    assert len(backend.results) == 1  # the request is still pending: nothing new queued
