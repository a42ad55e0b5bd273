import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from bereik.audit.models import AuditAction, AuditEntry
from bereik.privacy import selectors, services
from bereik.privacy.models import RetentionTerm


def test_defaults_are_6_12_18_months_and_3_for_import_reports(municipality):
    assert selectors.retention_terms(municipality) == {
        "not_picked_up": 6,
        "picked_up": 12,
        "follow_up": 18,
        "import_reports": 3,
    }


@pytest.mark.parametrize("months", [0, -3])
def test_service_refuses_a_term_of_zero_or_less(municipality, coordinator, months):
    with pytest.raises(ValidationError) as error:
        services.set_retention_terms(
            municipality=municipality, terms={"picked_up": months}, actor=coordinator
        )

    assert "minstens 1 maand" in str(error.value) or "at least 1 month" in str(error.value)
    assert not RetentionTerm.objects.exists()


def test_database_refuses_a_term_of_zero(municipality):
    with pytest.raises(IntegrityError), transaction.atomic():
        RetentionTerm.objects.create(municipality=municipality, category="picked_up", months=0)


def test_coordinator_changes_terms_in_the_ui_and_it_is_audited(
    municipality, coordinator, verified_client
):
    client = verified_client(coordinator)
    url = f"/privacy/gemeenten/{municipality.pk}/bewaartermijnen/"

    assert client.get(url).status_code == 200
    response = client.post(
        url, {"not_picked_up": 3, "picked_up": 12, "follow_up": 24, "import_reports": 2}
    )

    assert response.status_code == 302
    assert selectors.retention_terms(municipality)["follow_up"] == 24
    assert selectors.retention_terms(municipality)["import_reports"] == 2
    entry = AuditEntry.objects.filter(object_type="privacy.retentionterm").get()
    assert entry.action == AuditAction.UPDATE
    assert entry.detail["terms"]["follow_up"] == [18, 24]


def test_a_term_of_zero_in_the_ui_gets_a_clear_dutch_message(
    municipality, coordinator, verified_client
):
    client = verified_client(coordinator)
    url = f"/privacy/gemeenten/{municipality.pk}/bewaartermijnen/"

    response = client.post(
        url, {"not_picked_up": 0, "picked_up": 12, "follow_up": 18, "import_reports": 3}
    )

    assert response.status_code == 400
    assert "Een bewaartermijn moet minstens 1 maand zijn" in response.content.decode()
    assert selectors.retention_terms(municipality)["not_picked_up"] == 6


def test_functional_admin_of_the_municipality_may_change_terms(
    municipality, functional_admin, verified_client
):
    client = verified_client(functional_admin)
    url = f"/privacy/gemeenten/{municipality.pk}/bewaartermijnen/"

    response = client.post(
        url, {"not_picked_up": 6, "picked_up": 9, "follow_up": 18, "import_reports": 3}
    )

    assert response.status_code == 302
    assert selectors.retention_terms(municipality)["picked_up"] == 9
