"""An entry's revenue and tax-payable legs split by tax rate (pure: no
database, no I/O), so the QuickBooks and Xero files can say which rate each
line belongs to.

The ledger posts one net leg (revenue, or the contra-revenue a discount,
reward or refund lands on) and one tax-payable leg per entry, whatever the
rates on the tab; the taxes package keeps, per entry, what moved under each
rate (``tax_movements``: net and tax, signed). An entry's legs and movements
arrive side by side, both in posting order, and each leg of the two kinds
becomes one line per rate plus, for what no rate explains (untaxed lines on
the tab), one line without a rate. The parts add up to the leg, so every
journal still balances, and each rate's lines add up to the tax report's
figures for that rate.

Memory stays flat: only one entry's legs and movements are held at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

from servefirst.ledger.rules import Account, EntryKind, PostedLeg, Side

#: Where an entry of each kind puts its net (the tax rules share a change of
#: the bill between net and tax; the net lands on this account).
NET_ACCOUNT_OF = {
    EntryKind.TAB_CHARGE.value: Account.REVENUE.value,
    EntryKind.TAB_CHARGE_REVERSAL.value: Account.REVENUE.value,
    EntryKind.ADJUSTMENT.value: Account.SATISFACTION_ADJUSTMENTS.value,
    EntryKind.LOYALTY_REWARD.value: Account.LOYALTY_REWARDS.value,
    EntryKind.REFUND.value: Account.REFUNDS.value,
}
TAX_ACCOUNT = Account.TAX_PAYABLE.value


class Movement(NamedTuple):
    """What one entry moved under one rate (credit-positive, as revenue grows)."""

    entry_id: str
    rate_id: str
    net: int
    tax: int


class Line(NamedTuple):
    """One exported line: a leg, or its part under one rate (``rate_id``
    None: no rate). ``leg.side`` and ``leg.amount`` are the part's."""

    leg: PostedLeg
    rate_id: str | None


def _part(leg: PostedLeg, account: str, delta: int, rate_id: str | None) -> Line:
    side = Side.DEBIT.value if delta > 0 else Side.CREDIT.value
    return Line(leg._replace(account=account, side=side, amount=abs(delta)), rate_id)


def _split(
    leg: PostedLeg, account: str, delta: int, parts: list[tuple[str, int]]
) -> Iterator[Line]:
    """``delta`` (the leg's movement, debit-positive) as one line per rate
    (``parts``: each rate's debit-positive share) and one for the rest."""
    rest = delta
    for rate_id, share in parts:
        if share:
            rest -= share
            yield _part(leg, account, share, rate_id)
    if rest:
        yield _part(leg, account, rest, None)


def _entry_lines(legs: list[PostedLeg], moved: list[Movement]) -> Iterator[Line]:
    if not moved:
        for leg in legs:
            yield Line(leg, None)
        return
    net_account = NET_ACCOUNT_OF.get(legs[0].kind, Account.REVENUE.value)
    # A movement credits revenue and tax payable when it is positive; a line's
    # amount is debit-positive, hence the minus.
    shares = {
        net_account: [(m.rate_id, -m.net) for m in moved],
        TAX_ACCOUNT: [(m.rate_id, -m.tax) for m in moved],
    }
    for leg in legs:
        parts = shares.pop(leg.account, None)
        if parts is None:
            yield Line(leg, None)
        else:
            yield from _split(leg, leg.account, leg.delta, parts)
    # A leg of nought is never posted, yet its rates may still have moved (a
    # line added to a discounted tab shifts the discount between rates): the
    # parts go out on their own, adding up to nought.
    for account, parts in shares.items():
        yield from _split(legs[0], account, 0, parts)


def lines_by_rate(legs: Iterable[PostedLeg], movements: Iterable[Movement]) -> Iterator[Line]:
    """The legs as lines, the net and tax-payable ones split by rate.

    ``legs`` and ``movements`` come in the same posting order (the movements'
    entries a subsequence of the legs'), so they are matched by walking both:
    an entry's movements are the next ones while their entry is the leg's."""
    moves = iter(movements)
    waiting = next(moves, None)

    def moved_by(entry_id: str) -> list[Movement]:
        nonlocal waiting
        found = []
        while waiting is not None and waiting.entry_id == entry_id:
            found.append(waiting)
            waiting = next(moves, None)
        return found

    entry: list[PostedLeg] = []
    for leg in legs:
        if entry and leg.entry_id != entry[0].entry_id:
            yield from _entry_lines(entry, moved_by(entry[0].entry_id))
            entry = []
        entry.append(leg)
    if entry:
        yield from _entry_lines(entry, moved_by(entry[0].entry_id))
    if waiting is not None:
        # Better no file than one with some rates quietly missing: the two
        # streams' orders disagreed.
        raise RuntimeError(f"tax movements of entry {waiting.entry_id} matched no leg")
