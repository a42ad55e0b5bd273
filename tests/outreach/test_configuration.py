"""What supervisors and coordinators configure: campaigns with calling windows, outcome codes,
versioned scripts and message texts, each within their own municipalities."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from bereik.accounts.roles import Role
from bereik.audit.models import AuditEntry
from bereik.outreach import services
from bereik.outreach.models import (
    CallingWindow,
    Campaign,
    OutcomeCode,
    OutcomeSetting,
    ScriptVersion,
)
from tests.factories import CampaignFactory, MessageTemplateFactory, ScriptFactory

pytestmark = pytest.mark.django_db


def campaign_post(municipality, **overrides):
    data = {
        "municipality": municipality.pk,
        "name": "Oktober",
        "starts_on": "2026-10-01",
        "is_active": "on",
        "max_attempts_per_number": 7,
        "max_attempts_per_day": 2,
        "caller_id": "079 123 4567",
        "lock_minutes": 20,
        "scheduling_policy": "baseline",
        "exploration_percent": 10,
    }
    for day in range(5):
        data[f"window_{day}_start"], data[f"window_{day}_end"] = "08:30", "21:00"
    data["window_5_start"], data["window_5_end"] = "09:00", "17:00"
    data.update(overrides)
    return data


def test_new_campaign_offers_the_default_windows(supervisor, verified_client):
    form = verified_client(supervisor).get(reverse("outreach:campaign_create")).context["form"]
    assert str(form["window_0_start"].value()) == "08:30:00"
    assert str(form["window_5_end"].value()) == "17:00:00"
    assert form["window_6_start"].value() is None  # no calls on Sunday


def test_supervisor_creates_a_campaign(supervisor, verified_client, municipality, outcomes):
    response = verified_client(supervisor).post(
        reverse("outreach:campaign_create"), campaign_post(municipality)
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert sorted(campaign.windows.values_list("weekday", flat=True)) == [0, 1, 2, 3, 4, 5]


def test_supervisor_chooses_the_learning_schedule(supervisor, verified_client, municipality):
    response = verified_client(supervisor).post(
        reverse("outreach:campaign_create"),
        campaign_post(municipality, scheduling_policy="adaptive", exploration_percent=15),
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert (campaign.scheduling_policy, campaign.exploration_percent) == ("adaptive", 15)


def test_an_evaluation_sample_above_half_is_refused(supervisor, verified_client, municipality):
    response = verified_client(supervisor).post(
        reverse("outreach:campaign_create"),
        campaign_post(municipality, scheduling_policy="adaptive", exploration_percent=80),
    )
    assert "exploration_percent" in response.context["form"].errors
    assert not Campaign.objects.exists()


def test_window_ending_before_it_starts_is_refused_with_a_clear_message(
    supervisor, verified_client, municipality
):
    client = verified_client(supervisor)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("outreach:campaign_create"),
        campaign_post(municipality, window_2_start="18:00", window_2_end="09:00"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["window_2_end"] == [
        "The calling window on Wednesday ends (09:00) before it starts (18:00)."
    ]
    assert not Campaign.objects.exists()


def test_database_refuses_a_misconfigured_window_too(campaign):
    import datetime as dt

    with pytest.raises(IntegrityError), transaction.atomic():
        CallingWindow.objects.create(
            campaign=campaign, weekday=6, starts_at=dt.time(18), ends_at=dt.time(9)
        )


def test_daily_cap_above_total_is_refused(supervisor, verified_client, municipality):
    response = verified_client(supervisor).post(
        reverse("outreach:campaign_create"),
        campaign_post(municipality, max_attempts_per_day=9, max_attempts_per_number=7),
    )
    assert "max_attempts_per_day" in response.context["form"].errors


def test_campaign_of_another_municipality_is_not_found(
    supervisor, verified_client, other_municipality, outcomes
):
    foreign = CampaignFactory(municipality=other_municipality)
    client = verified_client(supervisor)
    assert client.get(reverse("outreach:campaign_edit", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("outreach:campaign_enqueue", args=[foreign.pk])).status_code == 404
    response = client.post(reverse("outreach:campaign_create"), campaign_post(other_municipality))
    assert "municipality" in response.context["form"].errors


def test_outcome_codes_are_seeded_in_the_domain_order(outcomes):
    assert list(OutcomeCode.objects.values_list("label", flat=True)) == [
        "Geen gehoor",
        "Voicemail",
        "In gesprek",
        "Niet aanwezig",
        "Niet beschikbaar",
        "Verkeerd persoon",
        "Informatietoon",
        "Foutieve import",
        "Bereikt",
    ]


def outcome_post(page, **changes):
    """The form as the page shows it (checkboxes that are off are left out), with changes."""
    data = {k: v for k, v in page.context["form"].initial.items() if v not in (None, False)}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False}


def test_a_supervisor_sets_the_practice_of_a_municipality_the_centre_serves(
    supervisor, verified_client, outcomes, municipality, other_municipality
):
    busy = outcomes["in_gesprek"]
    client = verified_client(supervisor)
    url = reverse("outreach:outcome_edit", args=[municipality.pk, busy.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["retry_delay_minutes"] == 20  # the national default
    # What the outcome means is shown, not offered: posting it changes nothing.
    response = client.post(url, outcome_post(page, retry_delay_minutes=30, is_final="on"))
    assert response.status_code == 302

    setting = OutcomeSetting.objects.get(municipality=municipality, outcome=busy)
    assert setting.retry_delay_minutes == 30
    assert setting.needs_note is False and setting.position == busy.position  # defaults kept
    busy.refresh_from_db()
    assert busy.retry_delay_minutes == 20 and busy.is_final is False  # the code itself unchanged
    assert not OutcomeSetting.objects.filter(municipality=other_municipality).exists()
    entry = AuditEntry.objects.get(object_type="outreach.outcomesetting")
    assert entry.organisation == municipality and entry.detail["fields"] == ["retry_delay_minutes"]

    listing = client.get(reverse("outreach:outcomes"), {"gemeente": municipality.pk})
    shown = {o.code: o for o in listing.context["outcomes"]}
    assert shown["in_gesprek"].retry_delay_minutes == 30 and shown["in_gesprek"].is_customised
    assert shown["voicemail"].is_customised is False


def test_a_supervisor_cannot_touch_another_municipalitys_practice(
    supervisor, verified_client, outcomes, other_municipality
):
    client = verified_client(supervisor)
    url = reverse("outreach:outcome_edit", args=[other_municipality.pk, outcomes["in_gesprek"].pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"retry_delay_minutes": 1, "is_active": "on"}).status_code == 404
    listing = client.get(reverse("outreach:outcomes"), {"gemeente": other_municipality.pk})
    assert listing.status_code == 404
    assert not OutcomeSetting.objects.exists()


def test_a_final_outcome_cannot_be_made_to_need_a_callback(
    supervisor, verified_client, outcomes, municipality
):
    client = verified_client(supervisor)
    url = reverse("outreach:outcome_edit", args=[municipality.pk, outcomes["bereikt"].pk])
    response = client.post(url, outcome_post(client.get(url), requires_callback="on"))
    assert response.status_code == 200
    assert "requires_callback" in response.context["form"].errors
    assert not OutcomeSetting.objects.exists()
    with pytest.raises(ValidationError):
        services.save_outcome_setting(
            actor=None,
            municipality_id=municipality.pk,
            outcome=outcomes["bereikt"],
            values={"requires_callback": True},
        )
    with pytest.raises(ValueError):
        services.save_outcome_setting(
            actor=None,
            municipality_id=municipality.pk,
            outcome=outcomes["bereikt"],
            values={"is_final": False},  # what a code means is not a municipal setting
        )


def test_agents_cannot_edit_outcome_codes(agent, verified_client, outcomes, municipality):
    response = verified_client(agent).get(
        reverse("outreach:outcome_edit", args=[municipality.pk, outcomes["bereikt"].pk])
    )
    assert response.status_code == 403


def test_script_changes_make_new_versions(make_member, municipality, verified_client):
    coordinator = make_member(Role.COORDINATOR, municipality)
    script = ScriptFactory(municipality=municipality)
    client = verified_client(coordinator)
    client.post(reverse("outreach:script_edit", args=[script.pk]), {"body": "Goedemorgen {naam}"})
    assert list(script.versions.values_list("number", flat=True)) == [2, 1]
    assert script.versions.first().body == "Goedemorgen {naam}"
    response = client.post(
        reverse("outreach:script_edit", args=[script.pk]), {"body": "Hallo {voornaam}"}
    )
    assert "{voornaam}" in response.context["form"].errors["body"][0]
    assert ScriptVersion.objects.filter(script=script).count() == 2


def test_scripts_and_texts_of_other_municipalities_are_not_found(
    make_member, municipality, other_municipality, verified_client
):
    client = verified_client(make_member(Role.COORDINATOR, municipality))
    foreign_script = ScriptFactory(municipality=other_municipality)
    foreign_text = MessageTemplateFactory(municipality=other_municipality)
    assert client.get(reverse("outreach:script_edit", args=[foreign_script.pk])).status_code == 404
    assert client.get(reverse("outreach:template_edit", args=[foreign_text.pk])).status_code == 404
    listing = client.get(reverse("outreach:scripts")).text
    assert foreign_text.name not in listing or foreign_text.municipality.name not in listing


def test_coordinator_writes_an_sms_text(make_member, municipality, verified_client):
    client = verified_client(make_member(Role.COORDINATOR, municipality))
    response = client.post(
        reverse("outreach:template_create"),
        {
            "municipality": municipality.pk,
            "name": "Voor de eerste poging",
            "channel": "sms",
            "body": "Beste {naam}, wij bellen u vandaag namens {gemeente}.",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
