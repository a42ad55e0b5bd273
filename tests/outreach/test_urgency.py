"""A new signal that makes a queued case more urgent (a crisis signal) puts its queue entry on
top of the call queue at once, not only the case."""

import datetime as dt
import io

import pytest

from bereik.intake.models import ImportRun
from bereik.intake.services import process_run
from bereik.outreach import services
from bereik.outreach.models import QueueEntry
from tests.intake.conftest import csv_file, csv_row

from .conftest import TUESDAY_MORNING as NOW

pytestmark = pytest.mark.django_db


def import_rows(municipality, *rows, today):
    run = ImportRun.objects.create(
        municipality=municipality, source="test", file_name="test.csv", mode="valid_rows"
    )
    content = csv_file(*rows)
    process_run(run, io.BytesIO(content), size=len(content), today=today)


def test_a_crisis_signal_for_a_queued_case_puts_it_on_top_of_the_call_queue(
    municipality, campaign, make_entry, agent
):
    older = make_entry()  # queued earlier: without the crisis it would be called first
    import_rows(municipality, csv_row(signaal_id="A"), today=dt.date(2026, 11, 20))
    services.enqueue_cases(actor=None, campaign=campaign, now=NOW - dt.timedelta(hours=1))
    entry = QueueEntry.objects.exclude(pk=older.pk).get()
    assert (entry.band, entry.is_crisis) == (QueueEntry.Band.NORMAL, False)

    import_rows(
        municipality,
        csv_row(signaal_id="B", crisissignaal="ja", signaalpartner_type="Huur"),
        today=dt.date(2026, 11, 23),
    )
    entry.refresh_from_db()
    assert (entry.band, entry.is_crisis) == (QueueEntry.Band.CRISIS, True)
    assert entry.rank_date == dt.date(2026, 11, 26)  # three working days after the signal
    assert services.claim_next(agent=agent, now=NOW).pk == entry.pk


def test_a_crisis_signal_leaves_a_callback_first(municipality, campaign, agent):
    import_rows(municipality, csv_row(signaal_id="A"), today=dt.date(2026, 11, 20))
    services.enqueue_cases(actor=None, campaign=campaign, now=NOW - dt.timedelta(hours=1))
    QueueEntry.objects.update(band=QueueEntry.Band.CALLBACK)
    import_rows(
        municipality,
        csv_row(signaal_id="B", crisissignaal="ja", signaalpartner_type="Huur"),
        today=NOW.date(),
    )
    entry = QueueEntry.objects.get()
    assert (entry.band, entry.is_crisis) == (QueueEntry.Band.CALLBACK, True)
