"""Normalising single cells as real signal files deliver them."""

import datetime
from decimal import Decimal

import pytest

from bereik.intake.normalise import (
    InvalidValue,
    bsn_passes_eleven_test,
    parse_amount,
    parse_bool,
    parse_bsn,
    parse_date,
    parse_house_number,
    parse_partner_type,
    parse_phones,
    parse_postcode,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("05-01-2025", datetime.date(2025, 1, 5)),
        ("5-1-2025", datetime.date(2025, 1, 5)),
        ("05/01/2025", datetime.date(2025, 1, 5)),
        ("05.01.2025", datetime.date(2025, 1, 5)),
        ("2025-01-05", datetime.date(2025, 1, 5)),
        ("2025-01-05T10:30:00Z", datetime.date(2025, 1, 5)),
        ("20250105", datetime.date(2025, 1, 5)),
        ("45662", datetime.date(2025, 1, 5)),  # Excel serial
        (45662, datetime.date(2025, 1, 5)),
        (45662.75, datetime.date(2025, 1, 5)),
        (datetime.datetime(2025, 1, 5, 8, 0), datetime.date(2025, 1, 5)),
        ("", None),
    ],
)
def test_dates(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["31-02-2025", "gisteren", "05-01-25", "2025-13-01"])
def test_unreadable_dates_raise_a_message(raw):
    with pytest.raises(InvalidValue) as error:
        parse_date(raw)
    assert raw in error.value.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1.234,56", "1234.56"),
        ("1234,56", "1234.56"),
        ("1234.56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("EUR 75", "75.00"),
        ("€ 75,-", "75.00"),
        ("75 EUR", "75.00"),
        ("1.234", "1234.00"),
        ("12,5", "12.50"),
        ("1.234.567,89", "1234567.89"),
        (450, "450.00"),
        (99.999, "100.00"),
        ("0", "0.00"),
    ],
)
def test_amounts(raw, expected):
    assert parse_amount(raw) == Decimal(expected)


@pytest.mark.parametrize("raw", ["-5", "€ -75", "75-", "(12,50)", -1])
def test_negative_amounts_are_refused(raw):
    with pytest.raises(InvalidValue, match="negatief"):
        parse_amount(raw)


@pytest.mark.parametrize("raw", ["veel", "12,34,56x", "EUR", "1.2.3,4,5"])
def test_unreadable_amounts(raw):
    with pytest.raises(InvalidValue):
        parse_amount(raw)


@pytest.mark.parametrize("raw", ["1234 ab", "1234AB", " 1234ab ", "1234 AB"])
def test_postcodes(raw):
    assert parse_postcode(raw) == "1234AB"


@pytest.mark.parametrize("raw", ["0123AB", "1234", "12345AB", "ABCD12"])
def test_bad_postcodes(raw):
    with pytest.raises(InvalidValue, match="postcode"):
        parse_postcode(raw)


@pytest.mark.parametrize(
    ("number", "addition", "expected"),
    [
        ("12", "", (12, "")),
        ("12a", "", (12, "A")),
        ("12 A", "", (12, "A")),
        ("12-2", "", (12, "2")),
        ("12 bis", "", (12, "BIS")),
        ("12", "hs", (12, "HS")),
        (12.0, None, (12, "")),
    ],
)
def test_house_numbers(number, addition, expected):
    assert parse_house_number(number, addition) == expected


@pytest.mark.parametrize("raw", ["a12", "0", "twaalf"])
def test_bad_house_numbers(raw):
    with pytest.raises(InvalidValue):
        parse_house_number(raw)


def test_bsn_eleven_test():
    assert bsn_passes_eleven_test("111222333")
    assert bsn_passes_eleven_test("123456782")
    assert not bsn_passes_eleven_test("123456789")
    assert not bsn_passes_eleven_test("000000000")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("111222333", "111222333"), ("1112.22.333", "111222333"), ("11122233", "011122233")],
)
def test_bsn_normalised(raw, expected):
    # 011122233: 9*0+8*1+7*1+6*1+5*2+4*2+3*2+2*3-3 = 48 ≠ 0 mod 11, so pick a valid one instead
    if expected == "011122233":
        raw, expected = "12345672", "012345672"
    assert parse_bsn(raw) == expected


@pytest.mark.parametrize("raw", ["123456789", "12345", "abcdefghi", "1234567890"])
def test_bad_bsn(raw):
    with pytest.raises(InvalidValue, match="BSN"):
        parse_bsn(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ja", True),
        ("J", True),
        ("true", True),
        ("1", True),
        (True, True),
        ("nee", False),
        ("N", False),
        ("false", False),
        ("0", False),
        ("", False),
        (None, False),
    ],
)
def test_booleans(raw, expected):
    assert parse_bool(raw) is expected


def test_unreadable_boolean():
    with pytest.raises(InvalidValue):
        parse_bool("misschien")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Zorg", "Zorg"),
        ("zorgverzekeraar", "Zorg"),
        ("Health insurance", "Zorg"),
        ("woningcorporatie", "Huur"),
        ("ENERGIE", "Energie"),
        ("drinkwater", "Water"),
        ("CAK Zorgverzekeringen", "CAK Zorgverzekeringen"),
        ("cak eigen bijdrage", "CAK Eigen bijdrage"),
        ("Dienst Toeslagen", "Dienst Toeslagen"),
    ],
)
def test_partner_types_map_to_ddas(raw, expected):
    assert parse_partner_type(raw) == expected


def test_unknown_partner_type():
    with pytest.raises(InvalidValue, match="Telecom"):
        parse_partner_type("Telecom")


@pytest.mark.parametrize(
    ("raw", "e164", "kind"),
    [
        ("06-12345678", "+31612345678", "mobile"),
        ("+31 6 12345678", "+31612345678", "mobile"),
        ("0031612345678", "+31612345678", "mobile"),
        ("079 1234567", "+31791234567", "landline"),
        ("(079) 123 45 67", "+31791234567", "landline"),
        ("079/1234567", "+31791234567", "landline"),
        (612345678, "+31612345678", "mobile"),
        ("+32 470 12 34 56", "+32470123456", "mobile"),
    ],
)
def test_phone_numbers(raw, e164, kind):
    (phone,) = parse_phones(raw)
    assert (phone.e164, phone.kind, phone.valid) == (e164, kind, True)


@pytest.mark.parametrize(
    "raw",
    [
        "06-12345678 / 079 1234567",
        "0612345678, 0791234567",
        "06 1234 5678 of 079-1234567",
        "0612345678 0791234567",
        "0612345678;0791234567",
    ],
)
def test_several_numbers_in_one_field_are_split(raw):
    assert [p.e164 for p in parse_phones(raw)] == ["+31612345678", "+31791234567"]


@pytest.mark.parametrize("raw", ["06-1234", "onbekend", "000000000", "12345"])
def test_invalid_numbers_are_kept_as_invalid(raw):
    (phone,) = parse_phones(raw)
    assert phone.raw == raw
    assert not phone.valid
    assert phone.e164 == ""


def test_the_same_number_twice_is_kept_once():
    assert len(parse_phones("06-12345678, +31612345678")) == 1
