"""Pure rules of refunds and voided lines: what may be given back, and when a
line may be taken off a tab.

A payment has two parts, the bill's (``amount``) and the tip's (``tip``), and
each is given back on its own: a refund never takes more of a part than is
left of it. Refunds still ``pending`` at the processor count as taken, so two
refunds at once can never together pass what was paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from servefirst.kit.errors import Conflict, InvalidRequest
from servefirst.kit.i18n import N_
from servefirst.payments.dispute_rules import Disputed, disputed_refusal
from servefirst.tabs.rules import UNPAID, Bill, TabStatus


class RefundStatus(StrEnum):
    PENDING = "pending"  # committed, the processor not yet heard from
    SUCCEEDED = "succeeded"  # the money went back (or, for cash, was handed back)
    FAILED = "failed"  # the processor refused; nothing went back


#: The code of a processor that could not be reached (``stripe_gateway``).
UNREACHABLE = "processor_unavailable"
#: The code of a refund's key the processor refused, first used with other
#: parameters (``stripe_refunds.ProcessorKeyReused``).
KEY_REUSED = "processor_key_reused"


def why_still_pending(kept: str | None, answered: str | None) -> str | None:
    """The ``failure_code`` a refund keeps while it stays pending, after the
    processor's pending answer said ``answered``.

    A refused key (``KEY_REUSED``) is kept: the refund is held up, nothing
    made, until Stripe forgets the key (24 hours), and the console and the
    API say so rather than let it pass for one about to finish. A processor
    that could not be reached says nothing new (``kept`` stays); any other
    answer (a refund the processor holds, still pending there) clears it."""
    if answered == UNREACHABLE:
        return kept
    return KEY_REUSED if answered == KEY_REUSED else None


#: Refunds that hold their share of the payment (a failed one gives it back).
TAKING = frozenset({RefundStatus.PENDING.value, RefundStatus.SUCCEEDED.value})

#: The longest reason kept (the column's size).
MAX_REASON = 500

#: The reason kept with a refund made in the processor's dashboard (kept in
#: English; the console shows it in the reader's language). It is servefirst's
#: note of where the refund came from, not anyone's reason for it.
MADE_AT_PROCESSOR = N_("Refunded in Stripe's dashboard.")


@dataclass(frozen=True)
class Refundable:
    """What is left to give back of one payment."""

    amount: int  # of the bill's part
    tip: int  # of the tip

    @classmethod
    def of(cls, paid_amount: int, paid_tip: int, taken: list[tuple[int, int]]) -> Refundable:
        """``taken``: (amount, tip) of the payment's refunds that are not failed."""
        return cls(
            paid_amount - sum(amount for amount, _ in taken),
            paid_tip - sum(tip for _, tip in taken),
        )

    @property
    def nothing_left(self) -> bool:
        return self.amount <= 0 and self.tip <= 0


def bill_first(left: Refundable, money: int) -> tuple[int, int]:
    """The (amount, tip) of a payment that ``money`` given back without saying
    which part takes, the bill's part first, then the tip, never more of
    either than is ``left``: a refund made in the processor's dashboard, or a
    card dispute the merchant lost (the bank took it back)."""
    part = min(max(money, 0), max(left.amount, 0))
    return part, min(max(money, 0) - part, max(left.tip, 0))


def refund_parts(
    left: Refundable, amount: int | None, tip: int | None, *, payment_status: str = "succeeded"
) -> tuple[int, int]:
    """The (amount, tip) a refund asked with ``amount`` and ``tip`` gives back,
    or a named error. Neither given: all that is left of both; one given: the
    other is 0."""
    if payment_status != "succeeded":
        raise Conflict(
            f"This payment is {payment_status}; only a succeeded payment can be refunded.",
            code="payment_not_refundable",
        )
    if left.nothing_left:
        raise Conflict("This payment has already been refunded in full.", code="nothing_to_refund")
    if amount is None and tip is None:
        return max(left.amount, 0), max(left.tip, 0)
    amount, tip = amount or 0, tip or 0
    if amount < 0 or tip < 0:
        raise InvalidRequest(
            "A refund cannot be negative.", param="amount" if amount < 0 else "tip"
        )
    if amount + tip == 0:
        raise InvalidRequest("A refund must give back more than 0.", param="amount")
    if amount > left.amount:
        raise InvalidRequest(
            f"amount {amount} is more than the {max(left.amount, 0)} left to refund of this"
            " payment's bill part.",
            code="amount_exceeds_refundable",
            param="amount",
            details={"refundable_amount": max(left.amount, 0), "refundable_tip": max(left.tip, 0)},
            figures={"asked": amount, "part": "amount"},
        )
    if tip > left.tip:
        raise InvalidRequest(
            f"tip {tip} is more than the {max(left.tip, 0)} left to refund of this payment's tip.",
            code="amount_exceeds_refundable",
            param="tip",
            details={"refundable_amount": max(left.amount, 0), "refundable_tip": max(left.tip, 0)},
            figures={"asked": tip, "part": "tip"},
        )
    return amount, tip


def refund_state(
    paid: int, tips: int, refunded: int, tips_refunded: int, deposit_applied: int = 0
) -> str | None:
    """What a tab says beside its status once money went back: ``refunded``
    when all the customer paid (bill, tips and a deposit applied to it) went
    back, ``partly refunded`` when some did, None when none did. The status
    itself stays (a paid tab stays paid: the service was given and settled).
    A deposit is not given back by a refund: a tab it paid part of is at most
    partly refunded."""
    back = refunded + tips_refunded
    if back <= 0:
        return None
    return "refunded" if back >= paid + tips + deposit_applied else "partly refunded"


def ensure_nothing_refunded_since(seen: int | None, refunds: int) -> None:
    """The console's refund form says how many refunds of the payment its page
    showed (``seen``): one made since (the form sent twice, or again after the
    back button) is not made again unseen. Compared with the tab held, so two
    sendings at the same moment cannot both find the count unchanged. None:
    a form that did not say, nothing to compare."""
    if seen is not None and seen != refunds:
        raise Conflict(
            "This payment was refunded since the page was shown. Check what was given "
            "back below; send the form again if another refund is meant.",
            code="refunded_since",
            details={"refunds_seen": seen, "refunds": refunds},
        )


def clean_reason(reason: str) -> str:
    text = " ".join(reason.split())
    if not text:
        raise InvalidRequest("Say why (the reason is kept with the record).", param="reason")
    if len(text) > MAX_REASON:
        raise InvalidRequest(f"The reason is longer than {MAX_REASON} characters.", param="reason")
    return text


def ensure_can_void_line(
    status: TabStatus | str,
    bill: Bill,
    line_amount: int,
    voided: bool,
    disputed: Disputed | None = None,
) -> None:
    """A line comes off a tab only while what is still due, with the booking
    deposit applied to the bill, covers it: the deposit comes down with the
    bill (``deposit_after_void``), but money already taken by a payment for
    the line must be refunded first. So an unpaid tab, or a paid one its
    deposit paid alone (``paid_by_deposit_alone``): a deposit is no payment
    to refund, and there is nothing else to give back first.

    ``disputed``: a dispute, open or lost, of one of the tab's payments
    (``dispute_rules.first_holding``). A void the due covers takes nothing
    back from the card and is done as ever; one that would need a refund
    first is refused for the dispute (409 ``payment_disputed``): that
    refund cannot be made, so "refund first" would send staff nowhere."""
    current = TabStatus(status)
    if voided:
        raise Conflict("This line is already voided.", code="line_already_voided")
    if current is TabStatus.PAID and disputed is not None and bill.paid > 0:
        raise disputed_refusal(disputed, what="void", figures={"line_amount": line_amount})
    if current not in UNPAID and not paid_by_deposit_alone(current, bill):
        raise Conflict(
            f"This tab is {current.value}; refund the payment instead of voiding a line.",
            code="refund_first" if current is TabStatus.PAID else "tab_state_invalid",
            details={"tab_status": current.value},
        )
    if line_amount > bill.due + bill.deposit_applied:
        if disputed is not None:
            raise disputed_refusal(
                disputed,
                what="void",
                figures={"line_amount": line_amount, "amount_due": bill.due},
            )
        deposit = {"deposit_applied": bill.deposit_applied} if bill.deposit_applied else {}
        also = f" (and {bill.deposit_applied} of the deposit)" if bill.deposit_applied else ""
        raise Conflict(
            f"Only {bill.due} is still due{also}, less than this line's {line_amount}: part of"
            " it is paid already, so refund the payment instead of voiding the line.",
            code="refund_first",
            details={"amount_due": bill.due, **deposit},
            figures={"line_amount": line_amount},
        )


def paid_by_deposit_alone(status: TabStatus | str, bill: Bill) -> bool:
    """A paid tab no payment paid any of: the booking's deposit covered the
    whole bill. Its lines may still be voided, the deposit coming down."""
    return TabStatus(status) is TabStatus.PAID and bill.paid == 0 and bill.deposit_applied > 0


def deposit_after_void(bill: Bill, line_amount: int) -> int:
    """The deposit still applied once a line of ``line_amount`` comes off the
    bill: what it covered before, down to what the bill still needs after
    real payments (a cheaper service done than booked), never below 0. The
    rest is no longer the bill's: it goes back to the customer."""
    needed = bill.total - line_amount - bill.paid
    return max(0, min(bill.deposit_applied, needed))
