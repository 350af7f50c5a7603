"""A commission typed on the console's team forms, as a percent in either
language, kept in whole basis points."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servefirst.kit.errors import InvalidRequest
from servefirst.staff.rules import commission_from_percent


@pytest.mark.parametrize(
    ("typed", "bps"),
    [("12", 1200), ("12.5", 1250), ("12,5", 1250), (" 7,25 % ", 725), ("0", 0), ("100", 10_000)],
)
def test_a_percent_as_either_language_writes_it(typed: str, bps: int) -> None:
    assert commission_from_percent(typed) == bps


def test_a_blank_commission_changes_nothing() -> None:
    assert commission_from_percent("  ") is None


@pytest.mark.parametrize("typed", ["abc", "-1", "100.01", "12.345", "1,250.5", "NaN", "Infinity"])
def test_what_is_no_commission_is_refused_beside_its_field(typed: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        commission_from_percent(typed, example="12,5")
    assert refused.value.param == "commission"
    assert refused.value.figures["example"] == "12,5"


@given(st.integers(min_value=0, max_value=10_000))
def test_every_rate_the_api_keeps_reads_back_from_its_percent(bps: int) -> None:
    percent = Decimal(bps) / 100
    assert commission_from_percent(f"{percent:f}") == bps
    assert commission_from_percent(f"{percent:f}".replace(".", ",")) == bps
