"""Property-based tests of the row parser: whatever a cell holds, a row either parses or yields
row-level issues; it never raises. Normalisation is stable and agrees with the libraries."""

import datetime
from decimal import Decimal

import phonenumbers
from hypothesis import given, settings
from hypothesis import strategies as st

from bereik.intake import columns as c
from bereik.intake.normalise import parse_amount, parse_date, parse_phones
from bereik.intake.readers import Record
from bereik.intake.rows import Severity, parse_record

TODAY = datetime.date(2026, 11, 20)
cell = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
)


@settings(max_examples=300, deadline=None)
@given(
    values=st.dictionaries(st.sampled_from(c.CANONICAL), cell), phones=st.lists(cell, max_size=3)
)
def test_parse_record_never_raises(values, phones):
    parsed, issues = parse_record(Record(7, values, phones), lambda name: name, TODAY)
    assert all(issue.row == 7 and issue.message for issue in issues)
    has_error = any(issue.severity == Severity.ERROR for issue in issues)
    assert (parsed is None) == has_error
    if parsed is not None:
        assert parsed.amount >= 0
        assert parsed.signal_date <= TODAY
        assert parsed.bsn or parsed.identity_key
        assert len(parsed.fingerprint) == 64


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False))
def test_amount_written_the_dutch_way_reads_back(amount):
    euros, cents = divmod(int(amount * 100), 100)
    dutch = f"{euros:,}".replace(",", ".") + f",{cents:02d}"
    assert parse_amount(dutch) == amount
    assert parse_amount(f"EUR {dutch}") == amount
    assert parse_amount(f"{euros}.{cents:02d}") == amount


@given(st.dates(min_value=datetime.date(1900, 3, 1), max_value=datetime.date(2100, 1, 1)))
def test_every_date_notation_reads_back(day):
    serial = (day - datetime.date(1899, 12, 30)).days
    for notation in (day.strftime("%d-%m-%Y"), day.isoformat(), day.strftime("%d/%m/%Y"), serial):
        assert parse_date(notation) == day


@settings(max_examples=500)
@given(st.integers(min_value=100_000_000, max_value=999_999_999))
def test_dutch_fast_path_agrees_with_phonenumbers(national):
    raw = f"0{national}"
    (phone,) = parse_phones(raw)
    reference = phonenumbers.parse(raw, "NL")
    assert phone.valid == phonenumbers.is_valid_number(reference)
    if phone.valid:
        assert phone.e164 == phonenumbers.format_number(
            reference, phonenumbers.PhoneNumberFormat.E164
        )


@given(st.text(max_size=60))
def test_phone_parsing_never_drops_input(raw):
    phones = parse_phones(raw)
    for phone in phones:
        assert phone.raw
        assert phone.valid == bool(phone.e164)
    if raw.strip() and not phones:
        assert not any(ch.isalnum() for ch in raw)


def test_identity_needs_all_four_fields():
    values = {
        c.PARTNER_TYPE: "Zorg",
        c.AMOUNT: "100",
        c.SIGNAL_DATE: "01-11-2026",
        c.SURNAME: "Jansen",
        c.POSTCODE: "1234AB",
        c.HOUSE_NUMBER: "1",
    }
    parsed, issues = parse_record(Record(2, values), lambda name: name, TODAY)
    assert parsed is None
    assert any(c.BIRTH_DATE in issue.message for issue in issues)
    values[c.BIRTH_DATE] = "01-01-1970"
    parsed, issues = parse_record(Record(2, values), lambda name: name, TODAY)
    assert parsed is not None
    assert parsed.amount == Decimal("100.00")
