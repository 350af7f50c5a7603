"""Pure cash-up rules: what can be counted, what the drawer should hold, the
entry that books the difference, and the Z report's sums.

The expected cash is the opening float plus every movement of the ledger's
``cash`` account during the day (cash payments and deposits in, cash refunds
out). The float is the business's own money, put in the drawer to give change:
it is not in the ledger, so it is added here and must be counted back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from servefirst.kit.i18n import N_
from servefirst.ledger.rules import Account, EntryBuilder, EntryKind, JournalEntry, Side

#: Notes and coins in circulation, in cents, largest first.
EURO_DENOMINATIONS: tuple[int, ...] = (
    50000, 20000, 10000, 5000, 2000, 1000, 500,  # notes
    200, 100, 50, 20, 10, 5, 2, 1,  # coins
)  # fmt: skip
DENOMINATIONS: dict[str, tuple[int, ...]] = {"EUR": EURO_DENOMINATIONS}
#: More of one note or coin than any till holds: a typing slip, refused.
MAX_PIECES = 100_000
#: A float larger than this (minor units) is a typing slip too.
MAX_FLOAT = 10_000_000


class CountRefused(ValueError):
    """A count that cannot be taken: ``param`` names the field, in words;
    ``figures`` let a page say it again in its reader's language."""

    def __init__(self, param: str, message: str, figures: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.param = param
        self.message = message
        self.figures = figures or {}


def checked_day(day: date, *, today: date, opened: date) -> date:
    """A day the business has had on servefirst: from the day it began here
    (its cash before that was never in the ledger) to today, both in its zone."""
    if day > today:
        raise CountRefused("date", "A day cannot be closed before it has begun.")
    if day < opened:
        raise CountRefused(
            "date",
            f"{day.isoformat()} is before {opened.isoformat()}, when this business began on "
            "servefirst: there is no such day to close.",
            {
                "words": N_(
                    "%(day)s is before %(opened)s, when this business began on servefirst: "
                    "there is no such day to close."
                ),
                "day": day.isoformat(),
                "opened": opened.isoformat(),
            },
        )
    return day


def is_note(denomination: int) -> bool:
    return denomination >= 500


def denominations(currency: str) -> tuple[int, ...]:
    found = DENOMINATIONS.get(currency.upper())
    if found is None:
        raise CountRefused(
            "counted", f"Counting by note and coin is not yet known for {currency.upper()}."
        )
    return found


def checked_counts(currency: str, counts: Mapping[str, Any]) -> dict[int, int]:
    """Pieces per denomination (cents -> count), every count a whole number from 0.

    Keys are the denomination in minor units as text (``"2000"`` for a 20 euro note)."""
    known = denominations(currency)
    out: dict[int, int] = {}
    for key, raw in counts.items():
        try:
            value = int(str(key))
        except ValueError:
            raise CountRefused(f"counted.{key}", f"{key!r} is not a note or coin.") from None
        if value not in known:
            raise CountRefused(f"counted.{key}", f"There is no note or coin of {key} cents.")
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise CountRefused(f"counted.{key}", "Each count must be a whole number of pieces.")
        if raw < 0:
            raise CountRefused(f"counted.{key}", "A count cannot be negative.")
        if raw > MAX_PIECES:
            raise CountRefused(
                f"counted.{key}",
                f"More than {MAX_PIECES} pieces: check the count.",
                {"words": N_("More than %(most)s pieces: check the count."), "most": MAX_PIECES},
            )
        if raw:
            out[value] = out.get(value, 0) + raw
    return out


def checked_float(amount: Any) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise CountRefused("opening_float", "The opening float must be a whole number of cents.")
    if amount < 0:
        raise CountRefused("opening_float", "The opening float cannot be negative.")
    if amount > MAX_FLOAT:
        raise CountRefused("opening_float", "The opening float is too large: check it.")
    return amount


def counted_total(counts: Mapping[int, int]) -> int:
    return sum(denomination * pieces for denomination, pieces in counts.items())


def count_not_made(count_made: bool, expected: int) -> bool:
    """A close with no count at all (every field left blank on the form) while
    the drawer should hold money is a count not made, a tap too soon, not a
    drawer found empty: a close cannot be undone, and it would post all of it
    as short. A drawer found empty is a count of 0."""
    return not count_made and expected > 0


def over_short_entry(currency: str, difference: int, memo: str) -> JournalEntry | None:
    """The one balanced entry for the difference (None when the drawer is right):
    over, cash up and ``cash_over_short`` credited; short, the other way."""
    if difference == 0:
        return None
    builder = EntryBuilder(EntryKind.CASH_COUNT, currency, memo=memo)
    if difference > 0:
        return (
            builder.debit(Account.CASH, difference)
            .credit(Account.CASH_OVER_SHORT, difference)
            .build()
        )
    return (
        builder.debit(Account.CASH_OVER_SHORT, -difference)
        .credit(Account.CASH, -difference)
        .build()
    )


# --- the Z report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Movement:
    """The day's legs summed by why they were posted, account and side."""

    kind: str
    account: str
    side: str
    amount: int


@dataclass
class DayTotals:
    """What the Z report shows for one day (minor units)."""

    by_method: dict[str, int] = field(
        default_factory=lambda: {"cash": 0, "card": 0, "card_terminal": 0}
    )
    tips: int = 0
    refunds: int = 0
    #: Card payments the customers' banks took back for disputes lost, less
    #: losses given back on the day (disputes Stripe then closed won).
    disputes_lost: int = 0
    #: Lines taken off tabs after they were added (their charge reversed).
    voided_lines: int = 0
    adjustments: int = 0
    write_offs: int = 0
    deposits_taken: int = 0
    deposits_refunded: int = 0
    deposits_kept: int = 0
    over_short: int = 0
    #: Net movement of the cash account, the close's own entry apart.
    cash_movement: int = 0

    @property
    def takings(self) -> int:
        return sum(self.by_method.values())


_METHOD_OF = {
    Account.CASH.value: "cash",
    Account.CARD_CLEARING.value: "card",
    Account.CARD_TERMINAL.value: "card_terminal",
}


def day_totals(movements: Iterable[Movement]) -> DayTotals:
    totals = DayTotals()
    for m in movements:
        debit = m.side == Side.DEBIT.value
        signed = m.amount if debit else -m.amount
        if m.account == Account.CASH.value and m.kind != EntryKind.CASH_COUNT.value:
            totals.cash_movement += signed
        if m.kind == EntryKind.PAYMENT.value:
            if debit and m.account in _METHOD_OF:
                totals.by_method[_METHOD_OF[m.account]] += m.amount
            elif m.account == Account.TIPS_PAYABLE.value:
                totals.tips -= signed
        elif m.kind.startswith("refund"):
            # A debit: a refund that went through, then failed (the card's
            # bank sent it back), reversed on the day it failed.
            if m.account in _METHOD_OF:
                totals.refunds -= signed
        elif m.kind == EntryKind.DISPUTE_LOST.value:
            if not debit and m.account in _METHOD_OF:
                totals.disputes_lost += m.amount
        elif m.kind == EntryKind.DISPUTE_WON_BACK.value:
            # The loss undone on the day Stripe said won: the pair nets to nothing.
            if debit and m.account in _METHOD_OF:
                totals.disputes_lost -= m.amount
        # Voids and discounts as the customer saw them, tax included: what came
        # off receivables (revenue and the adjustments account hold them net).
        elif m.kind == EntryKind.TAB_CHARGE_REVERSAL.value:
            if not debit and m.account == Account.RECEIVABLES.value:
                totals.voided_lines += m.amount
        elif m.kind == EntryKind.ADJUSTMENT.value:
            if m.account == Account.RECEIVABLES.value:
                totals.adjustments -= signed
        elif m.kind == EntryKind.WRITE_OFF.value:
            if m.account == Account.WRITE_OFFS.value:
                totals.write_offs += signed
        elif m.kind == EntryKind.DEPOSIT.value:
            if debit and m.account in _METHOD_OF:
                totals.deposits_taken += m.amount
        elif m.kind == EntryKind.DEPOSIT_REFUND.value:
            # A debit: a deposit's refund that failed after it went through.
            if m.account in _METHOD_OF:
                totals.deposits_refunded -= signed
        elif m.kind == EntryKind.DEPOSIT_FORFEIT.value:
            if m.account == Account.NO_SHOW_FEES.value:
                totals.deposits_kept -= signed
        elif m.kind == EntryKind.CASH_COUNT.value and m.account == Account.CASH.value:
            totals.over_short += signed
    return totals
