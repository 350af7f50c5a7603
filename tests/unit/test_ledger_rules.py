"""Ledger rules: every entry balances, balances are debits minus credits and sum to zero."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servefirst.kit.money import Money
from servefirst.ledger.rules import (
    Account,
    EntryBuilder,
    EntryKind,
    JournalEntry,
    Leg,
    Side,
    UnbalancedEntry,
    apply,
    reversal,
)


def _entry(*legs: tuple[Account, Side, int], kind: EntryKind = EntryKind.TRANSFER) -> JournalEntry:
    return JournalEntry(kind, "EUR", tuple(Leg(a, s, n) for a, s, n in legs))


# --- the balance rule, enforced at construction ------------------------------------------------


def test_a_balanced_entry_is_accepted() -> None:
    entry = _entry(
        (Account.CASH, Side.DEBIT, 860),
        (Account.RECEIVABLES, Side.CREDIT, 760),
        (Account.TIPS_PAYABLE, Side.CREDIT, 100),
        kind=EntryKind.PAYMENT,
    )
    assert entry.debits == 860
    assert entry.credits == 860


@pytest.mark.parametrize(
    "legs",
    [
        [(Account.CASH, Side.DEBIT, 500), (Account.RECEIVABLES, Side.CREDIT, 499)],
        [(Account.CASH, Side.DEBIT, 500), (Account.RECEIVABLES, Side.DEBIT, 500)],
        [(Account.CASH, Side.CREDIT, 1), (Account.REVENUE, Side.CREDIT, 1)],
        [
            (Account.CASH, Side.DEBIT, 860),
            (Account.RECEIVABLES, Side.CREDIT, 760),
            (Account.TIPS_PAYABLE, Side.CREDIT, 99),
        ],
    ],
)
def test_an_entry_that_does_not_balance_is_refused(legs: list[tuple[Account, Side, int]]) -> None:
    with pytest.raises(UnbalancedEntry):
        _entry(*legs)


def test_an_entry_needs_two_legs() -> None:
    with pytest.raises(UnbalancedEntry):
        JournalEntry(EntryKind.TRANSFER, "EUR", ())
    with pytest.raises(UnbalancedEntry):
        JournalEntry(EntryKind.TRANSFER, "EUR", (Leg(Account.CASH, Side.DEBIT, 1),))


@pytest.mark.parametrize("amount", [0, -5, 4.5, True, "5", None])
def test_a_leg_carries_a_positive_int(amount: Any) -> None:
    with pytest.raises(UnbalancedEntry):
        Leg(Account.CASH, Side.DEBIT, amount)


def test_unbalanced_is_a_value_error_for_callers_that_catch_broadly() -> None:
    assert issubclass(UnbalancedEntry, ValueError)


def test_leg_delta_is_positive_for_debits_negative_for_credits() -> None:
    assert Leg(Account.CASH, Side.DEBIT, 300).delta == 300
    assert Leg(Account.CASH, Side.CREDIT, 300).delta == -300


def test_deltas_net_per_account_in_sorted_order() -> None:
    entry = _entry(
        (Account.RECEIVABLES, Side.DEBIT, 500),
        (Account.REVENUE, Side.CREDIT, 300),
        (Account.REVENUE, Side.CREDIT, 200),
        (Account.CASH, Side.DEBIT, 50),
        (Account.CASH, Side.CREDIT, 50),
    )
    deltas = entry.deltas()
    assert deltas == {"cash": 0, "receivables": 500, "revenue": -500}
    # A fixed lock order on PostgreSQL: the accounts come sorted.
    assert list(deltas) == sorted(deltas)


def test_the_account_codes_are_the_public_ones() -> None:
    assert {a.value for a in Account} == {
        "cash",
        "card_clearing",
        "card_terminal",
        "receivables",
        "revenue",
        "satisfaction_adjustments",
        "refunds",
        "disputes_lost",
        "tips_payable",
        "tax_payable",
        "deposits_held",
        "no_show_fees",
        "write_offs",
        "cash_over_short",
        "loyalty_rewards",
    }


# --- EntryBuilder ------------------------------------------------------------------------------


def test_builder_makes_a_balanced_entry_from_money_and_ints() -> None:
    entry = (
        EntryBuilder(EntryKind.PAYMENT, "EUR", memo="card payment", tab_id="tab_1")
        .debit(Account.CARD_CLEARING, Money(860, "EUR"))
        .credit(Account.RECEIVABLES, 760)
        .credit(Account.TIPS_PAYABLE, Money(100, "EUR"))
        .build()
    )
    assert entry.kind is EntryKind.PAYMENT
    assert entry.currency == "EUR"
    assert entry.memo == "card payment"
    assert entry.tab_id == "tab_1"
    assert entry.legs == (
        Leg("card_clearing", Side.DEBIT, 860),
        Leg("receivables", Side.CREDIT, 760),
        Leg("tips_payable", Side.CREDIT, 100),
    )
    # Account enum members are stored as their plain codes.
    assert all(type(leg.account) is str for leg in entry.legs)


def test_builder_drops_zero_legs() -> None:
    # A payment without a tip writes no tips leg.
    builder = (
        EntryBuilder(EntryKind.PAYMENT, "EUR")
        .debit(Account.CASH, 760)
        .credit(Account.RECEIVABLES, 760)
        .credit(Account.TIPS_PAYABLE, 0)
    )
    assert [leg.account for leg in builder.build().legs] == ["cash", "receivables"]


def test_builder_is_empty_until_a_non_zero_leg() -> None:
    builder = EntryBuilder(EntryKind.ADJUSTMENT, "EUR")
    assert builder.empty
    builder.debit(Account.SATISFACTION_ADJUSTMENTS, 0)
    assert builder.empty
    builder.debit(Account.SATISFACTION_ADJUSTMENTS, 1)
    assert not builder.empty
    with pytest.raises(UnbalancedEntry):
        builder.build()  # one leg only


def test_builder_refuses_negative_amounts() -> None:
    with pytest.raises(UnbalancedEntry):
        EntryBuilder(EntryKind.TRANSFER, "EUR").debit(Account.CASH, -1)
    with pytest.raises(UnbalancedEntry):
        EntryBuilder(EntryKind.TRANSFER, "EUR").credit(Account.CASH, Money(-1, "EUR"))


def test_builder_refuses_another_currency() -> None:
    with pytest.raises(ValueError, match="USD"):
        EntryBuilder(EntryKind.TRANSFER, "EUR").debit(Account.CASH, Money(100, "USD"))


def test_builder_refuses_an_unbalanced_build() -> None:
    builder = EntryBuilder(EntryKind.TRANSFER, "EUR").debit(Account.CASH, 100)
    builder.credit(Account.REVENUE, 90)
    with pytest.raises(UnbalancedEntry):
        builder.build()


# --- apply: balance = debits - credits ---------------------------------------------------------


def test_walk_in_pays_after_coffee_in_the_books() -> None:
    charge = (
        EntryBuilder(EntryKind.TAB_CHARGE, "EUR")
        .debit(Account.RECEIVABLES, 760)
        .credit(Account.REVENUE, 760)
        .build()
    )
    payment = (
        EntryBuilder(EntryKind.PAYMENT, "EUR")
        .debit(Account.CASH, 860)
        .credit(Account.RECEIVABLES, 760)
        .credit(Account.TIPS_PAYABLE, 100)
        .build()
    )
    after_charge = apply({}, charge)
    assert after_charge == {"receivables": 760, "revenue": -760}
    after_payment = apply(after_charge, payment)
    assert after_payment == {
        "cash": 860,  # asset: debit balance, positive
        "receivables": 0,
        "revenue": -760,  # revenue: credit balance, negative
        "tips_payable": -100,  # owed to staff: liability, negative
    }
    assert sum(after_payment.values()) == 0


def test_apply_is_pure() -> None:
    before = {"cash": 100, "revenue": -100}
    entry = _entry((Account.CASH, Side.DEBIT, 50), (Account.REVENUE, Side.CREDIT, 50))
    after = apply(before, entry)
    assert before == {"cash": 100, "revenue": -100}
    assert after == {"cash": 150, "revenue": -150}
    assert after is not before


def test_apply_leaves_untouched_accounts_alone() -> None:
    before = {"deposits_held": -2000, "cash": 2000}
    entry = _entry((Account.RECEIVABLES, Side.DEBIT, 5), (Account.REVENUE, Side.CREDIT, 5))
    after = apply(before, entry)
    assert after["deposits_held"] == -2000
    assert after["cash"] == 2000


# --- reversal ----------------------------------------------------------------------------------


def test_reversal_swaps_sides_and_nets_to_zero() -> None:
    charge = (
        EntryBuilder(EntryKind.TAB_CHARGE, "EUR", memo="2 x flat white", tab_id="tab_1")
        .debit(Account.RECEIVABLES, 760)
        .credit(Account.REVENUE, 760)
        .build()
    )
    undo = reversal(charge)
    assert undo.legs == (
        Leg("receivables", Side.CREDIT, 760),
        Leg("revenue", Side.DEBIT, 760),
    )
    assert undo.currency == "EUR"
    assert undo.tab_id == "tab_1"
    assert undo.memo == "reversal: 2 x flat white"
    assert apply(apply({}, charge), undo) == {"receivables": 0, "revenue": 0}


def test_reversal_keeps_a_given_memo() -> None:
    entry = _entry((Account.CASH, Side.DEBIT, 1), (Account.REVENUE, Side.CREDIT, 1))
    assert reversal(entry, memo="keyed twice").memo == "keyed twice"


def test_reversal_of_a_reversal_is_the_original_legs() -> None:
    entry = _entry(
        (Account.CASH, Side.DEBIT, 860),
        (Account.RECEIVABLES, Side.CREDIT, 760),
        (Account.TIPS_PAYABLE, Side.CREDIT, 100),
    )
    assert reversal(reversal(entry)).legs == entry.legs


# --- property: the books always sum to zero ----------------------------------------------------

ACCOUNTS = [a.value for a in Account]


@st.composite
def balanced_entries(draw: st.DrawFn) -> JournalEntry:
    """A random balanced entry: debits drawn freely, credits a random split of their sum."""
    debits = draw(
        st.lists(
            st.tuples(st.sampled_from(ACCOUNTS), st.integers(1, 10**10)), min_size=1, max_size=4
        )
    )
    total = sum(n for _, n in debits)
    credit_accounts = draw(st.lists(st.sampled_from(ACCOUNTS), min_size=1, max_size=4))
    weights = draw(
        st.lists(st.integers(1, 100), min_size=len(credit_accounts), max_size=len(credit_accounts))
    )
    shares = Money(total, "EUR").allocate(weights)
    builder = EntryBuilder(draw(st.sampled_from(list(EntryKind))), "EUR")
    for account, amount in debits:
        builder.debit(account, amount)
    for account, share in zip(credit_accounts, shares, strict=True):
        builder.credit(account, share)
    return builder.build()


@given(st.lists(balanced_entries(), max_size=15))
def test_random_balanced_entries_keep_the_books_at_zero(entries: list[JournalEntry]) -> None:
    balances: dict[str, int] = {}
    for entry in entries:
        assert entry.debits == entry.credits
        balances = apply(balances, entry)
        assert sum(balances.values()) == 0
    # and each account reads debits minus credits over everything posted
    for account, balance in balances.items():
        legs = [leg for e in entries for leg in e.legs if leg.account == account]
        debits = sum(leg.amount for leg in legs if leg.side is Side.DEBIT)
        credits = sum(leg.amount for leg in legs if leg.side is Side.CREDIT)
        assert balance == debits - credits


@given(st.lists(balanced_entries(), min_size=1, max_size=10))
def test_reversing_everything_returns_every_account_to_zero(entries: list[JournalEntry]) -> None:
    balances: dict[str, int] = {}
    for entry in entries:
        balances = apply(balances, entry)
    for entry in reversed(entries):
        balances = apply(balances, reversal(entry))
    assert set(balances.values()) == {0}
