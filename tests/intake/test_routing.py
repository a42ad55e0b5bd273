"""Routing new cases by the municipality's rules, seeded with the defaults."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from bereik.accounts.roles import Role
from bereik.cases.models import Case, Signal
from bereik.intake.models import IntakeSettings, RoutingRule
from bereik.intake.routing import add_working_days

from .conftest import csv_file, csv_row

pytestmark = pytest.mark.django_db


def test_defaults_are_seeded_once(run_import, municipality):
    run_import(csv_file(csv_row()))
    run_import(csv_file(csv_row(signaal_id="S2")))
    assert RoutingRule.objects.filter(municipality=municipality).count() == 5


def test_below_the_minimum_is_not_picked_up_as_unjustified(run_import):
    report = run_import(csv_file(csv_row(bedrag="74,99")))
    case = Case.objects.get()
    assert (case.state, case.end_result) == ("closed", "Niet opgepakt: onterecht signaal")
    assert Signal.objects.get().status == "Niet opgepakt: onterecht signaal"
    assert report["routing"] == {"closed_unjustified": 1}


def test_several_small_signals_count_together(run_import):
    run_import(
        csv_file(
            csv_row(signaal_id="A", bedrag="50"),
            csv_row(signaal_id="B", bedrag="50", signaalpartner_type="Water"),
        )
    )
    assert Case.objects.get().state == "call_queue"


def test_total_above_2000_goes_to_the_social_workers(run_import):
    run_import(
        csv_file(
            csv_row(signaal_id="A", bedrag="1.500,00", signaalpartner_type="Huur"),
            csv_row(signaal_id="B", bedrag="600", signaalpartner_type="Energie"),
        )
    )
    assert Case.objects.get().state == "social_work_queue"


def test_crisis_is_urgent_within_three_working_days(run_import):
    # Thursday 2026-12-24: Christmas Day (Friday) and the weekend are skipped.
    run_import(csv_file(csv_row(crisissignaal="ja")), today=datetime.date(2026, 12, 24))
    case = Case.objects.get()
    assert case.is_crisis
    assert case.due_on == datetime.date(2026, 12, 30)
    assert case.state == "call_queue"


def test_working_days_skip_dutch_public_holidays():
    assert add_working_days(datetime.date(2026, 4, 24), 1) == datetime.date(
        2026, 4, 28
    )  # King's Day
    assert add_working_days(datetime.date(2026, 11, 20), 3) == datetime.date(2026, 11, 25)


def test_valid_phone_goes_to_the_call_queue_and_none_to_enrichment(run_import):
    run_import(
        csv_file(
            csv_row(signaal_id="A"),
            csv_row(signaal_id="B", bsn="123456782", telefoonnummer=""),
        )
    )
    states = dict(Case.objects.values_list("resident__bsn", "state"))
    assert states == {"111222333": "call_queue", "123456782": "enrichment"}


def test_routing_is_on_the_case_timeline(run_import):
    run_import(csv_file(csv_row()))
    transition = Case.objects.get().transitions.get()
    assert (transition.from_state, transition.to_state) == ("new", "call_queue")
    assert "Routeringsregel" in transition.reason


def test_an_edited_rule_takes_effect(run_import, municipality, make_member, verified_client):
    run_import(csv_file(csv_row(signaal_id="FIRST", bsn="123456782")))  # seeds the defaults
    client = verified_client(make_member(Role.COORDINATOR, municipality))
    rules = list(RoutingRule.objects.filter(municipality=municipality).order_by("position"))
    data = {
        "municipality": municipality.pk,
        "form-TOTAL_FORMS": len(rules),
        "form-INITIAL_FORMS": len(rules),
        "form-MIN_NUM_FORMS": 0,
        "form-MAX_NUM_FORMS": 1000,
        "recidive_months": 6,
    }
    for index, rule in enumerate(rules):
        amount = Decimal(300) if rule.condition == "total_below" else rule.amount
        data.update(
            {
                f"form-{index}-id": rule.pk,
                f"form-{index}-position": rule.position,
                f"form-{index}-condition": rule.condition,
                f"form-{index}-amount": "" if amount is None else str(amount),
                f"form-{index}-action": rule.action,
                f"form-{index}-due_working_days": rule.due_working_days or "",
                f"form-{index}-is_active": "on",
            }
        )
    response = client.post(reverse("intake:rules"), data)
    assert response.status_code == 302, response.context and response.context["formset"].errors
    assert RoutingRule.objects.get(municipality=municipality, condition="total_below").amount == 300
    run_import(csv_file(csv_row(bedrag="250")))
    assert Case.objects.get(resident__bsn="111222333").end_result == (
        "Niet opgepakt: onterecht signaal"
    )


def test_rules_page_needs_the_manage_rules_permission(municipality, make_member, verified_client):
    client = verified_client(make_member(Role.FUNCTIONAL_ADMIN, municipality))
    assert client.get(reverse("intake:rules")).status_code == 403


def test_a_rule_with_an_amount_condition_needs_an_amount(
    municipality, make_member, verified_client
):
    client = verified_client(make_member(Role.COORDINATOR, municipality))
    client.get(reverse("intake:rules"))  # seeds
    data = {
        "municipality": municipality.pk,
        "form-TOTAL_FORMS": 1,
        "form-INITIAL_FORMS": 0,
        "form-MIN_NUM_FORMS": 0,
        "form-MAX_NUM_FORMS": 1000,
        "form-0-position": 5,
        "form-0-condition": "total_above",
        "form-0-amount": "",
        "form-0-action": "social_work_queue",
        "recidive_months": 6,
    }
    response = client.post(reverse("intake:rules"), data)
    assert response.status_code == 200
    assert "heeft een bedrag nodig" in response.text


def _settings_post(client, municipality, months):
    return client.post(
        reverse("intake:rules"),
        {
            "municipality": municipality.pk,
            "form-TOTAL_FORMS": 0,
            "form-INITIAL_FORMS": 0,
            "form-MIN_NUM_FORMS": 0,
            "form-MAX_NUM_FORMS": 1000,
            "recidive_months": months,
        },
    )


@pytest.mark.parametrize("months", [61, 32767, 100000])
def test_the_recidive_window_has_an_upper_bound(municipality, make_member, verified_client, months):
    client = verified_client(make_member(Role.COORDINATOR, municipality))
    response = _settings_post(client, municipality, months)
    assert response.status_code == 200
    assert "ten hoogste 60 maanden" in response.text
    assert IntakeSettings.objects.get(municipality=municipality).recidive_months == 6


def test_the_longest_recidive_window_is_saved_and_imports_work(
    run_import, municipality, make_member, verified_client
):
    client = verified_client(make_member(Role.COORDINATOR, municipality))
    assert _settings_post(client, municipality, 60).status_code == 302
    assert IntakeSettings.objects.get(municipality=municipality).recidive_months == 60
    run_import(csv_file(csv_row(signaal_id="OLD", signaaldatum="05-01-2022")))
    report = run_import(csv_file(csv_row(signaal_id="NEW", bedrag="900")))
    assert (report["status"], report["imported"]) == ("done", 1)
    new_case = Case.objects.get(signals__external_id="NEW")
    assert new_case.recidive_of == Case.objects.get(signals__external_id="OLD")


def test_the_service_refuses_a_window_beyond_the_bound(municipality):
    from django.core.exceptions import ValidationError

    from bereik.intake.services import save_intake_settings

    with pytest.raises(ValidationError):
        save_intake_settings(municipality=municipality, recidive_months=1000, actor=None)
    assert not IntakeSettings.objects.filter(municipality=municipality).exists()
