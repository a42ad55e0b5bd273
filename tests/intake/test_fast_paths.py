"""The intake's short cuts for common cell formats (and its caches) give exactly what the general
parsers, the phonenumbers library and the written rules give; rows spilled to disk between the two
phases of a run come back unchanged."""

import datetime
import re
from decimal import Decimal

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bereik.cases.bulk import one_of
from bereik.cases.models import PhoneNumber, Signal
from bereik.intake import services
from bereik.intake.normalise import (
    InvalidValue,
    _parse_amount,
    _parse_date,
    _parse_partner_type,
    _split_numbers,
    parse_amount,
    parse_bool,
    parse_bsn,
    parse_date,
    parse_house_number,
    parse_partner_type,
    parse_phone,
    parse_phones,
    parse_postcode,
)
from bereik.intake.rows import pack, parse_record, unpack
from tests.factories import MunicipalityFactory, SignalFactory

TODAY = datetime.date(2026, 11, 20)


def outcome(parser, *args):
    """A parser's result, or its error message: both must agree."""
    try:
        return ("ok", parser(*args))
    except InvalidValue as exc:
        return ("error", exc.message)


plain_amounts = st.from_regex(r"[0-9]{1,11}([.,][0-9]{1,3})?", fullmatch=True)


@settings(max_examples=400)
@given(st.one_of(plain_amounts, st.text(max_size=20)))
def test_plain_amount_short_cut_agrees_with_the_general_parser(raw):
    fast = outcome(parse_amount, raw)
    assert fast == outcome(_parse_amount, raw)
    if fast[0] == "ok" and fast[1] is not None:
        assert fast[1].as_tuple().exponent == -2


def test_plain_amounts_read_as_before():
    assert parse_amount("464.52") == Decimal("464.52")
    assert parse_amount("464,52") == Decimal("464.52")
    assert parse_amount("75") == Decimal("75.00")
    assert parse_amount("1.234") == Decimal("1234.00")  # not a plain amount: Dutch thousands


date_notations = st.dates(min_value=datetime.date(1800, 1, 1)).flatmap(
    lambda day: st.sampled_from(
        [day.isoformat(), day.strftime("%d-%m-%Y"), day.strftime("%Y%m%d"), f"{day} 10:00"]
    )
)


@settings(max_examples=300)
@given(st.one_of(date_notations, st.text(max_size=12)))
def test_date_cache_agrees_with_the_parser_and_keeps_raising_for_bad_dates(raw):
    first = outcome(parse_date, raw)
    assert first == outcome(_parse_date, raw)
    assert outcome(parse_date, raw) == first  # the second time (from the cache for good dates)


def test_invalid_date_is_rejected_every_time():
    messages = []
    for _attempt in range(2):
        with pytest.raises(InvalidValue) as error:
            parse_date("2026-02-30")
        messages.append(error.value.message)
    assert messages[0] == messages[1]
    assert "2026-02-30" in messages[0]


_POSTCODE_RULE = re.compile(r"^([1-9]\d{3})\s*([A-Za-z]{2})$")


@settings(max_examples=300)
@given(st.one_of(st.from_regex(r"[0-9]{4} ?[A-Za-zé]{2}", fullmatch=True), st.text(max_size=8)))
def test_postcode_short_cut_follows_the_rule(raw):
    stripped = raw.strip()
    match = _POSTCODE_RULE.match(stripped.replace("\xa0", " "))
    if not stripped:
        assert parse_postcode(raw) == ""
    elif match:
        assert parse_postcode(raw) == (match.group(1) + match.group(2)).upper()
    else:
        with pytest.raises(InvalidValue):
            parse_postcode(raw)


@settings(max_examples=300)
@given(
    st.one_of(st.from_regex(r"[0-9]{1,6}", fullmatch=True), st.text(max_size=6)),
    st.one_of(st.none(), st.just(""), st.text(max_size=12)),
)
def test_house_number_short_cut_follows_the_rule(number, addition):
    result = outcome(parse_house_number, number, addition)
    stripped = number.strip()
    expected_addition = (addition or "").strip().strip(" -").upper()
    if stripped.isascii() and stripped.isdigit() and 0 < len(stripped) <= 5 and int(stripped):
        if len(expected_addition) > 10:
            assert result[0] == "error"
        else:
            assert result == ("ok", (int(stripped), expected_addition))


def eleven_test(bsn: str) -> bool:
    total = sum(int(d) * w for d, w in zip(bsn, (9, 8, 7, 6, 5, 4, 3, 2, -1), strict=True))
    return total % 11 == 0 and total != 0


@settings(max_examples=500)
@given(st.integers(min_value=0, max_value=999_999_999))
def test_bsn_short_cut_applies_the_eleven_test(number):
    bsn = f"{number:09d}"
    if eleven_test(bsn):
        assert parse_bsn(bsn) == bsn
    else:
        with pytest.raises(InvalidValue):
            parse_bsn(bsn)


@given(st.sampled_from(["ja", "nee", "Ja", " ja ", "TRUE", "1", "0", "-", "", "misschien", "x"]))
def test_yes_no_short_cut_agrees_with_the_rule(raw):
    word = raw.strip().lower()
    if word in {"ja", "true", "1", "x"}:
        assert parse_bool(raw) is True
    elif word in {"nee", "0", "-", ""}:
        assert parse_bool(raw) is False
    else:
        with pytest.raises(InvalidValue):
            parse_bool(raw)


@given(
    st.sampled_from(["Zorg", "zorg", "Energie", " huur ", "Water", "CAK zorgverzekeringen", "x"])
)
def test_partner_type_cache_agrees_with_the_parser(raw):
    assert outcome(parse_partner_type, raw) == outcome(_parse_partner_type, raw)
    assert outcome(parse_partner_type, raw) == outcome(_parse_partner_type, raw)


phone_notations = st.integers(min_value=100_000_000, max_value=999_999_999).flatmap(
    lambda n: st.sampled_from(
        [
            f"0{n}",
            f"+31{n}",
            f"0031{n}",
            f"+31 {str(n)[0]}-{str(n)[1:5]} {str(n)[5:]}",
            f"0{str(n)[:2]}-{str(n)[2:]}",
            f"(0{str(n)[:2]}) {str(n)[2:]}",
            f"+31(0){n}",
            f"{n}",
        ]
    )
)
_KINDS = {
    phonenumbers.PhoneNumberType.MOBILE: PhoneNumber.Kind.MOBILE.value,
    phonenumbers.PhoneNumberType.FIXED_LINE: PhoneNumber.Kind.LANDLINE.value,
    phonenumbers.PhoneNumberType.VOIP: PhoneNumber.Kind.LANDLINE.value,
}


@settings(max_examples=600)
@given(phone_notations)
def test_single_number_short_cut_agrees_with_phonenumbers(raw):
    (phone,) = parse_phones(raw)
    assert phone.raw == raw
    compact = re.sub(r"[\s\-().]", "", raw)
    if compact.isdigit() and len(compact) == 9:  # a spreadsheet number without its leading 0
        if compact[0] not in "1234567":
            return  # phonenumbers decides these on its own; checked in the property test below
        compact = "0" + compact
    reference = phonenumbers.parse(compact if compact.isdigit() else raw, "NL")
    valid = phonenumbers.is_valid_number(reference)
    assert phone.valid == valid
    if valid:
        assert phone.e164 == phonenumbers.format_number(
            reference, phonenumbers.PhoneNumberFormat.E164
        )
        kind = _KINDS.get(phonenumbers.number_type(reference), PhoneNumber.Kind.UNKNOWN.value)
        assert phone.kind == kind


@settings(max_examples=300)
@given(st.from_regex(r"[0-9+\-(). ]{1,17}", fullmatch=True))
def test_single_number_short_cut_matches_the_splitting_path(raw):
    """A field without separators is one number: what splitting would have given."""
    raw = raw.strip()
    if raw:
        assert _split_numbers(raw) == [raw]
        assert parse_phones(raw) == [parse_phone(raw)]


def test_parsed_rows_survive_the_spill(tmp_path):
    from bereik.intake.generator import generate
    from bereik.intake.readers import open_signal_file

    path = tmp_path / "signals.csv"
    generate(path, rows=300, seed=5, messy=True)
    with path.open("rb") as stream:
        signal_file = open_signal_file(stream)
        parsed = [
            row
            for record in signal_file.records
            if (row := parse_record(record, signal_file.label, TODAY)[0]) is not None
        ]
    assert len(parsed) > 100
    assert [unpack(pack(row)) for row in parsed] == parsed
    assert any(row.phones for row in parsed)


@pytest.mark.django_db
def test_a_spilled_run_stores_the_same_as_an_in_memory_run(tmp_path, municipality, monkeypatch):
    from bereik.intake.generator import generate

    path = tmp_path / "signals.csv"
    generate(path, rows=1200, seed=9, messy=True)
    in_memory = services.import_file(path, municipality=municipality, today=TODAY)
    other = MunicipalityFactory(municipality_code="0999")
    monkeypatch.setattr(services, "CHUNK_SIZE", 100)
    monkeypatch.setattr(services, "IN_MEMORY_ROWS", 300)
    spilled = services.import_file(path, municipality=other, today=TODAY)

    def counts(run):
        return (run.status, run.rows, run.imported, run.rejected, run.duplicates,
                run.cases_created, run.cases_updated, run.routing)  # fmt: skip

    assert counts(spilled) == counts(in_memory)
    assert in_memory.imported > 500

    def stored(organisation):
        return sorted(
            Signal.objects.filter(municipality=organisation).values_list(
                "fingerprint", "amount", "signal_date", "status", "case__state"
            )
        )

    assert stored(other) == stored(municipality)


@pytest.mark.django_db
def test_one_of_selects_like_in():
    signals = [SignalFactory() for _ in range(3)]
    wanted = [signals[0].fingerprint, signals[2].fingerprint, "missing"]
    assert set(Signal.objects.filter(one_of("fingerprint", wanted))) == {signals[0], signals[2]}
    assert set(Signal.objects.filter(one_of("pk", [signals[1].pk]))) == {signals[1]}
    assert not Signal.objects.filter(one_of("pk", []))
    days = {signals[0].signal_date}
    assert signals[0] in Signal.objects.filter(one_of("signal_date", days))
