"""The storing shortcuts of a large run: look-ups by index probe, new cases entered directly in
their routed state, and assessment from the rows the run stored instead of reading them back.
Each must give what the plain way gives."""

import dataclasses
import datetime
import random
from decimal import Decimal

import pytest
from django.db import connection, transaction

from bereik.audit.models import AuditEntry
from bereik.cases import bulk
from bereik.cases.matching import SignalMatcher
from bereik.cases.models import Case, Resident, Signal
from bereik.cases.workflow import (
    CaseState,
    CaseTransition,
    TransitionNotAllowed,
    case_transitioned,
    transition_many,
)
from bereik.intake.readers import open_signal_file
from bereik.intake.rows import parse_record
from tests.factories import CaseFactory, ResidentFactory, SignalFactory
from tests.intake.conftest import TODAY, csv_file, csv_row

from .test_chunked_store import _bsns, _file

pytestmark = pytest.mark.django_db


# --- probe ------------------------------------------------------------------------------------


def test_probe_finds_what_a_filter_finds(municipality, other_municipality):
    rnd = random.Random(3)
    residents = [
        ResidentFactory(
            municipality=rnd.choice([municipality, other_municipality]),
            bsn=rnd.choice(["", "111222333", "123456782", "987654321"]),
            birth_date=datetime.date(1980, 1, rnd.randint(1, 5)),
            postcode=rnd.choice(["1234AB", "2345BC"]),
            house_number=rnd.randint(1, 4),
        )
        for _index in range(60)
    ]
    columns = ["id", "bsn", "postcode", "house_number"]
    bsns = ["111222333", "987654321", "000000000"]
    assert sorted(bulk.probe(Resident, columns, "bsn", bsns, municipality=municipality)) == sorted(
        Resident.objects.filter(bsn__in=bsns, municipality=municipality).values_list(*columns)
    )
    days = [datetime.date(1980, 1, 2), datetime.date(1980, 1, 4)]
    narrowed = bulk.probe(
        Resident,
        columns,
        "birth_date",
        days,
        any_of={"postcode": ["1234AB"], "house_number": [1, 3]},
        municipality=municipality,
    )
    expected = Resident.objects.filter(
        birth_date__in=days,
        postcode="1234AB",
        house_number__in=[1, 3],
        municipality=municipality,
    ).values_list(*columns)
    assert narrowed  # the data has such residents
    assert sorted(narrowed) == sorted(expected)
    assert len(narrowed) < len(residents)
    assert bulk.probe(Resident, columns, "bsn", [], municipality=municipality) == []
    assert bulk.probe(Resident, columns, "bsn", bsns, any_of={"postcode": []}) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL plan")
def test_probe_looks_each_value_up_in_the_index_while_the_run_inserts(municipality):
    """Rows this transaction inserted have no statistics: a plain ``= ANY`` filter then scans
    every signal of the municipality and source per look-up."""
    case = CaseFactory(municipality=municipality)
    with transaction.atomic():
        bulk.insert(
            Signal,
            [
                {
                    "municipality_id": municipality.pk,
                    "case_id": case.pk,
                    "resident_id": case.resident_id,
                    "source": "probe",
                    "fingerprint": f"fp{index}",
                    "partner_type": "Zorg",
                    "amount": "10.00",
                    "signal_date": TODAY,
                }
                for index in range(20000)
            ],
        )
        executed = []

        def explain(execute, sql, params, many, context):
            if not sql.startswith("EXPLAIN"):
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN " + sql, params)
                    executed.append("\n".join(row[0] for row in cursor.fetchall()))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(explain):
            found = bulk.probe(
                Signal,
                ["fingerprint"],
                "fingerprint",
                ["fp7", "fp19999", "missing"],
                municipality=municipality,
                source="probe",
            )
    assert sorted(found) == [("fp19999",), ("fp7",)]
    plan = executed[0]
    assert "Nested Loop" in plan
    assert "fingerprint = (v.value)" in plan.replace("::text", "")


def test_insert_stores_typed_values_and_text_alike(municipality):
    """Typed values go in by binary ``COPY`` on PostgreSQL; a batch whose values are not all of
    the column's type (here amounts as text) falls back to text and stores the same."""
    case = CaseFactory(municipality=municipality)
    common = {
        "municipality_id": municipality.pk,
        "case_id": case.pk,
        "resident_id": case.resident_id,
        "source": "typed",
        "partner_type": "Zorg",
        "partner_name": "CZ",
        "signal_date": datetime.date(2026, 10, 2),
    }
    bulk.insert(
        Signal,
        [
            {**common, "fingerprint": "a", "amount": Decimal("464.5"), "arrears_since": None},
            {
                **common,
                "fingerprint": "b",
                "amount": Decimal("0.01"),
                "arrears_since": datetime.date(2026, 4, 1),
                "is_crisis": True,
            },
        ],
    )
    bulk.insert(Signal, [{**common, "fingerprint": "c", "amount": "464.50"}])
    # Only a later row differs from the column's type: the whole batch still goes in (as text).
    bulk.insert(
        Signal,
        [
            {**common, "fingerprint": "d", "amount": Decimal("1.5")},
            {**common, "fingerprint": "e", "amount": "2.50"},
        ],
    )
    stored = {
        fingerprint: rest
        for fingerprint, *rest in Signal.objects.filter(source="typed").values_list(
            "fingerprint", "amount", "arrears_since", "is_crisis", "status", "external_id"
        )
    }
    assert stored == {
        "a": [Decimal("464.50"), None, False, "", ""],
        "b": [Decimal("0.01"), datetime.date(2026, 4, 1), True, "", ""],
        "c": [Decimal("464.50"), None, False, "", ""],
        "d": [Decimal("1.50"), None, False, "", ""],
        "e": [Decimal("2.50"), None, False, "", ""],
    }
    assert Signal.objects.filter(source="typed").exclude(created_at=None).count() == 5


# --- entering new cases in their target state ------------------------------------------------


@pytest.fixture
def announced():
    received = []

    def receiver(sender, **kwargs):
        received.append((kwargs["case_id"], kwargs["from_state"], kwargs["to_state"]))

    case_transitioned.connect(receiver)
    yield received
    case_transitioned.disconnect(receiver)


def test_entered_cases_are_recorded_as_moved_from_new(
    municipality, announced, django_capture_on_commit_callbacks
):
    moved = CaseFactory(municipality=municipality)
    entered = CaseFactory(municipality=municipality, state=CaseState.CALL_QUEUE)
    with django_capture_on_commit_callbacks(execute=True):
        count = transition_many(
            [moved.pk],
            CaseState.CALL_QUEUE,
            municipality=municipality,
            reason="Intake",
            entered_ids=[entered.pk],
        )
    assert count == 2
    moved.refresh_from_db()
    assert moved.state == CaseState.CALL_QUEUE
    timeline = sorted(
        CaseTransition.objects.values_list("case_id", "from_state", "to_state", "reason")
    )
    assert timeline == sorted(
        [
            (moved.pk, "new", "call_queue", "Intake"),
            (entered.pk, "new", "call_queue", "Intake"),
        ]
    )
    assert sorted(announced) == sorted(
        [(moved.pk, "new", "call_queue"), (entered.pk, "new", "call_queue")]
    )
    entry = AuditEntry.objects.get(object_type="cases.case")
    assert entry.detail == {
        "count": 2,
        "from_states": {"new": 2},
        "to_state": "call_queue",
        "end_result": "",
    }


def test_only_entered_cases_still_get_the_batch_audit_entry(municipality):
    entered = CaseFactory(municipality=municipality, state=CaseState.ENRICHMENT)
    assert transition_many(
        [], CaseState.ENRICHMENT, municipality=municipality, entered_ids=[entered.pk]
    )
    assert AuditEntry.objects.get(object_type="cases.case").detail["count"] == 1
    assert CaseTransition.objects.get().from_state == "new"


def test_a_state_not_reachable_from_new_cannot_be_entered(municipality):
    entered = CaseFactory(municipality=municipality)
    with pytest.raises(TransitionNotAllowed):
        transition_many(
            [], CaseState.HANDED_OVER, municipality=municipality, entered_ids=[entered.pk]
        )
    assert not CaseTransition.objects.exists()
    assert not AuditEntry.objects.filter(object_type="cases.case").exists()


def test_transition_many_is_unchanged_for_stored_cases(
    municipality, announced, django_capture_on_commit_callbacks
):
    cases = [CaseFactory(municipality=municipality) for _index in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            transition_many(
                [case.pk for case in cases],
                CaseState.CLOSED,
                municipality=municipality,
                end_result="Niet opgepakt: onterecht signaal",
            )
            == 3
        )
    assert set(Case.objects.values_list("state", "end_result")) == {
        ("closed", "Niet opgepakt: onterecht signaal")
    }
    assert len(announced) == 3
    assert AuditEntry.objects.get(object_type="cases.case").detail["from_states"] == {"new": 3}


# --- assessing from the run's own rows -------------------------------------------------------


def _matcher_with(tmp_path, municipality, content: bytes) -> SignalMatcher:
    path = tmp_path / "signals.csv"
    path.write_bytes(content)
    matcher = SignalMatcher(municipality, "test", today=TODAY)
    with path.open("rb") as stream:
        signal_file = open_signal_file(stream)
        parsed = [
            parse_record(record, signal_file.label, TODAY)[0] for record in signal_file.records
        ]
    rows = [row for row in parsed if row is not None]
    for start in range(0, len(rows), 17):  # several chunks
        matcher.add(rows[start : start + 17])
    return matcher


def _comparable(assessments, ids_by_fingerprint):
    """Assessments with the run's fingerprints replaced by the signals' ids."""
    result = []
    for case in assessments:
        values = dataclasses.asdict(case)
        keys = values.pop("signal_fingerprints")
        values["signal_ids"] = sorted(values["signal_ids"] + [ids_by_fingerprint[k] for k in keys])
        result.append(values)
    return sorted(result, key=lambda values: values["case_id"])


def test_assessing_from_the_run_rows_equals_reading_them_back(tmp_path, municipality):
    earlier_bsn, same_day = _bsns(42)[40:]
    earlier = ResidentFactory(municipality=municipality, bsn=earlier_bsn)
    SignalFactory(
        case=CaseFactory(
            municipality=municipality,
            resident=earlier,
            matching_period=datetime.date(2026, 9, 1),
        ),
        partner_type="Zorg",
        amount="300.00",
        signal_date=datetime.date(2026, 9, 3),
    )
    content = (
        _file()
        + csv_file(
            csv_row(signaal_id="E1", bsn=earlier.bsn, bedrag="400,00", signaaldatum="04-10-2026"),
            csv_row(signaal_id="E2", bsn=earlier.bsn, bedrag="400,00", signaaldatum="05-10-2026"),
            # Same partner, same day: which one repeats the other depends on the order stored.
            csv_row(signaal_id="D1", bsn=same_day, bedrag="300,00", signaaldatum="06-10-2026"),
            csv_row(signaal_id="D2", bsn=same_day, bedrag="200,00", signaaldatum="06-10-2026"),
        ).split(b"\n", 1)[1]
    )
    with transaction.atomic():
        matcher = _matcher_with(tmp_path, municipality, content)
        from_rows = [case for chunk in matcher.assess(chunk_size=11) for case in chunk]
        assert any(case.signal_fingerprints for case in from_rows)
        assert any(case.signal_ids for case in from_rows)  # the resident stored before
        statuses = dict(Signal.objects.values_list("pk", "status"))
        assert "Niet opgepakt: herhaalde melding" in statuses.values()
        # The same assessment with every resident read back from the database.
        matcher._created_residents = set()
        matcher._valid_phone = set()
        read_back = [case for chunk in matcher.assess(chunk_size=11) for case in chunk]
        ids = dict(Signal.objects.values_list("fingerprint", "pk"))
        assert _comparable(from_rows, ids) == _comparable(read_back, ids)
        assert dict(Signal.objects.values_list("pk", "status")) == statuses
        transaction.set_rollback(True)


def test_other_sources_stored_before_still_make_duplicates_of_this_source_only(
    run_import, municipality
):
    first = run_import(csv_file(csv_row(signaal_id="A")), source="one")
    assert first["imported"] == 1
    again = run_import(csv_file(csv_row(signaal_id="A"), csv_row(signaal_id="B")), source="two")
    assert (again["imported"], again["duplicates"]) == (2, 0)
    third = run_import(csv_file(csv_row(signaal_id="A"), csv_row(signaal_id="C")), source="two")
    assert (third["imported"], third["duplicates"]) == (1, 1)
