"""Every dashboard figure on the hand-built dataset of ``conftest.build_dataset``, with the
answers worked out by hand."""

import datetime as dt
import json

import pytest

from bereik.reporting.figures import ReportFilters, compute, working_days_between

from .conftest import PERIOD, build_dataset

pytestmark = pytest.mark.django_db


def figures_for(municipality, filters=None, period=PERIOD):
    return compute(
        municipality_ids=[municipality.pk],
        period_start=period[0],
        period_end=period[1],
        filters=filters,
    )


def test_signals_counted_once_per_resident(known_dataset, municipality):
    figures = figures_for(municipality)
    assert figures["signals"] == {
        "received": 10,
        "residents": 9,
        "cases": 9,
        "cases_with_several_signals": 1,
    }
    json.dumps(figures)  # plain JSON, for the API and BI tools


def test_not_picked_up_and_callable_share(known_dataset, municipality):
    figures = figures_for(municipality)
    assert figures["not_picked_up"]["total"] == 1
    assert [(r["end_result"], r["cases"]) for r in figures["not_picked_up"]["by_reason"]] == [
        ("Niet opgepakt: onterecht signaal", 1)
    ]
    assert figures["callable"] == {
        "cases_picked_up": 8,
        "callable_without_enrichment": 6,
        "callable": 7,
        "share_before_enrichment": 0.75,
        "share_after_enrichment": 0.875,
        "sent_to_enrichment": 2,
        "enrichment_found": 1,
        "enrichment_success": 0.5,
    }


def test_reach_and_help_acceptance(known_dataset, municipality):
    assert figures_for(municipality)["reach"] == {
        "callable": 7,
        "reached": 3,
        "reach": 0.4286,
        "help_requests": 1,
        "help_acceptance": 0.3333,
    }


def test_aapor_rates(known_dataset, municipality):
    aapor = figures_for(municipality)["aapor"]
    assert aapor["counts"] == {
        "I": 1,
        "P": 0,
        "R": 1,
        "O": 1,
        "NC": 1,
        "UH": 2,
        "UO": 0,
        "NE": 1,
    }
    assert aapor["con1"] == 0.5  # 3 / 6
    assert aapor["coop1"] == 0.3333  # 1 / 3
    assert aapor["ref1"] == 0.1667  # 1 / 6
    assert aapor["rr1"] == 0.1667  # 1 / 6


def test_outcome_breakdown(known_dataset, municipality):
    outcomes = {r["code"]: r["attempts"] for r in figures_for(municipality)["outcomes"]}
    assert outcomes == {
        "geen_gehoor": 2,
        "voicemail": 1,
        "niet_beschikbaar": 1,
        "verkeerd_persoon": 1,
        "bereikt": 2,
    }


def test_reach_curve(known_dataset, municipality):
    curve = figures_for(municipality)["reach_curve"]
    assert [(r["attempt"], r["reached"], r["cumulative"], r["reach"]) for r in curve] == [
        (1, 2, 2, 0.2857),
        (2, 1, 3, 0.4286),
    ]


def test_contact_rate_by_day_part_and_weekday(known_dataset, municipality):
    figures = figures_for(municipality)
    parts = {
        r["day_part"]: (r["attempts"], r["reached"], r["contact_rate"])
        for r in figures["day_parts"]
    }
    assert parts == {
        "ochtend": (3, 0, 0.0),
        "middag": (2, 2, 1.0),
        "avond": (1, 1, 1.0),
        "zaterdag": (1, 0, 0.0),
    }
    days = {r["weekday"]: (r["attempts"], r["reached"]) for r in figures["weekdays"]}
    assert days == {0: (3, 2), 1: (2, 1), 2: (1, 0), 3: (0, 0), 4: (0, 0), 5: (1, 0), 6: (0, 0)}
    assert figures["weekdays"][3]["contact_rate"] is None  # no attempts: shown as "–"


def test_wrong_numbers_per_partner_label(known_dataset, municipality):
    """Seed 001's table: phone numbers a partner delivered (numbers that came with a signal of
    the cohort's residents; numbers found by enrichment are not the partner's) and how many
    turned out wrong (an attempt got an outcome that retires the number). Every callable case's
    resident has the number of its signal, except c8 (found by enrichment); c4 has a second one;
    c1's number counts for both its labels."""
    rows = {
        r["label"]: (r["delivered"], r["wrong"], r["share"])
        for r in figures_for(municipality)["wrong_numbers"]
    }
    assert rows == {
        "CZ": (2, 0, 0.0),  # c1, c2 (c6 was not picked up: no number)
        "Eneco": (2, 0, 0.0),  # c1, c5 (c8 enrichment, c9 none)
        "Vitens": (1, 0, 0.0),  # c7
        "Woonstad": (3, 1, 0.3333),  # c3 (wrong person), c4's two numbers
    }


def test_wrong_numbers_is_the_lifecycle_feedback_definition(known_dataset, municipality):
    """The dashboard and the partner feedback of the lifecycle app count the same (seed 001)."""
    from bereik.lifecycle import selectors as lifecycle

    dashboard = {
        r["label"]: (r["delivered"], r["wrong"]) for r in figures_for(municipality)["wrong_numbers"]
    }
    # The cohort's signals are dated in October 2026 too (c7's on 2 October).
    feedback = {
        row.label: (row.delivered, row.wrong)
        for row in lifecycle.wrong_numbers(municipality, dt.date(2026, 10, 1))
    }
    assert dashboard == feedback


def test_partner_types(known_dataset, municipality):
    rows = {
        r["partner_type"]: (r["signals"], r["cases"], r["reached"], r["reach"])
        for r in figures_for(municipality)["by_partner_type"]
    }
    assert rows == {
        "Energie": (4, 4, 1, 0.25),
        "Huur": (2, 2, 0, 0.0),
        "Water": (1, 1, 1, 1.0),
        "Zorg": (3, 3, 2, 0.6667),
    }


def test_no_help_reasons_handovers_and_end_results(known_dataset, municipality):
    figures = figures_for(municipality)
    assert [(r["reason"], r["cases"], r["share"]) for r in figures["no_help_reasons"]] == [
        ("paid_or_arranged", 1, 1.0)
    ]
    assert figures["handovers"]["handed_over"] == 1
    assert [(r["end_result"], r["cases"]) for r in figures["handovers"]["follow_up_results"]] == [
        ("Vervolghulp en/of verwijzing financieel", 1)
    ]
    assert {r["end_result"]: r["cases"] for r in figures["end_results"]} == {
        "Niet opgepakt: onterecht signaal": 1,
        "Vervolghulp en/of verwijzing financieel": 1,
    }


def test_outbound_and_inbound(known_dataset, municipality):
    rows = {
        r["direction"]: (r["conversations"], r["help_requests"], r["conversion"])
        for r in figures_for(municipality)["directions"]
    }
    assert rows == {"outbound": (2, 1, 0.5), "inbound": (1, 0, 0.0)}


def test_durations(known_dataset, municipality):
    durations = figures_for(municipality)["durations"]
    assert durations["signal_to_first_contact"] == {"cases": 3, "median_days": 4, "mean_days": 4.0}
    assert durations["signal_to_handover"] == {"cases": 1, "median_days": 7, "mean_days": 7.0}


def test_crisis_within_three_working_days(known_dataset, municipality):
    crisis = figures_for(municipality)["crisis"]
    assert (crisis["cases"], crisis["within_deadline"], crisis["late"]) == (2, 1, 1)
    assert crisis["share_within"] == 0.5


def test_working_days_skip_weekends_and_dutch_holidays():
    # Friday 24 April 2026 to Tuesday 28 April: Monday 27 April is King's Day.
    assert working_days_between(dt.date(2026, 4, 24), dt.date(2026, 4, 28)) == 1
    assert working_days_between(dt.date(2026, 10, 2), dt.date(2026, 10, 5)) == 1


def test_costs_from_the_tariff(known_dataset, municipality):
    # 7 callable records at EUR 2.50 plus a fixed EUR 10 for the month.
    assert figures_for(municipality)["costs"] == {
        "tariff_set": True,
        "total": 27.5,
        "per_callable": 3.93,
        "per_reached": 9.17,
    }


def test_satisfaction_not_measured(known_dataset, municipality):
    assert figures_for(municipality)["satisfaction"]["measured"] is False


def test_empty_period_gives_zeros_and_no_ratios(known_dataset, municipality):
    figures = figures_for(municipality, period=(dt.date(2025, 1, 1), dt.date(2025, 1, 31)))
    assert figures["signals"]["received"] == 0
    assert figures["reach"]["reach"] is None
    assert figures["aapor"]["con1"] is None
    assert figures["reach_curve"] == []
    assert figures["costs"]["per_reached"] is None


def test_filters_narrow_the_cohort(known_dataset, municipality):
    by_label = figures_for(municipality, ReportFilters(partner_name="Woonstad"))
    assert by_label["signals"]["cases"] == 2
    assert by_label["reach"]["reached"] == 0
    by_type = figures_for(municipality, ReportFilters(partner_type="Zorg"))
    assert by_type["signals"]["cases"] == 3
    campaign = known_dataset["campaign"]
    assert (
        figures_for(municipality, ReportFilters(campaign_id=campaign.pk))["reach"]["callable"] == 7
    )


def test_agent_filter(known_dataset, municipality, make_member):
    from bereik.accounts.roles import Role
    from bereik.outreach.models import ContactAttempt

    agent = make_member(Role.AGENT, municipality)
    ContactAttempt.objects.filter(case=known_dataset["cases"][1]).update(agent=agent)
    figures = figures_for(municipality, ReportFilters(agent_id=agent.pk))
    assert figures["signals"]["cases"] == 1
    assert figures["reach"]["reached"] == 1


def test_other_municipality_never_leaks(known_dataset, municipality, other_municipality):
    build_dataset(other_municipality, label_prefix="Beta ")
    figures = figures_for(municipality)
    assert figures["signals"]["received"] == 10
    assert all(not r["label"].startswith("Beta") for r in figures["wrong_numbers"])
    both = compute(
        municipality_ids=[municipality.pk, other_municipality.pk],
        period_start=PERIOD[0],
        period_end=PERIOD[1],
    )
    assert both["signals"]["received"] == 20
    assert both["costs"]["total"] == 55.0


def test_handover_and_appointment_counts(known_dataset, municipality, make_member):
    """Uses the handover app's models when installed (reporting works without them)."""
    models = pytest.importorskip("bereik.handover.models")
    from bereik.accounts.roles import Role
    from bereik.outreach.models import ContactAttempt

    c1 = known_dataset["cases"][0]
    worker = make_member(Role.SOCIAL_WORKER, municipality)
    handover = models.Handover.objects.create(
        municipality=municipality,
        case=c1,
        status=models.Handover.Status.ACCEPTED,
        requested_in=ContactAttempt.objects.get(case=c1, help_requested=True),
    )
    slot = models.AppointmentSlot.objects.create(
        organisation=municipality,
        social_worker=worker,
        starts_at=dt.datetime(2026, 10, 9, 9, tzinfo=dt.UTC),
        ends_at=dt.datetime(2026, 10, 9, 10, tzinfo=dt.UTC),
    )
    models.Appointment.objects.create(
        slot=slot, handover=handover, case=c1, municipality=municipality
    )
    handovers = figures_for(municipality)["handovers"]
    assert handovers["appointments_booked"] == 1
    assert [(r["status"], r["handovers"]) for r in handovers["by_status"]] == [("accepted", 1)]
    assert [
        (r["direction"], r["appointments"]) for r in handovers["appointments_by_direction"]
    ] == [("outbound", 1)]


def test_wrong_numbers_the_same_for_a_long_list_of_residents(
    known_dataset, municipality, monkeypatch
):
    """Over ``MAX_LISTED_IDS`` residents the numbers are found with a subquery: same answer."""
    from bereik.reporting import selectors

    listed = figures_for(municipality)["wrong_numbers"]
    monkeypatch.setattr(selectors, "MAX_LISTED_IDS", {"sqlite": 0, "postgresql": 0})
    assert figures_for(municipality)["wrong_numbers"] == listed
