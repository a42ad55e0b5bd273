"""Two supervisors saving the first setting of one outcome code at the same time: both changes
are kept, in order, and neither gets an error (the second used to insert the setting a second
time and fail on the unique constraint)."""

import threading

import pytest
from django.db import connections, transaction

from bereik.outreach import services
from bereik.outreach.models import OutcomeSetting

from .test_claim_concurrency import in_worker, worker_database

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_first_settings_of_one_code_both_apply(outcomes, municipality, tmp_path):
    code = outcomes["geen_gehoor"]
    first_saved, errors = threading.Event(), []

    def first():
        try:
            with transaction.atomic():
                services.save_outcome_setting(
                    actor=None,
                    municipality_id=municipality.pk,
                    outcome=code,
                    values={"retry_delay_minutes": 90},
                )
                first_saved.set()
                # Still uncommitted while the second supervisor saves.
                threading.Event().wait(0.5)
        except Exception as error:
            errors.append(error)
        finally:
            first_saved.set()
            connections.close_all()

    def second():
        try:
            first_saved.wait()
            services.save_outcome_setting(
                actor=None,
                municipality_id=municipality.pk,
                outcome=code,
                values={"needs_note": True},
            )
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    with worker_database(tmp_path):
        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        settings = in_worker(
            lambda: list(
                OutcomeSetting.objects.filter(municipality=municipality, outcome=code).values(
                    "retry_delay_minutes", "needs_note"
                )
            )
        )
    assert errors == []
    assert settings == [{"retry_delay_minutes": 90, "needs_note": True}]
