import datetime as dt

import pytest
from django.urls import reverse

from bereik.accounts.roles import Role

URL = reverse("reach:planner")


@pytest.fixture
def client_for_supervisor(verified_client, make_member, contact_centre):
    return verified_client(make_member(Role.SUPERVISOR, contact_centre))


def errors_for(client, municipality, **changes):
    values = {
        "municipality": municipality.pk,
        "signals": 500,
        "start_date": dt.date.today().isoformat(),
        "agents_morning": "1",
        "agents_afternoon": "1",
        "agents_evening": "1",
        "agents_saturday": "1",
        "day": 21,
        "target": 70,
        "policy": "baseline",
    }
    values.update(changes)
    response = client.get(URL, values)
    assert response.status_code == 200
    assert response.context["plan"] is None
    return response.context["form"].errors


@pytest.mark.parametrize("signals", ["0", "-5"])
def test_signals_must_be_positive(client_for_supervisor, municipality, signals):
    errors = errors_for(client_for_supervisor, municipality, signals=signals)
    assert errors["signals"] == ["Het aantal signalen moet een positief getal zijn."]


def test_signals_must_be_a_number(client_for_supervisor, municipality):
    errors = errors_for(client_for_supervisor, municipality, signals="veel")
    assert errors["signals"] == ["Vul een geheel aantal signalen in."]


def test_agents_cannot_be_negative(client_for_supervisor, municipality):
    errors = errors_for(client_for_supervisor, municipality, agents_evening="-1")
    assert errors["agents_evening"] == ["Het aantal medewerkers kan niet negatief zijn."]


def test_at_least_one_agent_somewhere(client_for_supervisor, municipality):
    errors = errors_for(
        client_for_supervisor,
        municipality,
        agents_morning="0",
        agents_afternoon="0",
        agents_evening="0",
        agents_saturday="0",
    )
    assert errors["__all__"] == ["Plan in minstens één dagdeel een medewerker in."]


@pytest.mark.parametrize("day", ["0", "43", "400"])
def test_day_within_the_horizon(client_for_supervisor, municipality, day):
    errors = errors_for(client_for_supervisor, municipality, day=day)
    assert errors["day"] == ["Kies een dag tussen 1 en 42."]


@pytest.mark.parametrize("target", ["0", "100"])
def test_target_between_1_and_99(client_for_supervisor, municipality, target):
    errors = errors_for(client_for_supervisor, municipality, target=target)
    assert errors["target"] == ["Het streefbereik moet tussen 1 en 99 procent liggen."]


def test_start_date_within_a_year(client_for_supervisor, municipality):
    far = (dt.date.today() + dt.timedelta(days=800)).isoformat()
    errors = errors_for(client_for_supervisor, municipality, start_date=far)
    assert errors["start_date"] == ["Kies een eerste beldag binnen een jaar vanaf vandaag."]
