"""Taking back what a paid tab earned when money goes back to the customer:
a refund (``payments.refunds``), a line voided after payment
(``tabs.voiding``), or a card dispute the merchant lost
(``payments.disputes.mark_lost``), given back if Stripe then closes that
dispute won (``tab_won_back``). Each follows the money as
``take_back_rules`` says, never below what the customer holds: stamps
already turned into an unused reward come back out of that reward. Each
take-back names the tab and what made it, and is told as
``loyalty.taken_back``; a referrer's unused thanks goes when the friend's
first visit comes to nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from servefirst.events.service import emit
from servefirst.kit.clock import as_utc
from servefirst.loyalty import repository as loyalty
from servefirst.loyalty import take_back_rules as rules
from servefirst.loyalty.journal import move
from servefirst.merchants.service import get_merchant

if TYPE_CHECKING:
    from servefirst.db.uow import UnitOfWork
    from servefirst.loyalty.models import LoyaltyTransaction
    from servefirst.tabs.models import Tab


#: The journal's kind of stamps or points a take-back took and gave back.
GIVE_BACK = "give_back"


def tab_refunded(uow: UnitOfWork, tab: Tab, *, refund_id: str) -> None:
    """A refund on ``tab`` (its ``refunded`` already moved) takes back, in
    proportion, what the tab earned; stamps already turned into an unused
    reward come back out of that reward."""
    moves = loyalty.for_tab(uow, tab.tab_id)
    taken = _taken(moves)
    total = tab.subtotal - tab.adjustments
    owed = rules.owed_after_refund(
        taken.earned,
        taken.by_voids,
        taken.by_refunds,
        total,
        tab.refunded,
        by_disputes=taken.by_disputes,
    )
    if owed > 0:
        _take_back(uow, tab, moves[0].customer_id, owed, refund_id, {"refund_id": refund_id})
    _undone(uow, tab, total - tab.refunded)


def tab_line_voided(uow: UnitOfWork, tab: Tab, *, line_no: int, bill_before: int) -> None:
    """A line of the locked ``tab`` was voided after the tab earned (a tab its
    deposit paid alone): what the tab earned follows the bill down, as after
    a refund. Once per line: the void refuses a line already voided, and a
    take-back naming this line is never made twice."""
    moves = loyalty.for_tab(uow, tab.tab_id)
    taken = _taken(moves)
    reference = rules.void_reference(line_no)
    bill_after = tab.subtotal - tab.adjustments
    owed = rules.owed_after_void(
        taken.earned,
        taken.by_voids,
        taken.by_refunds + taken.by_disputes,
        bill_before,
        bill_after,
        tab.refunded,
    )
    if owed > 0 and not any(m.reference == reference for m in moves):
        _take_back(uow, tab, moves[0].customer_id, owed, reference, {"line_no": line_no})
    _undone(uow, tab, bill_after - tab.refunded)


def tab_disputed(uow: UnitOfWork, tab: Tab, *, dispute_id: str, disputed: int) -> None:
    """A card dispute on the locked ``tab`` was lost (marked so by the owner or
    closed so by Stripe, whichever came first): the bank gave the customer
    back ``disputed`` of the bill in all (this dispute and any lost before it,
    the tip left out), so what the tab earned follows that money as it
    follows a refund of it, and a referrer's unused thanks goes if the
    friend's first visit is left paid for nothing.

    Once per dispute: marking it lost again changes nothing upstream, and a
    take-back naming the dispute is never made twice. A dispute still open
    takes nothing (it may yet be won). Stripe closing it won afterwards gives
    the points back with the money (``tab_won_back``)."""
    moves = loyalty.for_tab(uow, tab.tab_id)
    reference = rules.dispute_reference(dispute_id)
    if any(m.reference == reference for m in moves):
        return
    taken = _taken(moves)
    total = tab.subtotal - tab.adjustments
    owed = rules.owed_after_dispute(
        taken.earned,
        taken.by_voids,
        taken.by_refunds,
        taken.by_disputes,
        total,
        tab.refunded,
        disputed,
    )
    if owed > 0:
        _take_back(uow, tab, moves[0].customer_id, owed, reference, {"dispute_id": dispute_id})
    _undone(uow, tab, total - tab.refunded - disputed)


def tab_won_back(uow: UnitOfWork, tab: Tab, *, dispute_id: str, disputed: int) -> None:
    """Stripe closed won a dispute of the locked ``tab`` that was lost: the
    money came back, so does what its loss took, as it was. The stamps or
    points, as a ``give_back`` naming the dispute again (which
    ``take_back_rules.taken_so_far`` counts against that take-back, so a later
    refund reads the tab as if the dispute never took anything); an unused
    reward the loss voided to take them from is the customer's again, its
    points turned back into it and its own expiry kept (unless it lapsed
    meanwhile: then its points stay points, as earning leaves them). Once: a
    give-back naming the dispute is never made twice. ``disputed``: what the
    tab's disputes still lost took of its bill; a friend's first visit paid
    for something again gives the referrer back the thanks the loss voided
    (``referrals.first_visit_restored``)."""
    if not _given_back(uow, tab, rules.dispute_reference(dispute_id), {"dispute_id": dispute_id}):
        return
    paid_for = tab.subtotal - tab.adjustments - tab.refunded - disputed
    _restored(uow, tab, paid_for, {"dispute_id": dispute_id})


def tab_refund_failed(uow: UnitOfWork, tab: Tab, *, refund_id: str, disputed: int) -> None:
    """A refund of the locked ``tab`` went through and then failed at the
    processor (``payments.refund_reversals``; the tab's ``refunded`` already
    moved back): the money is back with the business, so what the refund
    took comes back, as a lost dispute won back gives it (``tab_won_back``):
    a ``give_back`` naming the refund, which ``take_back_rules.taken_so_far``
    counts against that refund's take-back, and an unused reward it voided
    the customer's again; and a friend's first visit paid for something again
    gives the referrer back the thanks the refund voided. Once. ``disputed``:
    what the tab's lost disputes took of its bill."""
    if _given_back(uow, tab, refund_id, {"refund_id": refund_id}):
        paid_for = tab.subtotal - tab.adjustments - tab.refunded - disputed
        _restored(uow, tab, paid_for, {"refund_id": refund_id})


def _restored(uow: UnitOfWork, tab: Tab, paid_for: int, told: dict[str, str]) -> None:
    """The referral's half of a give-back: a friend's first visit paid for
    something again after it came to nothing."""
    if paid_for > 0 and "referral" in (get_merchant(uow).policy or {}):
        from servefirst.loyalty import referrals  # the referral half; it builds on this one

        referrals.first_visit_restored(uow, tab, told=told)


def _given_back(uow: UnitOfWork, tab: Tab, reference: str, told: dict[str, str]) -> bool:
    """What the take-back named ``reference`` took, given back; False when a
    give-back naming it was made before (nothing more to do)."""
    mine = [m for m in loyalty.for_tab(uow, tab.tab_id) if m.reference == reference]
    if any(m.kind == GIVE_BACK for m in mine):
        return False
    taken = -sum(m.points for m in mine if m.kind == "take_back")
    if taken > 0:
        customer_id = mine[0].customer_id
        move(uow, customer_id, GIVE_BACK, taken, tab_id=tab.tab_id, reference=reference)
        rewards = _rewards_back(uow, customer_id, tab, reference)
        emit(
            uow,
            "loyalty.given_back",
            customer_id,
            {"tab_id": tab.tab_id, "points": taken, **told, "rewards": rewards},
        )
    return True


def _rewards_back(uow: UnitOfWork, customer_id: str, tab: Tab, reference: str) -> list[str]:
    """The rewards the take-back ``reference`` voided, available again while
    the points given back hold their cost and they have not lapsed; their ids."""
    now = uow.clock.now()
    held = loyalty.balance(uow, customer_id)
    back: list[str] = []
    for reward_id in loyalty.restored_by(uow, tab.tab_id, reference):
        reward = loyalty.reward(uow, reward_id)
        if reward is None or reward.cost > held or lapsed(reward.expires_at, now):
            continue
        if loyalty.unvoid(uow, reward_id):
            move(uow, customer_id, "convert", -reward.cost, reward_id=reward_id)
            held -= reward.cost
            back.append(reward_id)
    return back


def lapsed(expires_at: datetime | None, now: datetime) -> bool:
    return expires_at is not None and as_utc(expires_at) <= now


def _taken(moves: list[LoyaltyTransaction]) -> rules.Taken:
    return rules.taken_so_far((m.kind, m.points, m.reference) for m in moves)


def _take_back(
    uow: UnitOfWork, tab: Tab, customer_id: str, owed: int, reference: str, about: dict[str, Any]
) -> None:
    """Take ``owed`` back from the customer, never below what they hold."""
    held = loyalty.balance(uow, customer_id)
    if held < owed:
        # The stamps became a reward not yet used: the reward goes, its cost comes back.
        for reward in loyalty.rewards_of(uow, customer_id, status=loyalty.AVAILABLE):
            if held >= owed:
                break
            if reward.source == "loyalty" and reward.cost and loyalty.void(uow, reward.reward_id):
                # Named with the tab and the take-back, so a dispute won after
                # its loss gives back this reward, not its points (``tab_won_back``).
                move(
                    uow,
                    customer_id,
                    "restore",
                    reward.cost,
                    reward_id=reward.reward_id,
                    tab_id=tab.tab_id,
                    reference=reference,
                )
                held += reward.cost
                emit(uow, "loyalty.reward_voided", reward.reward_id, {"customer_id": customer_id})
    taken = rules.take_back(held, owed)
    if taken:
        move(uow, customer_id, "take_back", -taken, tab_id=tab.tab_id, reference=reference)
        emit(
            uow,
            "loyalty.taken_back",
            customer_id,
            {"tab_id": tab.tab_id, "points": taken, **about},
        )


def _undone(uow: UnitOfWork, tab: Tab, paid_for: int) -> None:
    """The referral's half: a friend's first visit may have come to nothing."""
    if paid_for > 0:
        return  # still paid for something, the common case: nothing to read
    if "referral" in (get_merchant(uow).policy or {}):
        from servefirst.loyalty import referrals  # the referral half; it builds on this one

        referrals.first_visit_undone(uow, tab, paid_for=paid_for)
