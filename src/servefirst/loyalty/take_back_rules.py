"""Pure rules of taking back: what a refund, a line voided after payment, or
a card dispute the merchant lost takes back of what a paid tab earned.

Each follows the money: what the tab earned is kept in proportion to what is
still paid for, rounded down, and never taken below what the customer holds
(``take_back``). The journal names what took points back (``reference``): the
refund's id, the voided line ("line 3"), or the dispute ("dispute dp_...");
``taken_so_far`` reads the tab's moves back into those three. A dispute won
after its loss gives its take-back back (``give_back``, naming the dispute
again): read with it, the dispute took nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


def kept_after_refund(earned_by_tab: int, total: int, refunded: int) -> int:
    """What a tab that earned ``earned_by_tab`` on ``total`` may keep once
    ``refunded`` of it went back: in proportion, rounded down, so a full refund
    keeps nothing (and a stamp goes with any refund that leaves less than it)."""
    if total <= 0 or refunded >= total:
        return 0
    return earned_by_tab * (total - max(refunded, 0)) // total


def kept_after_void(keeps: int, bill_before: int, bill_after: int) -> int:
    """What a tab still keeping ``keeps`` keeps once a void brings its bill
    from ``bill_before`` down to ``bill_after``: in proportion to what is left
    of the bill, rounded down as a refund's is, so a bill voided to nothing
    keeps nothing."""
    if bill_before <= 0 or bill_after <= 0:
        return 0
    return keeps * min(bill_after, bill_before) // bill_before


def owed_after_void(
    earned_by_tab: int,
    by_voids: int,
    by_refunds: int,
    bill_before: int,
    bill_after: int,
    refunded: int = 0,
) -> int:
    """What a void taking the bill from ``bill_before`` to ``bill_after`` takes
    back of a tab that earned ``earned_by_tab``, of which voids already took
    ``by_voids`` and refunds (and lost disputes) ``by_refunds``: the void's
    share of what the earlier voids left, never more than the tab still holds
    of its earning; all it holds once nothing is left paid for (``refunded``
    the rest).

    Voids come one at a time, each in proportion to the bill it found, so
    nothing needs the bill as it stood when the tab was paid; what the card
    could not give back then (``take_back``) stays forgiven unless the bill
    later comes to nothing."""
    holds = max(0, earned_by_tab - by_voids - by_refunds)
    if bill_after - max(refunded, 0) <= 0:
        return holds
    keeps = max(0, earned_by_tab - by_voids)
    return min(keeps - kept_after_void(keeps, bill_before, bill_after), holds)


def owed_after_refund(
    earned_by_tab: int,
    by_voids: int,
    by_refunds: int,
    total: int,
    refunded: int,
    *,
    by_disputes: int = 0,
) -> int:
    """What refunds, ``refunded`` of the bill's ``total`` in all, still owe back
    of what the tab earned: in proportion (``kept_after_refund``) to what the
    voids left it, less what refunds already took back. The bill is the one
    after voids, so a refund is measured against what was left to pay for.

    A lost dispute's money is not counted here, nor what it took back
    (``by_disputes``, only a bound: the tab cannot give back what it no
    longer holds): the shares of refunds and of disputes each follow their
    own money, and being in proportion they add up to what all of it owes."""
    base = max(0, earned_by_tab - by_voids)
    owed = base - kept_after_refund(base, total, refunded) - by_refunds
    return max(0, min(owed, earned_by_tab - by_voids - by_refunds - by_disputes))


def owed_after_dispute(
    earned_by_tab: int,
    by_voids: int,
    by_refunds: int,
    by_disputes: int,
    total: int,
    refunded: int,
    disputed: int,
) -> int:
    """What the tab owes back once its disputes the merchant lost, ``disputed``
    of the bill in all, come on top of the ``refunded``: a lost dispute is a
    refund the bank made, so it is measured as refunds are, against what the
    voids left, less what refunds and disputes already took back. A dispute
    that covers what is left paid for leaves the tab nothing."""
    return owed_after_refund(
        earned_by_tab, by_voids, by_refunds + by_disputes, total, refunded + max(disputed, 0)
    )


def void_reference(line_no: int) -> str:
    """A void's take-back names the line it took off ("line 3"); a refund's names the refund."""
    return f"line {line_no}"


def made_by_void(reference: str | None) -> bool:
    return reference is not None and reference.startswith("line ")


#: The longest id a processor gives a dispute that ``disputes`` keeps (Stripe
#: says its ids never exceed 255 characters; today's are 27).
LONGEST_DISPUTE_ID = 255
#: The journal's reference column: the longest reference written, a lost
#: dispute's ("dispute " and its id). A refund's id is at most 40 and a
#: voided line's "line 2147483647" 15.
LONGEST_REFERENCE = len("dispute ") + LONGEST_DISPUTE_ID


def dispute_reference(dispute_id: str) -> str:
    """A lost dispute's take-back names the dispute ("dispute dp_1N..."): the
    processor's id in full, as ``disputes`` keeps it (``LONGEST_REFERENCE``)."""
    return f"dispute {dispute_id}"


def made_by_dispute(reference: str | None) -> bool:
    return reference is not None and reference.startswith("dispute ")


@dataclass(frozen=True)
class Taken:
    """What a tab earned and what voids, refunds and lost disputes took back
    of it so far (each a positive count of stamps or points)."""

    earned: int = 0
    by_voids: int = 0
    by_refunds: int = 0
    by_disputes: int = 0

    @property
    def holds(self) -> int:
        """What the tab still holds of what it earned."""
        return max(0, self.earned - self.by_voids - self.by_refunds - self.by_disputes)


def taken_so_far(moves: Iterable[tuple[str, int, str | None]]) -> Taken:
    """``moves``: the tab's journal rows as (kind, points, reference)."""
    earned = by_voids = by_refunds = by_disputes = 0
    for kind, points, reference in moves:
        if kind == "earn":
            earned += points
        elif made_by_void(reference):
            by_voids -= points
        elif made_by_dispute(reference):
            by_disputes -= points
        else:
            by_refunds -= points
    return Taken(earned, by_voids, by_refunds, by_disputes)


def take_back(balance: int, owed: int) -> int:
    """What can be taken back now: never more than the balance holds."""
    return max(0, min(balance, owed))
