"""The customer's word that a refund of their tab failed after it went
through (kind ``refund_failed``): they were told the money was on its way
(kind ``refund``), and their bank or the card processor sent it back.

Planned from ``refund.failed`` with ``after_succeeded`` (``service.plan``),
which ``payments.refund_reversals`` emits once per refund, when it moves
from succeeded to failed: a refusal told again (a webhook replayed, under
its id or another) finds it failed and emits nothing, and a refund still
pending when it failed (``payments recover`` run again) never told the
customer it was on its way, so nothing calls for a word of it. The outbox
plans each event once.

Just before it goes it is checked again (``still_to_tell``): the refund
must still be one that failed after it went through; and it is no news any
more once the business has given the money back since (another refund of
the tab, in cash or to the card again, told by its own ``refund`` message)
or the customer's bank has, in a dispute lost.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from servefirst.db.uow import UnitOfWork
from servefirst.messages.refund_refused import how_to_reach
from servefirst.payments.refund_reversals import Returned, returned

if TYPE_CHECKING:
    from servefirst.merchants.models import Merchant
    from servefirst.messages.rules import MessagePolicy

#: Why a ``refund`` message still waiting is not sent: the refund it tells
#: of failed since, which the ``refund_failed`` message says instead.
REFUND_RETURNED = "the refund failed after it went through: the customer is told that instead"


def still_to_tell(uow: UnitOfWork, refund_id: str) -> Returned | str:
    """What the message tells (the refund that came back), or why it is no
    longer to be sent."""
    told = returned(uow, refund_id)
    if told is None:
        return "what it was about is gone"
    if told.bank_gave_it_back:
        return "nothing is owed any more: the customer's bank gave the money back (a dispute lost)"
    if told.given_back_since >= told.amount + told.tip:
        return "the business refunded the money again since: that refund's own message says so"
    return told


def returned_values(
    told: Returned, merchant: Merchant, policy: MessagePolicy, zone: tzinfo
) -> dict[str, Any]:
    """The template's values: what came back in all, the day it was made,
    the card it was going to, and how to reach the business."""
    return {
        "returned": told.amount + told.tip,
        "made_on": told.made_at.astimezone(zone),
        "card_last4": told.card_last4 or "",
        **how_to_reach(merchant, policy),
    }
