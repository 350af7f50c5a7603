"""Pure ledger rules: the account plan, entries and how balances move.

Sign convention: a balance is debits minus credits. Asset and expense accounts
(cash, receivables, adjustments) therefore read positive, liability and revenue
accounts (tips payable, revenue) read negative, and the sum over all accounts is
always exactly zero. That zero is what ``GET /v1/ledger/balances`` shows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from servefirst.kit.money import Money


class Side(StrEnum):
    DEBIT = "debit"
    CREDIT = "credit"


class Account(StrEnum):
    """The account plan every merchant starts with (the codes are public)."""

    #: Notes and coins taken at the counter (asset).
    CASH = "cash"
    #: Card payments authorised by the processor but not yet paid out (asset).
    CARD_CLEARING = "card_clearing"
    #: Card payments taken on the shop's own terminal and recorded by staff (asset).
    CARD_TERMINAL = "card_terminal"
    #: What customers owe for services on open and unpaid tabs (asset).
    RECEIVABLES = "receivables"
    #: Earned from services (revenue, credit balance).
    REVENUE = "revenue"
    #: Discounts granted under the satisfaction guarantee (contra-revenue).
    SATISFACTION_ADJUSTMENTS = "satisfaction_adjustments"
    #: Loyalty and referral rewards taken off bills (contra-revenue: what the
    #: programmes cost, beside the revenue the visits earned).
    LOYALTY_REWARDS = "loyalty_rewards"
    #: The bill's part of payments given back after they were taken
    #: (contra-revenue: revenue stays what was earned, this says what was returned).
    REFUNDS = "refunds"
    #: The bill's part of card payments the customer's bank took back when the
    #: merchant lost a dispute (chargebacks; contra-revenue, kept apart from
    #: refunds: an accountant reads the two differently).
    DISPUTES_LOST = "disputes_lost"
    #: Tips collected on behalf of staff; owed to them, never revenue (liability).
    TIPS_PAYABLE = "tips_payable"
    #: Tax charged to customers, owed to the tax authority (liability).
    TAX_PAYABLE = "tax_payable"
    #: Deposits taken before bookings; owed back until applied or forfeited (liability).
    DEPOSITS_HELD = "deposits_held"
    #: Deposits kept after a no-show or late cancellation (revenue).
    NO_SHOW_FEES = "no_show_fees"
    #: Receivables given up as uncollectable (expense).
    WRITE_OFFS = "write_offs"
    #: What the drawer held above (credit) or below (debit) the cash the ledger
    #: expected when the day was closed (income or expense).
    CASH_OVER_SHORT = "cash_over_short"


class EntryKind(StrEnum):
    """Why an entry was posted; reports group by it."""

    TAB_CHARGE = "tab_charge"  # a line was added to a tab
    TAB_CHARGE_REVERSAL = "tab_charge_reversal"  # a line was removed
    PAYMENT = "payment"  # a customer paid (amount and tip)
    ADJUSTMENT = "adjustment"  # a satisfaction-guarantee discount
    WRITE_OFF = "write_off"  # an unpaid tab given up
    REFUND = "refund"  # money given back from a payment (bill part and tip)
    DISPUTE_LOST = "dispute_lost"  # a card dispute lost: the bank took the money back
    #: A lost dispute Stripe then closed won: the money came back, the loss's
    #: entry undone (its legs, sides swapped).
    DISPUTE_WON_BACK = "dispute_won_back"
    DEPOSIT = "deposit"
    DEPOSIT_APPLIED = "deposit_applied"
    #: A line voided: the part of an applied deposit the smaller bill no longer
    #: needs goes back to deposits_held, to be refunded to the card.
    DEPOSIT_UNAPPLIED = "deposit_unapplied"
    DEPOSIT_REFUND = "deposit_refund"
    DEPOSIT_FORFEIT = "deposit_forfeit"
    TRANSFER = "transfer"  # a plain two-leg transfer (imports, benchmarks)
    CASH_COUNT = "cash_count"  # the day's close: cash counted over or short
    LOYALTY_REWARD = "loyalty_reward"  # a loyalty or referral reward taken off a bill


class PostedLeg(NamedTuple):
    """One leg as it was posted, with its entry's facts: what an export reads."""

    entry_id: str
    kind: str
    memo: str
    tab_id: str | None
    created_at: datetime
    currency: str
    account: str
    side: str
    amount: int

    @property
    def delta(self) -> int:
        return self.amount if self.side == Side.DEBIT.value else -self.amount


class UnbalancedEntry(ValueError):
    """An entry whose debits and credits differ: always a programming error."""


@dataclass(frozen=True, slots=True)
class Leg:
    account: str
    side: Side
    amount: int  # minor units, strictly positive

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int) or isinstance(self.amount, bool) or self.amount <= 0:
            raise UnbalancedEntry(f"a leg carries a positive int amount, got {self.amount!r}")

    @property
    def delta(self) -> int:
        """This leg's effect on its account's (debit-minus-credit) balance."""
        return self.amount if self.side is Side.DEBIT else -self.amount


@dataclass(frozen=True, slots=True)
class JournalEntry:
    kind: EntryKind
    currency: str
    legs: tuple[Leg, ...]
    memo: str = ""
    tab_id: str | None = None

    def __post_init__(self) -> None:
        if len(self.legs) < 2:
            raise UnbalancedEntry("an entry needs at least two legs")
        if sum(leg.delta for leg in self.legs) != 0:
            raise UnbalancedEntry(f"{self.kind}: debits {self.debits} != credits {self.credits}")

    @property
    def debits(self) -> int:
        return sum(leg.amount for leg in self.legs if leg.side is Side.DEBIT)

    @property
    def credits(self) -> int:
        return sum(leg.amount for leg in self.legs if leg.side is Side.CREDIT)

    def deltas(self) -> dict[str, int]:
        """Net change per account, accounts in a fixed (sorted) order.

        The order matters on PostgreSQL: every transaction updates balance rows
        in the same order, so two payments can never deadlock each other.
        """
        net: dict[str, int] = defaultdict(int)
        for leg in self.legs:
            net[leg.account] += leg.delta
        return {account: net[account] for account in sorted(net)}


@dataclass
class EntryBuilder:
    """Collects legs, drops zero amounts, and builds a balanced entry."""

    kind: EntryKind
    currency: str
    memo: str = ""
    tab_id: str | None = None
    _legs: list[Leg] = field(default_factory=list)

    def debit(self, account: str, money: Money | int) -> EntryBuilder:
        return self._add(account, Side.DEBIT, money)

    def credit(self, account: str, money: Money | int) -> EntryBuilder:
        return self._add(account, Side.CREDIT, money)

    def leg(self, account: str, side: Side, amount: int) -> EntryBuilder:
        """A leg whose amount may come out negative (a share worked out by the
        tax rules): then it goes on the other side; zero adds nothing."""
        if amount < 0:
            side, amount = (Side.CREDIT if side is Side.DEBIT else Side.DEBIT), -amount
        return self._add(account, side, amount)

    def _add(self, account: str, side: Side, money: Money | int) -> EntryBuilder:
        if isinstance(money, Money):
            if money.currency != self.currency:
                raise ValueError(f"{money.currency} leg on a {self.currency} entry")
            amount = money.amount
        else:
            amount = money
        if amount < 0:
            raise UnbalancedEntry("use the other side instead of a negative amount")
        if amount:
            self._legs.append(Leg(str(account), side, amount))
        return self

    @property
    def empty(self) -> bool:
        return not self._legs

    def build(self) -> JournalEntry:
        return JournalEntry(self.kind, self.currency, tuple(self._legs), self.memo, self.tab_id)


def apply(balances: dict[str, int], entry: JournalEntry) -> dict[str, int]:
    """Balances after posting ``entry`` (pure; the database does the same in SQL)."""
    after = dict(balances)
    for account, delta in entry.deltas().items():
        after[account] = after.get(account, 0) + delta
    return after


def reversal(entry: JournalEntry, memo: str = "") -> JournalEntry:
    """The entry that undoes ``entry``: same legs, sides swapped."""
    flipped = tuple(
        Leg(leg.account, Side.CREDIT if leg.side is Side.DEBIT else Side.DEBIT, leg.amount)
        for leg in entry.legs
    )
    return JournalEntry(
        entry.kind, entry.currency, flipped, memo or f"reversal: {entry.memo}", entry.tab_id
    )
