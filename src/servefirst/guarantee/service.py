"""Raising and resolving concerns."""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import exists, func, select

from servefirst.customers.service import (
    get_customer,
    lock_customer_credit,
    record_history,
    trust_of,
)
from servefirst.db.uow import UnitOfWork
from servefirst.events.service import emit
from servefirst.guarantee import decision_words as words
from servefirst.guarantee.models import Concern
from servefirst.guarantee.rules import (
    ConcernStatus,
    GuaranteePolicy,
    Remedy,
    decide,
    requested_amount,
)
from servefirst.kit.errors import Conflict, InvalidRequest, NotFound, ServefirstError
from servefirst.kit.ids import new_id
from servefirst.ledger import service as ledger
from servefirst.ledger.rules import Account, EntryBuilder, EntryKind, Side
from servefirst.merchants.service import get_merchant
from servefirst.tabs import read_repository as tabs
from servefirst.tabs.rules import UNPAID, Bill, TabStatus, status_after_payment
from servefirst.tabs.service import bill_of, lock_tab, settle, tab_for_token
from servefirst.taxes import service as taxes

if TYPE_CHECKING:
    from servefirst.tabs.models import Tab


def raise_concern(
    uow: UnitOfWork,
    token: str,
    *,
    reason: str,
    remedy: str,
    amount: int | None,
    concerns_seen: int | None = None,
) -> Concern:
    """``concerns_seen``: how many concerns the customer's page showed; one
    raised since (the form sent twice, or again after the back button) is
    refused rather than raised, and discounted, a second time."""
    tab = tab_for_token(uow, token, lock=True)
    if concerns_seen is not None and len(concerns_of(uow, tab.tab_id)) != concerns_seen:
        raise Conflict(
            "A concern was raised on this tab since the page was shown; it is listed there.",
            code="concern_raised_since",
        )
    if TabStatus(tab.status) not in UNPAID:
        raise Conflict(
            f"This tab is {tab.status}; concerns are raised before paying.",
            code="tab_state_invalid",
        )
    if tab.line_count == 0:
        raise Conflict(
            "There is nothing on this tab yet to raise a concern about.", code="tab_empty"
        )
    chosen = Remedy(remedy)
    bill = bill_of(tab)
    try:
        asked = requested_amount(chosen, amount, bill.due)
    except ServefirstError as refused:
        refused.figures.setdefault("currency", tab.currency)  # for the page's words
        raise
    if chosen is not Remedy.REDO and bill.due <= 0:
        raise Conflict("Nothing is owed on this tab.", code="nothing_to_pay")
    policy = GuaranteePolicy.from_policy(get_merchant(uow).policy)
    if policy.claim_limit is not None:
        # Two concerns of one customer on two tabs at once must not both slip
        # under the claim limit: queue them on the customer (after the tab lock,
        # the same order adding a line uses).
        lock_customer_credit(uow, tab.customer_id)
    decision = decide(
        chosen,
        asked,
        bill.total,
        tab.currency,
        policy,
        already_granted=bill.adjustments,
        tier=trust_of(uow, get_customer(uow, tab.customer_id)).tier.value,
        approved_claims=approved_claims(uow, tab.customer_id, days=policy.claim_period_days),
    )
    concern = Concern(
        merchant_id=uow.merchant,
        concern_id=new_id("con"),
        tab_id=tab.tab_id,
        reason=reason,
        remedy=chosen.value,
        requested_amount=asked if chosen is not Remedy.REDO else None,
        approved_amount=0,
        status=decision.status.value,
        decision=decision.reason,
        unfounded=False,
        created_at=uow.clock.now(),
        resolved_at=uow.clock.now() if decision.status is not ConcernStatus.PENDING else None,
    )
    uow.session.add(concern)
    uow.session.flush()
    emit(
        uow,
        "concern.raised",
        concern.concern_id,
        {"tab_id": tab.tab_id, "remedy": chosen.value, "status": decision.status.value},
    )
    if decision.amount:
        _grant(uow, tab, concern, decision.amount)
    return concern


def resolve(
    uow: UnitOfWork,
    tab_id: str,
    concern_id: str,
    *,
    decision: str,
    amount: int | None = None,
    reason: str | None = None,
    unfounded: bool = False,
) -> Concern:
    tab = lock_tab(uow, tab_id)
    concern = get_concern(uow, tab_id, concern_id)
    if concern.status != ConcernStatus.PENDING:
        raise Conflict(f"This concern is already {concern.status}.", code="concern_resolved")
    now = uow.clock.now()
    concern.resolved_at = now
    if decision == "reject":
        concern.status = ConcernStatus.REJECTED.value
        concern.decision = reason or words.STAFF_KEPT_THE_BILL
        concern.unfounded = unfounded
        if unfounded:
            # Only a concern staff call unfounded counts against trust.
            record_history(uow, tab.customer_id, "rejected_concerns")
        uow.session.flush()
        emit(uow, "concern.rejected", concern.concern_id, {"tab_id": tab_id})
        return concern
    if decision != "approve":
        raise InvalidRequest("decision must be 'approve' or 'reject'.", param="decision")
    if TabStatus(tab.status) not in UNPAID:
        raise Conflict(
            f"This tab is {tab.status}; its bill can no longer change.", code="tab_state_invalid"
        )
    due = bill_of(tab).due
    granted = amount if amount is not None else (concern.requested_amount or 0)
    if concern.remedy == Remedy.WAIVE and amount is None:
        granted = due
    if granted < 0 or granted > due:
        raise InvalidRequest(
            f"amount must be between 0 and the {due} still owed.",
            code="amount_exceeds_due",
            param="amount",
            figures={"discount": granted, "due": due, "currency": tab.currency},
        )
    concern.status = ConcernStatus.APPROVED.value
    concern.decision = reason or words.STAFF_APPROVED
    uow.session.flush()
    emit(uow, "concern.approved", concern.concern_id, {"tab_id": tab_id, "amount": granted})
    if granted:
        _grant(uow, tab, concern, granted)
    return concern


def _grant(uow: UnitOfWork, tab: Tab, concern: Concern, amount: int) -> None:
    """Take ``amount`` off the bill: contra-revenue up, receivable down."""
    concern.approved_amount += amount
    adjustments = tab.adjustments + amount
    # The tax in the discount goes back in proportion to each rate.
    tax = taxes.for_reduction(tab, amount)
    tax_back = -taxes.tax_part(tax)
    entry_id = ledger.post(
        uow,
        EntryBuilder(
            EntryKind.ADJUSTMENT,
            tab.currency,
            memo=f"guarantee: {concern.remedy}",
            tab_id=tab.tab_id,
        )
        .leg(Account.SATISFACTION_ADJUSTMENTS, Side.DEBIT, amount - tax_back)
        .leg(Account.TAX_PAYABLE, Side.DEBIT, tax_back)
        .credit(Account.RECEIVABLES, amount)
        .build(),
    )
    taxes.record(uow, tab, entry_id, tax)
    # The tab's discount is written once, with its closing if it covers the bill.
    after = Bill(tab.subtotal, adjustments, tab.paid, tab.deposit_applied)
    if status_after_payment(tab.status, after).value != tab.status:
        settle(uow, tab, adjustments=adjustments)
    else:
        uow.tabs.write(tab, adjustments=adjustments)
    uow.session.flush()


def approved_claims(uow: UnitOfWork, customer_id: str, *, days: int) -> int:
    """The customer's claims approved (at once or by staff) in the last ``days`` days."""
    since = uow.clock.now() - timedelta(days=days)
    return int(
        uow.session.scalar(
            select(func.count())
            .select_from(Concern)
            .where(
                Concern.merchant_id == uow.merchant,
                Concern.tab_id.in_(tabs.tab_ids_of_customer(uow, customer_id)),
                Concern.status == ConcernStatus.APPROVED.value,
                Concern.resolved_at >= since,
            )
        )
        or 0
    )


def adjustments_by_remedy(uow: UnitOfWork) -> dict[str, dict[str, int]]:
    """Approved concerns and the discounts they gave, per remedy (a redo gives
    none: the service is done again). The amounts add up to what the discounts
    took off receivables: the ledger's satisfaction_adjustments balance, plus
    the tax they took back from tax_payable when the bills were taxed."""
    found = {
        remedy: (int(count), int(amount))
        for remedy, count, amount in uow.session.execute(
            select(
                Concern.remedy, func.count(), func.coalesce(func.sum(Concern.approved_amount), 0)
            )
            .where(
                Concern.merchant_id == uow.merchant,
                Concern.status == ConcernStatus.APPROVED.value,
            )
            .group_by(Concern.remedy)
        )
    }
    return {
        r.value: {
            "concerns": found.get(r.value, (0, 0))[0],
            "amount": found.get(r.value, (0, 0))[1],
        }
        for r in Remedy
    }


def policy_of(uow: UnitOfWork) -> GuaranteePolicy:
    return GuaranteePolicy.from_policy(get_merchant(uow).policy)


def set_policy(uow: UnitOfWork, changes: dict[str, Any]) -> GuaranteePolicy:
    """Change some fields of the merchant's guarantee policy; the rest stay."""
    merchant = get_merchant(uow)
    policy = GuaranteePolicy.from_policy(merchant.policy).updated(changes)
    # A new dict: the JSON column notices reassignment, not mutation.
    merchant.policy = {**(merchant.policy or {}), "guarantee": policy.as_dict()}
    uow.session.flush()
    emit(uow, "guarantee_policy.updated", merchant.merchant_id, policy.as_dict())
    return policy


def get_concern(uow: UnitOfWork, tab_id: str, concern_id: str) -> Concern:
    concern = uow.session.scalar(
        select(Concern).where(
            Concern.merchant_id == uow.merchant,
            Concern.concern_id == concern_id,
            Concern.tab_id == tab_id,
        )
    )
    if concern is None:
        raise NotFound(f"No such concern on this tab: '{concern_id}'.", param="concern_id")
    return concern


def concerns_of(uow: UnitOfWork, tab_id: str) -> list[Concern]:
    return list(
        uow.session.scalars(
            select(Concern)
            .where(Concern.merchant_id == uow.merchant, Concern.tab_id == tab_id)
            .order_by(Concern.created_at, Concern.concern_id)
        )
    )


def concern_raised(uow: UnitOfWork, tab_id: str) -> bool:
    """Whether a concern was ever raised on the tab (whatever became of it)."""
    return bool(
        uow.session.scalar(
            select(exists().where(Concern.merchant_id == uow.merchant, Concern.tab_id == tab_id))
        )
    )


def tabs_with_a_concern(uow: UnitOfWork, tab_ids: Collection[str]) -> set[str]:
    """Which of these tabs had a concern raised on them (whatever became of it)."""
    if not tab_ids:
        return set()
    return set(
        uow.session.scalars(
            select(Concern.tab_id).where(
                Concern.merchant_id == uow.merchant, Concern.tab_id.in_(tab_ids)
            )
        )
    )


def concerns_awaiting_staff(uow: UnitOfWork, *, limit: int) -> list[Concern]:
    """The concerns waiting for staff to decide, oldest first."""
    return list(
        uow.session.scalars(
            select(Concern)
            .where(
                Concern.merchant_id == uow.merchant,
                Concern.status == ConcernStatus.PENDING.value,
            )
            .order_by(Concern.created_at)
            .limit(limit)
        )
    )
