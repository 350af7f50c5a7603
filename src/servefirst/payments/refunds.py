"""Giving money back from a payment: recorded for cash and the terminal,
through the processor for a card, in phases (DESIGN.md, "A payment in phases").

    begin_refund      (1) lock the tab, check what is left, commit a pending refund
    ask_processor     (2) the processor, outside any transaction, keyed by the refund's id
    finish_refund     (3) the outcome, its journal entry, the tab's totals, the event

Money staff hand back themselves (cash, their own terminal) needs no processor:
``begin_refund`` finishes it in its one transaction. A refund left pending by a
crash between (1) and (3) is finished by ``refund_recovery``, which looks for it
at the processor under its key first, and asks again with the same key only if
none was made: the processor answers the first refund, never makes a second one.
A request sent again under the same ``Idempotency-Key`` finds the refund its
first try began (``begun_before``) and looks for it at the processor the same way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from servefirst.db.uow import UnitOfWork
from servefirst.events.service import emit
from servefirst.kit.errors import CardDeclined, ServefirstError
from servefirst.kit.ids import new_id
from servefirst.kit.money import Money
from servefirst.ledger import service as ledger
from servefirst.ledger.rules import Account, EntryBuilder, EntryKind, Side
from servefirst.loyalty import service as loyalty
from servefirst.payments.dispute_repository import DisputeRepository
from servefirst.payments.dispute_rules import ensure_not_under_dispute
from servefirst.payments.gateway_choice import gateway_named, loaded_gateway_named
from servefirst.payments.gateways import Gateway, Gateways, RefundResult
from servefirst.payments.refund_models import Refund
from servefirst.payments.refund_repository import RefundRepository
from servefirst.payments.refund_rules import (
    # The codes of a processor not reached and of a refused key, kept in the
    # rules (not from ``stripe_gateway``, which brings the Stripe library).
    KEY_REUSED,
    MADE_AT_PROCESSOR,
    UNREACHABLE,
    Refundable,
    RefundStatus,
    clean_reason,
    ensure_nothing_refunded_since,
    refund_parts,
    why_still_pending,
)
from servefirst.payments.service import ACCOUNT_FOR, Method
from servefirst.taxes import service as taxes

log = logging.getLogger("servefirst.payments")


def refund_id_for(processor_key: str | None) -> str:
    """The refund's id: from the request's idempotency key when it has one
    (a retry after a crash finds the refund it began), else a new one."""
    if processor_key is None:
        return new_id("re")
    return "re_" + processor_key.removeprefix("idem_")[:32]


def begun_before(uow: UnitOfWork, refund_id: str | None) -> bool:
    """Whether a request's refund (its id from the request's key) was begun by
    an earlier try under the same key, which died before the processor's
    answer was kept: the processor may have made it, and may have forgotten
    the key since (Stripe does after 24 hours), so it is looked for there
    before it is ever sent again (``ask_processor(asked_before=True)``)."""
    return refund_id is not None and RefundRepository(uow).get(refund_id) is not None


def begin_refund(
    uow: UnitOfWork,
    payment_id: str,
    *,
    amount: int | None,
    tip: int | None,
    reason: str,
    refund_id: str | None = None,
    refunds_seen: int | None = None,
) -> Refund:
    """Phase (1): the refund, committed ``pending`` when a processor must be
    asked; a recorded refund (cash, terminal) comes back ``succeeded``.
    ``refunds_seen``: how many refunds of the payment the console's page
    showed (its refund form), compared once the tab is held."""
    refunds = RefundRepository(uow)
    payment = refunds.payment(payment_id)
    if refund_id is not None:
        began = refunds.get(refund_id)
        if began is not None:  # the same request again, after a crash
            return began
    words = clean_reason(reason)
    recorded = payment.gateway == "manual"
    if not recorded:
        # Only the processor that took the money can give it back: with its
        # keys gone (the merchant switched back to the sandbox), refused
        # here, before anything is kept.
        gateway_named(uow.gateways, payment.gateway, uow)
    tab = uow.tabs.lock(payment.tab_id)  # one refund of a tab at a time
    if refunds_seen is not None:
        # Counted with the tab held: the same form sent at the same moment
        # has either committed its refund (counted here) or waits for us.
        ensure_nothing_refunded_since(refunds_seen, len(refunds.of_payment(payment_id)))
    left = Refundable.of(payment.amount, payment.tip, refunds.taken(payment_id))
    try:
        # Read with the tab held, as marking a dispute lost holds it: the
        # bank's money is never given back a second time by us.
        ensure_not_under_dispute(DisputeRepository(uow).of_payment(payment_id))
        part, tip_part = refund_parts(left, amount, tip, payment_status=payment.status)
    except ServefirstError as refused:
        refused.figures.setdefault("currency", tab.currency)  # for the page's words
        raise
    refund = refunds.add(
        {
            "merchant_id": uow.merchant,
            "refund_id": refund_id or new_id("re"),
            "payment_id": payment.payment_id,
            "tab_id": tab.tab_id,
            "method": payment.method,
            "gateway": payment.gateway,
            "amount": part,
            "tip": tip_part,
            "status": RefundStatus.PENDING.value,
            "reason": words,
            "gateway_reference": None,
            "failure_code": None,
            "created_at": uow.clock.now(),
            "settled_at": None,
            "entry_id": None,
        }
    )
    if recorded:  # staff handed it back: the manual gateway records it, no network
        answer = ask_processor(uow.gateways, refund, payment.gateway_reference or "", tab.currency)
        return finish_refund(uow, refund.refund_id, answer)
    return refund


def ask_processor(
    gateways: Gateways,
    refund: Refund,
    charge_reference: str,
    currency: str,
    *,
    asked_before: bool = False,
) -> RefundResult:
    """Phase (2): no database here. The refund's id is the processor's key.

    A processor that cannot be reached leaves the refund ``pending``, which
    is what it is: the call may have got through, and recovery asks again
    with the same key. Reported as failed, it would invite a second refund
    that recovery's answer to the first would then double."""
    gateway = loaded_gateway_named(gateways, refund.gateway, refund.merchant_id)
    return refund_at(
        gateway,
        charge_reference,
        Money(refund.amount + refund.tip, currency),
        key=refund.refund_id,
        reason=refund.reason,
        asked_before=asked_before,
    )


def refund_at(
    gateway: Gateway,
    charge_reference: str,
    amount: Money,
    *,
    key: str,
    reason: str,
    asked_before: bool = False,
) -> RefundResult:
    """The processor asked to refund ``amount`` of a charge under ``key``
    (a payment's refund, a booking's deposit): a refusal is a failed result,
    a processor that cannot be reached a pending one (asked again, same key).

    ``asked_before`` (recovery, a request tried again): the processor is first asked what it made
    under the key, and the refund sent again only when it made none: the
    parameters built again today need not be the first call's, which Stripe
    refuses under the same key. If it refuses anyway, the refund stays
    pending, its ``failure_code`` saying why (``KEY_REUSED``, kept by
    ``finish_refund``), asked again."""
    try:
        found = gateway.find_refund(charge_reference, key) if asked_before else None
        if found is not None:
            return found
        return gateway.refund(charge_reference, amount, idempotency_key=key, reason=reason)
    except CardDeclined as refused:
        return RefundResult(
            reference="", status=RefundStatus.FAILED.value, failure_code=refused.code
        )
    except ServefirstError as unanswered:
        if unanswered.code not in (UNREACHABLE, KEY_REUSED):
            raise
        if unanswered.code == KEY_REUSED:
            log.warning("refund %s left pending: %s", key, unanswered.message)
        return RefundResult(
            reference="", status=RefundStatus.PENDING.value, failure_code=unanswered.code
        )


def finish_refund(uow: UnitOfWork, refund_id: str, result: RefundResult) -> Refund:
    """Phase (3): the processor's answer kept; a succeeded refund moves the
    ledger and the tab's refunded totals. Asked twice, the second changes nothing."""
    refunds = RefundRepository(uow)
    refund = refunds.get(refund_id)
    if refund is None:
        raise LookupError(refund_id)
    tab = uow.tabs.lock(refund.tab_id)
    # Read again with the tab held: Stripe may have told us meanwhile that
    # the refund failed (``refund_reversals``); its answer is not overwritten.
    refund = refunds.held(refund_id) or refund
    if refund.status != RefundStatus.PENDING.value:
        return refund
    if result.status == RefundStatus.PENDING.value:
        # Still pending; a key the processor refused is kept as why (the
        # console says the refund is held up), cleared once it answers otherwise.
        why = why_still_pending(refund.failure_code, result.failure_code)
        if why != refund.failure_code:
            refunds.note_why_pending(refund, why)
        return refund
    outcome = {
        "status": result.status,
        "gateway_reference": result.reference or None,
        "failure_code": result.failure_code,
        "settled_at": uow.clock.now(),
    }
    if result.status != RefundStatus.SUCCEEDED.value:
        refunds.settle(refund, **outcome)
        emit(uow, "refund.failed", refund.refund_id, _event(refund))
        return refund
    # The tax in the bill's part goes back in proportion to each rate.
    tax = taxes.for_reduction(tab, refund.amount)
    tax_back = -taxes.tax_part(tax)
    entry_id = ledger.post(
        uow,
        EntryBuilder(
            EntryKind.REFUND, tab.currency, memo=f"{refund.method} refund", tab_id=tab.tab_id
        )
        .leg(Account.REFUNDS, Side.DEBIT, refund.amount - tax_back)
        .leg(Account.TAX_PAYABLE, Side.DEBIT, tax_back)
        .debit(Account.TIPS_PAYABLE, refund.tip)
        .credit(ACCOUNT_FOR[Method(refund.method)], refund.amount + refund.tip)
        .build(),
    )
    taxes.record(uow, tab, entry_id, tax)
    # Settled with its entry in one UPDATE: a receipt reads what the entry
    # moved per rate, never a split worked out again later.
    refunds.settle(refund, **outcome, entry_id=entry_id)
    # The tab keeps what was paid (a paid tab stays paid) and says what went back.
    uow.tabs.write(
        tab,
        refunded=tab.refunded + refund.amount,
        tips_refunded=tab.tips_refunded + refund.tip,
    )
    loyalty.tab_refunded(uow, tab, refund_id=refund.refund_id)
    emit(uow, "refund.succeeded", refund.refund_id, _event(refund))
    return refund


def refund_in_phases(
    uow: UnitOfWork,
    payment_id: str,
    *,
    amount: int | None,
    tip: int | None,
    reason: str,
    refunds_seen: int | None = None,
) -> Refund:
    """All three phases, for a caller already off the event loop (a console
    form, a command): commits the pending refund before the processor is
    asked, and a refused refund before it is reported (``CardDeclined``).
    The caller commits the last phase."""
    refund = begin_refund(
        uow, payment_id, amount=amount, tip=tip, reason=reason, refunds_seen=refunds_seen
    )
    if refund.status == RefundStatus.PENDING.value:
        charge, currency = charge_of(uow, refund)
        uow.commit()
        result = ask_processor(uow.gateways, refund, charge, currency)
        refund = finish_refund(uow, refund.refund_id, result)
    if refund.status == RefundStatus.FAILED.value:
        uow.commit()
        raise refused(refund)
    return refund


def refused(refund: Refund) -> CardDeclined:
    """The error that reports a refund the processor refused (kept, failed)."""
    return CardDeclined(
        "The processor refused the refund"
        + (f" ({refund.failure_code})." if refund.failure_code else "."),
        code="refund_failed",
        details={"refund_id": refund.refund_id},
    )


def charge_of(uow: UnitOfWork, refund: Refund) -> tuple[str, str]:
    """(the processor's reference of the refunded charge, the currency).
    Makes sure the processor that took the payment can be asked (the
    merchant's Stripe client, for ``ask_processor``): 409
    ``gateway_unavailable`` when its keys are gone."""
    payment = RefundRepository(uow).payment(refund.payment_id)
    tab = uow.tabs.get(refund.tab_id)
    gateway_named(uow.gateways, refund.gateway, uow)
    return payment.gateway_reference or "", tab.currency


def refunds_of(uow: UnitOfWork, payment_id: str) -> list[Refund]:
    refunds = RefundRepository(uow)
    refunds.payment(payment_id)  # 404 for an unknown payment
    return refunds.of_payment(payment_id)


def given_back_on(uow: UnitOfWork, payment_ids: list[str]) -> list[Refund]:
    """What was given back from a tab's payments, refund by refund, in the
    order booked (a receipt's part below the sale)."""
    return RefundRepository(uow).succeeded_of(payment_ids)


@dataclass(frozen=True)
class GivenBack:
    """A refund that gave money back, as its customer is told of it (the
    refund e-mail, ``messages``)."""

    refund_id: str
    tab_id: str
    amount: int  # of the bill
    tip: int
    method: str  # the payment's: cash, card_terminal, card or card_hold
    #: Back through the processor to the card it was charged on (not handed
    #: back by staff in cash or at their own terminal).
    to_card: bool
    card_last4: str | None
    #: Why, in the words of who refunded; None for a refund made in the
    #: processor's dashboard, whose kept reason only says where it was made.
    reason: str | None
    at: datetime


def given_back(uow: UnitOfWork, refund_id: str) -> GivenBack | None:
    """The refund, if it gave money back: never a pending or a failed one."""
    refunds = RefundRepository(uow)
    refund = refunds.get(refund_id)
    if refund is None or refund.status != RefundStatus.SUCCEEDED.value:
        return None
    payment = refunds.payment(refund.payment_id)
    return GivenBack(
        refund_id=refund.refund_id,
        tab_id=refund.tab_id,
        amount=refund.amount,
        tip=refund.tip,
        method=refund.method,
        to_card=refund.gateway != "manual",
        card_last4=payment.card_last4,
        reason=None if refund.reason == MADE_AT_PROCESSOR else refund.reason,
        at=refund.settled_at or refund.created_at,
    )


def refunded_by_method(uow: UnitOfWork) -> dict[str, tuple[int, int]]:
    return RefundRepository(uow).refunded_by_method()


def returned_by_method(uow: UnitOfWork) -> dict[str, tuple[int, int]]:
    """method -> (amount, tip) of refunds that went through and then failed
    (``refund_reversals``): back with the business by a reversing entry."""
    return RefundRepository(uow).returned_by_method()


def _event(refund: Refund) -> dict[str, object]:
    return {
        "payment_id": refund.payment_id,
        "tab_id": refund.tab_id,
        "amount": refund.amount,
        "tip": refund.tip,
        "method": refund.method,
        "status": refund.status,
    }
