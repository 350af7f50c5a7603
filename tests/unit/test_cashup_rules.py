"""Closing the day's pure rules: what can be counted, the one entry that books
the difference, and the Z report's sums from the day's ledger movements."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servefirst.cashup.rules import (
    EURO_DENOMINATIONS,
    CountRefused,
    Movement,
    checked_counts,
    checked_float,
    counted_total,
    day_totals,
    over_short_entry,
)


def test_a_drawer_is_counted_by_euro_note_and_coin() -> None:
    counts = checked_counts("EUR", {"5000": 2, "200": 3, "1": 0})
    assert counts == {5000: 2, 200: 3}
    assert counted_total(counts) == 10600


@pytest.mark.parametrize(
    ("counts", "param", "words"),
    [
        ({"2000": -1}, "counted.2000", "cannot be negative"),
        ({"300": 1}, "counted.300", "no note or coin"),
        ({"abc": 1}, "counted.abc", "not a note or coin"),
        ({"100": 1.5}, "counted.100", "whole number"),
        ({"100": True}, "counted.100", "whole number"),
    ],
)
def test_a_count_that_cannot_be_is_refused_in_words(
    counts: dict[str, object], param: str, words: str
) -> None:
    with pytest.raises(CountRefused) as refused:
        checked_counts("EUR", counts)
    assert refused.value.param == param and words in refused.value.message


def test_a_currency_without_known_pieces_and_a_negative_float_are_refused() -> None:
    with pytest.raises(CountRefused):
        checked_counts("JPY", {"100": 1})
    with pytest.raises(CountRefused):
        checked_float(-1)
    assert checked_float(0) == 0


@given(st.integers(min_value=-1_000_000, max_value=1_000_000).filter(lambda d: d != 0))
def test_the_difference_is_one_balanced_entry_on_cash_and_over_short(difference: int) -> None:
    entry = over_short_entry("EUR", difference, "day close")
    assert entry is not None
    deltas = entry.deltas()
    assert deltas == {"cash": difference, "cash_over_short": -difference}


def test_an_exact_drawer_posts_nothing() -> None:
    assert over_short_entry("EUR", 0, "day close") is None


def test_the_z_report_sums_a_day_of_movements() -> None:
    day = [
        Movement("payment", "cash", "debit", 930),
        Movement("payment", "card_clearing", "debit", 1200),
        Movement("payment", "receivables", "credit", 2030),
        Movement("payment", "tips_payable", "credit", 100),
        Movement("adjustment", "satisfaction_adjustments", "debit", 300),
        Movement("adjustment", "receivables", "credit", 300),
        Movement("deposit", "card_clearing", "debit", 525),
        Movement("deposit_forfeit", "no_show_fees", "credit", 525),
        Movement("cash_count", "cash", "credit", 20),
        Movement("tab_charge_reversal", "revenue", "debit", 150),
        Movement("tab_charge_reversal", "receivables", "credit", 150),
        Movement("refund", "cash", "credit", 380),
    ]
    totals = day_totals(day)
    assert totals.by_method == {"cash": 930, "card": 1200, "card_terminal": 0}
    assert (totals.takings, totals.tips, totals.adjustments) == (2130, 100, 300)
    assert (totals.deposits_taken, totals.deposits_kept) == (525, 525)
    assert totals.cash_movement == 930 - 380  # the close's own entry apart
    assert totals.over_short == -20
    assert (totals.voided_lines, totals.refunds) == (150, 380)


def test_a_lost_card_dispute_is_counted_apart_from_refunds() -> None:
    day = [
        Movement("payment", "card_clearing", "debit", 3000),
        Movement("payment", "receivables", "credit", 2500),
        Movement("payment", "tips_payable", "credit", 500),
        Movement("dispute_lost", "disputes_lost", "debit", 2500),
        Movement("dispute_lost", "tips_payable", "debit", 500),
        Movement("dispute_lost", "card_clearing", "credit", 3000),
    ]
    totals = day_totals(day)
    assert (totals.takings, totals.refunds, totals.disputes_lost) == (3000, 0, 3000)


def test_a_lost_dispute_won_back_nets_to_nothing_in_the_day_s_figures() -> None:
    loss = [
        Movement("dispute_lost", "disputes_lost", "debit", 2500),
        Movement("dispute_lost", "tips_payable", "debit", 500),
        Movement("dispute_lost", "card_clearing", "credit", 3000),
    ]
    back = [
        Movement("dispute_won_back", "card_clearing", "debit", 3000),
        Movement("dispute_won_back", "disputes_lost", "credit", 2500),
        Movement("dispute_won_back", "tips_payable", "credit", 500),
    ]
    assert day_totals(back).disputes_lost == -3000  # on the day Stripe said won
    both = day_totals(loss + back)
    assert (both.takings, both.disputes_lost, both.tips, both.refunds) == (0, 0, 0, 0)


def test_a_refund_the_card_s_bank_returned_nets_to_nothing_in_the_day_s_figures() -> None:
    """A card refund that went through, then failed (the card was closed):
    its reversing entry, the same kind with the sides swapped, takes it off
    the day's refunds; a deposit's refund likewise."""
    refund = [
        Movement("refund", "refunds", "debit", 400),
        Movement("refund", "tips_payable", "debit", 100),
        Movement("refund", "card_clearing", "credit", 500),
    ]
    back = [
        Movement("refund", "card_clearing", "debit", 500),
        Movement("refund", "refunds", "credit", 400),
        Movement("refund", "tips_payable", "credit", 100),
    ]
    assert day_totals(back).refunds == -500  # on the day the refund failed
    assert (day_totals(refund + back).refunds, day_totals(refund + back).takings) == (0, 0)
    deposit = [
        Movement("deposit_refund", "deposits_held", "debit", 600),
        Movement("deposit_refund", "card_clearing", "credit", 600),
    ]
    deposit_back = [
        Movement("deposit_refund", "card_clearing", "debit", 600),
        Movement("deposit_refund", "deposits_held", "credit", 600),
    ]
    assert day_totals(deposit).deposits_refunded == 600
    assert day_totals(deposit + deposit_back).deposits_refunded == 0


def test_a_taxed_void_and_discount_count_as_the_customer_saw_them() -> None:
    # Revenue and the adjustments account hold them net; tax payable the tax.
    day = [
        Movement("adjustment", "satisfaction_adjustments", "debit", 100),
        Movement("adjustment", "tax_payable", "debit", 23),
        Movement("adjustment", "receivables", "credit", 123),
        Movement("tab_charge_reversal", "revenue", "debit", 1000),
        Movement("tab_charge_reversal", "tax_payable", "debit", 230),
        Movement("tab_charge_reversal", "receivables", "credit", 1230),
    ]
    totals = day_totals(day)
    assert (totals.adjustments, totals.voided_lines) == (123, 1230)


def test_every_euro_piece_is_known_once_largest_first() -> None:
    assert list(EURO_DENOMINATIONS) == sorted(set(EURO_DENOMINATIONS), reverse=True)
    assert len(EURO_DENOMINATIONS) == 15
