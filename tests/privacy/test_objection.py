import datetime

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from bereik.audit.models import AuditEntry
from bereik.privacy import selectors, services
from tests.factories import CaseFactory, ObjectionFactory, ResidentFactory


def test_record_and_withdraw_an_objection(municipality, coordinator):
    resident = ResidentFactory(municipality=municipality)
    other = ResidentFactory(municipality=municipality)

    services.record_objection(
        resident=resident,
        received_on=datetime.date(2026, 1, 5),
        channel="letter",
        note="Wil niet gebeld worden",
        actor=coordinator,
    )

    assert selectors.has_objection(resident)
    assert selectors.residents_with_objection([resident.pk, other.pk]) == {resident.pk}

    services.withdraw_objection(
        resident=resident,
        withdrawn_on=datetime.date(2026, 2, 1),
        channel="phone",
        actor=coordinator,
    )

    assert not selectors.has_objection(resident)
    assert selectors.objections_of(resident).get().withdrawn_by == coordinator
    details = [e.detail for e in AuditEntry.objects.filter(object_type="privacy.objection")]
    assert [d["objection"] for d in details] == ["withdrawn", "recorded"]
    assert "Wil niet" not in str(details)


def test_a_second_active_objection_is_refused(municipality, coordinator):
    objection = ObjectionFactory(resident__municipality=municipality)

    with pytest.raises(services.PrivacyError):
        services.record_objection(
            resident=objection.resident,
            received_on=datetime.date(2026, 1, 6),
            channel="phone",
            actor=coordinator,
        )


def test_withdrawing_without_an_objection_is_refused(municipality, coordinator):
    with pytest.raises(services.PrivacyError):
        services.withdraw_objection(
            resident=ResidentFactory(municipality=municipality),
            withdrawn_on=datetime.date(2026, 1, 6),
            channel="phone",
            actor=coordinator,
        )


def test_objection_recorded_in_the_ui(municipality, coordinator, verified_client):
    resident = ResidentFactory(municipality=municipality)
    url = f"/privacy/inwoners/{resident.pk}/bezwaar/"
    client = verified_client(coordinator)

    response = client.post(url, {"date": "2026-01-05", "channel": "email", "note": ""})

    assert response.status_code == 302
    assert selectors.has_objection(resident)
    response = client.post(url, {"date": "2026-01-04", "channel": "email", "note": ""})
    assert response.status_code == 400  # withdrawn before it was received
    assert selectors.has_objection(resident)


def test_legal_hold_placed_and_lifted_in_the_ui(municipality, coordinator, verified_client):
    case = CaseFactory(municipality=municipality)
    url = f"/privacy/dossiers/{case.pk}/bewaarplicht/"
    client = verified_client(coordinator)

    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Rechtszaak"}).status_code == 302
    assert selectors.active_legal_hold(case) is not None
    assert client.post(url, {"reason": "Afgerond"}).status_code == 302
    assert selectors.active_legal_hold(case) is None
    assert AuditEntry.objects.filter(object_type="privacy.legalhold").count() == 2


def test_case_page_panel_shows_objection_and_hold(municipality, coordinator, agent):
    case = CaseFactory(municipality=municipality)
    ObjectionFactory(resident=case.resident)
    services.place_legal_hold(case=case, reason="Rechtszaak", actor=coordinator)
    template = Template("{% load privacy %}{% privacy_panel case %}")

    for user, links in ((coordinator, True), (agent, False)):
        request = RequestFactory().get("/")
        request.user = user
        html = template.render(Context({"case": case, "request": request}))
        assert "05-01-2026" in html
        assert 'data-testid="hold-status"' in html
        assert (f"/privacy/dossiers/{case.pk}/bewaarplicht/" in html) is links
