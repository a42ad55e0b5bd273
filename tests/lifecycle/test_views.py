"""The pages: month-end closure with preview, close and undo; rules; proposals. Tenant isolation
(another municipality's objects are 404) and role denial (403)."""

import pytest
from freezegun import freeze_time

from bereik.audit.models import AuditAction, AuditEntry
from bereik.cases.results import EndResult
from bereik.cases.workflow import CaseState
from bereik.lifecycle.models import ClosureBatch, LifecycleRule, Proposal, RuleKind
from tests.factories import CaseFactory

from .conftest import IN_NOVEMBER, OCTOBER, SEPTEMBER

S = CaseState
pytestmark = pytest.mark.usefixtures("outcomes")


@pytest.fixture(autouse=True)
def in_november():
    with freeze_time(IN_NOVEMBER):
        yield


def test_preview_close_and_undo(municipality, make_case, coordinator, verified_client):
    client = verified_client(coordinator)
    case = make_case(S.EXHAUSTED)
    response = client.get("/afsluiting/", {"maand": "2026-10"})
    assert response.status_code == 200
    body = response.content.decode()
    assert case.reference in body
    assert "Definitief geen contact kunnen krijgen" in body
    response = client.post("/afsluiting/", {"gemeente": municipality.pk, "maand": "2026-10"})
    batch = ClosureBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/afsluiting/afsluitingen/{batch.pk}/"
    case.refresh_from_db()
    assert case.state == S.CLOSED
    response = client.post("/afsluiting/", {"gemeente": municipality.pk, "maand": "2026-10"})
    assert response.status_code == 409
    assert "al afgesloten" in response.content.decode()
    response = client.post(f"/afsluiting/afsluitingen/{batch.pk}/ongedaan-maken/")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == S.EXHAUSTED
    response = client.post(f"/afsluiting/afsluitingen/{batch.pk}/ongedaan-maken/", follow=True)
    assert "al ongedaan gemaakt" in response.content.decode()


@pytest.mark.parametrize(
    ("month", "status", "message"),
    [("2026-12", 409, "nog niet worden afgesloten"), ("2026-1x", 400, "YYYY-MM")],
)
def test_bad_months_in_the_ui(municipality, coordinator, verified_client, month, status, message):
    client = verified_client(coordinator)
    response = client.post("/afsluiting/", {"maand": month})
    assert response.status_code == status
    assert message in response.content.decode()
    assert not ClosureBatch.objects.exists()


def test_undo_after_the_next_month_ended_is_refused(
    municipality, make_case, coordinator, verified_client
):
    client = verified_client(coordinator)
    make_case(S.EXHAUSTED, period=SEPTEMBER)
    client.post("/afsluiting/", {"maand": "2026-09"})
    batch = ClosureBatch.objects.get()
    response = client.get(f"/afsluiting/afsluitingen/{batch.pk}/")
    assert "kan niet meer ongedaan worden gemaakt" in response.content.decode()
    response = client.post(f"/afsluiting/afsluitingen/{batch.pk}/ongedaan-maken/", follow=True)
    assert "kan niet meer ongedaan worden gemaakt" in response.content.decode()
    batch.refresh_from_db()
    assert batch.undone_at is None


def test_a_supervisor_of_the_contact_centre_may_close(
    municipality, make_case, supervisor, verified_client
):
    make_case(S.EXHAUSTED)
    client = verified_client(supervisor)
    response = client.post("/afsluiting/", {"maand": "2026-10"})
    assert response.status_code == 302
    assert ClosureBatch.objects.get().closed_by == supervisor


def test_closure_access(
    municipality, make_case, coordinator, other_coordinator, agent, verified_client
):
    make_case(S.EXHAUSTED)
    client = verified_client(coordinator)
    client.post("/afsluiting/", {"maand": "2026-10"})
    batch = ClosureBatch.objects.get()
    other = verified_client(other_coordinator)
    assert other.get(f"/afsluiting/afsluitingen/{batch.pk}/").status_code == 404
    assert other.post(f"/afsluiting/afsluitingen/{batch.pk}/ongedaan-maken/").status_code == 404
    assert other.get("/afsluiting/", {"gemeente": municipality.pk}).status_code == 404
    assert (
        other.post("/afsluiting/", {"gemeente": municipality.pk, "maand": "2026-10"}).status_code
        == 404
    )
    batch.refresh_from_db()
    assert batch.undone_at is None
    denied = verified_client(agent)
    assert denied.get("/afsluiting/").status_code == 403
    assert denied.post(f"/afsluiting/afsluitingen/{batch.pk}/ongedaan-maken/").status_code == 403


def test_rule_editing(municipality, coordinator, verified_client):
    client = verified_client(coordinator)
    url = f"/afsluiting/regels/{municipality.pk}/{RuleKind.REFER_GROWING_ARREARS.value}/"
    response = client.post(
        url,
        {"purpose": "", "is_active": "on", "arrears_threshold": "2000", "refer_to": "Crisisteam"},
    )
    assert response.status_code == 400
    assert not LifecycleRule.objects.exists()
    response = client.post(
        url,
        {
            "purpose": "Zorgen om oplopende schulden",
            "is_active": "on",
            "arrears_threshold": "2000",
            "refer_to": "Crisisteam",
        },
    )
    assert response.status_code == 302
    rule = LifecycleRule.objects.get()
    assert (rule.kind, rule.arrears_threshold, rule.refer_to, rule.updated_by) == (
        RuleKind.REFER_GROWING_ARREARS,
        2000,
        "Crisisteam",
        coordinator,
    )
    assert AuditEntry.objects.filter(
        object_type="lifecycle.lifecyclerule", action=AuditAction.CREATE
    ).exists()
    page = client.get("/afsluiting/regels/").content.decode()
    assert "Zorgen om oplopende schulden" in page


def test_rule_access(
    municipality, other_municipality, other_coordinator, supervisor, verified_client
):
    url = f"/afsluiting/regels/{municipality.pk}/{RuleKind.REFER_UNREACHED.value}/"
    assert verified_client(other_coordinator).get(url).status_code == 404
    assert verified_client(supervisor).get(url).status_code == 403
    assert verified_client(supervisor).get("/afsluiting/regels/").status_code == 403


@pytest.fixture
def proposal(municipality, make_case):
    rule = LifecycleRule.objects.create(
        municipality=municipality,
        kind=RuleKind.REFER_UNREACHED,
        purpose="Zorg",
        months=2,
        refer_to="Meldpunt Bezorgd",
    )
    september = make_case(S.CLOSED, period=SEPTEMBER, end_result=EndResult.NO_CONTACT)
    october = CaseFactory(
        municipality=municipality,
        resident=september.resident,
        state=S.EXHAUSTED,
        matching_period=OCTOBER,
    )
    return Proposal.objects.create(
        municipality=municipality,
        rule=rule,
        action=Proposal.Action.REFERRAL,
        resident=october.resident,
        case=october,
        trigger_key=f"unreached:{october.pk}",
        facts={
            "trigger": "unreached",
            "consecutive_months": 2,
            "months": ["2026-09", "2026-10"],
            "cases": [september.reference, october.reference],
            "case": october.reference,
            "case_state": "exhausted",
        },
    )


def test_proposal_review_and_confirmation(proposal, coordinator, verified_client):
    client = verified_client(coordinator)
    page = client.get("/afsluiting/voorstellen/").content.decode()
    assert proposal.case.reference in page
    response = client.get(f"/afsluiting/voorstellen/{proposal.pk}/")
    assert response.status_code == 200
    assert "Niet bereikt in 2 opeenvolgende maanden." in response.content.decode()
    assert AuditEntry.objects.filter(
        action=AuditAction.VIEW, object_type="lifecycle.proposal", object_id=str(proposal.pk)
    ).exists()
    response = client.post(
        f"/afsluiting/voorstellen/{proposal.pk}/", {"decision": "confirm", "note": ""}
    )
    assert response.status_code == 400
    response = client.post(
        f"/afsluiting/voorstellen/{proposal.pk}/",
        {"decision": "confirm", "note": "Besproken in casusoverleg"},
    )
    assert response.status_code == 302
    proposal.case.refresh_from_db()
    assert proposal.case.end_result == EndResult.REFERRAL_WITHOUT_CONTACT
    response = client.post(
        f"/afsluiting/voorstellen/{proposal.pk}/", {"decision": "reject", "note": "x"}
    )
    assert response.status_code == 409


def test_proposal_access(proposal, other_coordinator, supervisor, verified_client):
    other = verified_client(other_coordinator)
    assert other.get(f"/afsluiting/voorstellen/{proposal.pk}/").status_code == 404
    assert (
        other.post(
            f"/afsluiting/voorstellen/{proposal.pk}/", {"decision": "confirm", "note": "x"}
        ).status_code
        == 404
    )
    assert verified_client(supervisor).get("/afsluiting/voorstellen/").status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.PENDING


def test_run_rules_button(municipality, proposal, coordinator, verified_client):
    client = verified_client(coordinator)
    response = client.post(
        "/afsluiting/voorstellen/uitvoeren/", {"gemeente": municipality.pk}, follow=True
    )
    assert response.status_code == 200
    assert Proposal.objects.count() == 1  # the same trigger is not proposed again


def test_start_page_cards(municipality, proposal, coordinator, verified_client):
    response = verified_client(coordinator).get("/")
    body = response.content.decode()
    assert "Voorstellen wachten op beoordeling" in body
    assert "Nog niet afgesloten" in body
