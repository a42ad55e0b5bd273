import datetime

import pytest

from bereik.audit.models import AuditEntry, AuditResult
from bereik.cases.models import PhoneNumber, Resident, Signal
from bereik.privacy import services
from bereik.privacy.models import PurgedCase, PurgeRun
from tests.factories import ClosedCaseFactory, PhoneNumberFactory, SignalFactory
from tests.privacy.conftest import TODAY


class Interrupted(Exception):
    pass


@pytest.fixture
def due_cases(municipality):
    cases = []
    for _ in range(5):
        case = ClosedCaseFactory(
            municipality=municipality,
            closed_at=datetime.datetime(2024, 1, 1, 10, 0, tzinfo=datetime.UTC),
        )
        PhoneNumberFactory(resident=case.resident)
        SignalFactory(case=case, external_id=f"RIS-{case.pk}")
        cases.append(case)
    return cases


def _half_anonymised() -> int:
    """Residents with some personal data gone and some left, or marked without being purged."""
    broken = 0
    for resident in Resident.objects.all():
        personal = [resident.bsn, resident.surname, resident.street]
        has_phone = PhoneNumber.objects.filter(resident=resident).exists()
        emptied = resident.anonymised_at is not None
        if emptied and (any(personal) or has_phone):
            broken += 1
        if not emptied and not all(personal):
            broken += 1
    return broken


def test_purge_interrupted_in_the_second_batch_resumes_without_double_work(
    municipality, due_cases, clean_registry
):
    batches = []

    def failing_in_second_batch(*, case_ids, resident_ids):
        batches.append(case_ids)
        if len(batches) == 2:
            raise Interrupted
        return {"rows": len(case_ids)}

    clean_registry.register_purger("flaky", failing_in_second_batch)

    with pytest.raises(Interrupted):
        services.purge_municipality(municipality=municipality, today=TODAY, batch_size=2)

    first = PurgeRun.objects.get()
    assert first.status == PurgeRun.Status.FAILED
    assert first.cases_purged == 2  # the first batch, completely
    assert PurgedCase.objects.count() == 2
    assert Resident.objects.filter(anonymised_at__isnull=False).count() == 2
    assert Signal.objects.filter(external_id="").count() == 2
    assert _half_anonymised() == 0
    assert (
        AuditEntry.objects.get(object_type="privacy.purgerun", object_id=str(first.pk)).result
        == AuditResult.FAILED
    )

    clean_registry.register_purger(
        "flaky", lambda *, case_ids, resident_ids: {"rows": len(case_ids)}
    )
    second = services.purge_municipality(municipality=municipality, today=TODAY, batch_size=2)

    assert second.status == PurgeRun.Status.DONE
    assert second.cases_purged == 3  # only what the first run left
    assert second.counts["residents"] == 3
    assert second.counts["flaky.rows"] == 3
    assert PurgedCase.objects.count() == 5
    assert set(PurgedCase.objects.values_list("run_id", flat=True)) == {first.pk, second.pk}
    assert Resident.objects.filter(anonymised_at__isnull=True).count() == 0
    assert _half_anonymised() == 0
