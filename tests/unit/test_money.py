"""Money: integer minor units plus a currency, one rounding rule, splits that add up."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servefirst.kit.errors import InvalidRequest
from servefirst.kit.money import MAX_AMOUNT, Money, minor_digits, normalize_currency

# --- construction -----------------------------------------------------------------------------


def test_money_keeps_minor_units_and_currency() -> None:
    flat_white = Money(450, "EUR")
    assert flat_white.amount == 450
    assert flat_white.currency == "EUR"
    assert str(flat_white) == "450 EUR"


def test_zero_is_zero_in_that_currency() -> None:
    nothing = Money.zero("GBP")
    assert nothing == Money(0, "GBP")
    assert not nothing
    assert Money(1, "GBP")
    assert Money(-1, "GBP")


@pytest.mark.parametrize("amount", [4.5, 4.0, Decimal("4.50"), "450", True, False, None])
def test_amount_must_be_int_minor_units(amount: Any) -> None:
    with pytest.raises(TypeError):
        Money(amount, "EUR")


@pytest.mark.parametrize("currency", ["EU", "EURO", "", None, 978])
def test_currency_must_be_a_three_letter_code(currency: Any) -> None:
    with pytest.raises(TypeError):
        Money(100, currency)


def test_money_is_an_immutable_value() -> None:
    price = Money(450, "EUR")
    with pytest.raises(AttributeError):
        price.amount = 1  # type: ignore[misc]
    assert {Money(450, "EUR"), Money(450, "EUR"), Money(450, "USD")} == {
        Money(450, "EUR"),
        Money(450, "USD"),
    }
    assert Money(450, "EUR") != Money(450, "USD")


# --- currency validation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_code", "expected"),
    [("EUR", "EUR"), ("eur", "EUR"), (" usd ", "USD"), ("Gbp", "GBP"), ("JPY", "JPY")],
)
def test_normalize_currency_accepts_and_upper_cases_iso_codes(
    given_code: str, expected: str
) -> None:
    assert normalize_currency(given_code) == expected


@pytest.mark.parametrize("code", ["", "   ", "EU", "EURO", "ABC", "QQQ", "€", "12 3"])
def test_normalize_currency_refuses_what_is_not_iso_4217(code: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        normalize_currency(code)
    assert refused.value.status == 422
    assert refused.value.code == "currency_invalid"
    assert refused.value.param == "currency"


def test_normalize_currency_refuses_none_as_a_422_not_a_crash() -> None:
    with pytest.raises(InvalidRequest):
        normalize_currency(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(("code", "digits"), [("EUR", 2), ("USD", 2), ("JPY", 0), ("KWD", 3)])
def test_minor_digits_follow_the_currency(code: str, digits: int) -> None:
    assert minor_digits(code) == digits


# --- arithmetic -------------------------------------------------------------------------------


def test_add_and_subtract_in_one_currency() -> None:
    assert Money(380, "EUR") + Money(120, "EUR") == Money(500, "EUR")
    assert Money(380, "EUR") - Money(500, "EUR") == Money(-120, "EUR")
    assert -Money(380, "EUR") == Money(-380, "EUR")


def test_multiply_by_a_whole_quantity_either_side() -> None:
    assert Money(380, "EUR") * 3 == Money(1140, "EUR")
    assert 3 * Money(380, "EUR") == Money(1140, "EUR")
    assert Money(380, "EUR") * 0 == Money(0, "EUR")


@pytest.mark.parametrize("factor", [1.5, Decimal("1.5"), True, "2"])
def test_multiply_refuses_anything_but_an_int(factor: Any) -> None:
    with pytest.raises(TypeError):
        Money(380, "EUR") * factor


def test_comparisons_in_one_currency() -> None:
    small, big = Money(100, "EUR"), Money(200, "EUR")
    assert small < big and small <= big and big > small and big >= small
    assert small <= Money(100, "EUR") and small >= Money(100, "EUR")
    assert not (big < small)


@pytest.mark.parametrize(
    "combine",
    [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a < b,
        lambda a, b: a <= b,
        lambda a, b: a > b,
        lambda a, b: a >= b,
    ],
    ids=["add", "sub", "lt", "le", "gt", "ge"],
)
def test_mixing_currencies_is_refused(combine: Any) -> None:
    with pytest.raises(ValueError, match="EUR and USD"):
        combine(Money(100, "EUR"), Money(100, "USD"))


def test_money_does_not_combine_with_bare_numbers() -> None:
    with pytest.raises(TypeError):
        Money(100, "EUR") + 100  # type: ignore[operator]
    with pytest.raises(TypeError):
        Money(100, "EUR") < 100  # type: ignore[operator]  # noqa: B015


# --- percent: the one place where rounding happens ---------------------------------------------


@pytest.mark.parametrize(
    ("amount", "rate", "expected"),
    [
        (1000, 20, 200),  # exact
        (1003, 20, 201),  # 200.6 -> 201
        (1002, 20, 200),  # 200.4 -> 200
        (5, 50, 3),  # 2.5 -> 3: half goes up
        (15, 10, 2),  # 1.5 -> 2
        (25, 10, 3),  # 2.5 -> 3 (half-up, not banker's rounding to 2)
        (999, "12.5", 125),  # 124.875 -> 125
        (1000, Decimal("0.5"), 5),
        (0, 20, 0),
        (1000, 0, 0),
        (1000, 100, 1000),
        (1000, 150, 1500),
    ],
)
def test_percent_rounds_half_up_on_the_minor_unit(
    amount: int, rate: Decimal | int | str, expected: int
) -> None:
    assert Money(amount, "EUR").percent(rate) == Money(expected, "EUR")


def test_percent_of_a_refund_rounds_symmetrically() -> None:
    # Half away from zero: a negative amount mirrors the positive one.
    assert Money(-5, "EUR").percent(50) == Money(-3, "EUR")
    assert Money(-1002, "EUR").percent(20) == Money(-200, "EUR")


def test_percent_with_a_float_rate_uses_the_rate_as_written() -> None:
    # 0.3 % of 500 is 1.5, which rounds half-up to 2. Decimal(0.3) is
    # 0.29999999999999998889..., which would round to 1: a rate that arrives
    # as a float (JSON policies) must be read as the decimal a person typed.
    assert Money(500, "EUR").percent(0.3) == Money(2, "EUR")  # type: ignore[arg-type]
    assert Money(1000, "EUR").percent(12.5) == Money(125, "EUR")  # type: ignore[arg-type]


@given(
    amount=st.integers(min_value=0, max_value=MAX_AMOUNT),
    rate=st.integers(min_value=0, max_value=10_000),
)
def test_percent_is_within_half_a_minor_unit_of_exact(amount: int, rate: int) -> None:
    # rate is in hundredths of a percent, so the exact value is amount*rate/10000.
    got = Money(amount, "EUR").percent(Decimal(rate) / 100).amount
    exact_times_10000 = amount * rate  # compared without fractions
    assert abs(got * 10_000 - exact_times_10000) <= 5_000
    if exact_times_10000 % 10_000 == 5_000:  # exactly halfway: goes up
        assert got * 10_000 == exact_times_10000 + 5_000


# --- allocate: largest remainder --------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "weights", "expected"),
    [
        (1000, [1, 1], [500, 500]),
        (1000, [1, 1, 1], [334, 333, 333]),  # tie: the earlier part gets the cent
        (100, [1, 1, 1], [34, 33, 33]),
        (101, [1, 1, 1], [34, 34, 33]),
        (10, [3, 3, 4], [3, 3, 4]),
        (10, [1, 2], [3, 7]),  # 3.33 / 6.67: the larger remainder (0.67) gets the unit
        (5, [0, 1, 1], [0, 3, 2]),  # a zero weight gets nothing
        (0, [1, 2, 3], [0, 0, 0]),
        (7, [1], [7]),
        (-1000, [1, 1, 1], [-334, -333, -333]),  # a refund splits like a charge
    ],
)
def test_allocate_by_largest_remainder(
    amount: int, weights: list[int], expected: list[int]
) -> None:
    parts = Money(amount, "EUR").allocate(weights)
    assert parts == [Money(e, "EUR") for e in expected]


@pytest.mark.parametrize("weights", [[], [0], [0, 0], [1, -1], [-1, -2]])
def test_allocate_refuses_weights_that_cannot_split(weights: list[int]) -> None:
    with pytest.raises(ValueError):
        Money(1000, "EUR").allocate(weights)


@given(
    amount=st.integers(min_value=-MAX_AMOUNT, max_value=MAX_AMOUNT),
    weights=st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=12).filter(
        lambda ws: sum(ws) > 0
    ),
)
def test_allocate_parts_always_add_up_to_the_whole(amount: int, weights: list[int]) -> None:
    whole = Money(amount, "EUR")
    parts = whole.allocate(weights)
    assert len(parts) == len(weights)
    assert all(p.currency == "EUR" for p in parts)
    assert sum(p.amount for p in parts) == amount
    total = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        # each part is its exact share, rounded down or up by less than one minor unit
        exact_times_total = amount * weight
        assert abs(part.amount * total - exact_times_total) < total
        if weight == 0:
            assert part.amount == 0


@given(
    amount=st.integers(min_value=0, max_value=MAX_AMOUNT),
    weights=st.lists(st.integers(min_value=1, max_value=100), min_size=1, max_size=8),
)
def test_allocate_is_deterministic_and_sign_symmetric(amount: int, weights: list[int]) -> None:
    parts = Money(amount, "EUR").allocate(weights)
    assert parts == Money(amount, "EUR").allocate(weights)
    assert Money(-amount, "EUR").allocate(weights) == [-p for p in parts]


# --- formatting -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "shown"),
    [
        (450, "EUR", "en_GB", "€4.50"),
        (5, "EUR", "en_GB", "€0.05"),
        (0, "GBP", "en_GB", "£0.00"),
        (-450, "EUR", "en_GB", "-€4.50"),
        (123456789, "GBP", "en_GB", "£1,234,567.89"),
        (1000, "JPY", "en_GB", "JP¥1,000"),  # no minor unit: 1000 is 1000 yen
        (1234, "KWD", "en_GB", "KWD1.234"),  # three decimals
        (450, "EUR", "de_DE", "4,50\xa0€"),
    ],
)
def test_format_for_people(amount: int, currency: str, locale: str, shown: str) -> None:
    assert Money(amount, currency).format(locale) == shown


def test_format_defaults_to_british_english() -> None:
    assert Money(450, "EUR").format() == "€4.50"


# --- bounds -----------------------------------------------------------------------------------


def test_max_amount_is_100_million_major_units_of_a_two_decimal_currency() -> None:
    assert 100_000_000 * 10 ** minor_digits("EUR") == MAX_AMOUNT
    assert Money(MAX_AMOUNT, "EUR").format() == "€100,000,000.00"


def test_max_amount_leaves_room_in_a_signed_64_bit_column() -> None:
    # Sums of many maximal amounts (a merchant's revenue over years) must not
    # overflow PostgreSQL's BIGINT.
    assert MAX_AMOUNT * 1_000_000 < 2**63 - 1


def test_max_amount_is_the_largest_line_a_tab_accepts() -> None:
    from servefirst.tabs.rules import line_amount

    assert line_amount(MAX_AMOUNT, 1) == MAX_AMOUNT
    assert line_amount(MAX_AMOUNT // 2, 2) == MAX_AMOUNT
    with pytest.raises(InvalidRequest):
        line_amount(MAX_AMOUNT + 1, 1)
    with pytest.raises(InvalidRequest):
        line_amount(MAX_AMOUNT // 2 + 1, 2)
