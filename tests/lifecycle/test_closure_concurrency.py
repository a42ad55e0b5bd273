"""Two closures of the same month at the same moment, each on its own connection: one wins, the
other closes nothing and says so. Runs on SQLite (a file copy of the test database, as in
production) and on PostgreSQL."""

import threading

import pytest
from django.db import connections

from bereik.cases.models import Case
from bereik.cases.workflow import CaseState
from bereik.lifecycle import services
from bereik.lifecycle.models import ClosureBatch, ClosureItem
from tests.outreach.test_claim_concurrency import in_worker, worker_database

from .conftest import IN_NOVEMBER, OCTOBER

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_closures_of_one_month_one_wins(municipality, make_case, tmp_path):
    cases = [make_case(CaseState.EXHAUSTED) for _ in range(20)]
    with worker_database(tmp_path):
        barrier = threading.Barrier(2)
        results, errors = [], []

        def work():
            try:
                barrier.wait()
                results.append(
                    services.close_month(municipality=municipality, month=OCTOBER, now=IN_NOVEMBER)
                )
            except services.LifecycleError as error:
                errors.append(error)
            except Exception as error:  # SQLite: the losing writer may see "database is locked"
                errors.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=work) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        batches = in_worker(lambda: ClosureBatch.objects.count())
        items = in_worker(lambda: ClosureItem.objects.count())
        states = in_worker(
            lambda: set(
                Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("state", flat=True)
            )
        )
    assert len(results) == 1, errors
    assert len(errors) == 1
    if connections["default"].vendor == "postgresql":
        assert isinstance(errors[0], services.MonthAlreadyClosed | services.ConcurrentClosure)
    assert batches == 1
    assert items == len(cases)
    assert states == {CaseState.CLOSED}
