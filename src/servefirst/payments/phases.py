"""A card payment in three phases, so no processor call runs inside a
database transaction (DESIGN.md, "A payment in phases").

1. ``begin``: the attempt is kept ``pending`` with the processor's
   idempotency key, and the tab marked as waiting for it; committed.
2. ``call_processor``: the charge, with no transaction open (a request runs
   it in a worker thread, off the server's event loop).
3. ``finish``: the outcome, and for a success the journal entry, the events
   and the tab's new totals; one transaction.

While an attempt is pending no other payment is taken on its tab (409
``payment_in_progress``): the tab row says so, so the payments that never
wait on a processor pay nothing to check it. A crash between the phases
leaves a pending attempt that ``recovery`` finishes by asking the processor
what became of it, never by charging again. A retry of the request that
began it (same ``Idempotency-Key``) carries the attempt on, or gets its
outcome; only an attempt the processor never charged (``not_charged``) is no
answer, and the retry makes the next attempt, under a processor key of its
own (``attempt_rules``).

A payment taken from the tab's card hold (``card_hold``) runs the same
phases: phase 2 captures the hold (first holding the total anew when the hold
is too small or lapsed), and phase 3 closes the hold beside the payment.
Its retry after recovery found nothing captured is the same: the next
attempt captures the hold (or holds anew) under keys made from its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, cast

from servefirst.bookings.holds import close_captured_hold, hold_to_take, needs_new_hold
from servefirst.kit.errors import CardDeclined, InvalidRequest, PaymentInProgress
from servefirst.kit.ids import new_id
from servefirst.kit.money import Money
from servefirst.payments import attempt_rules
from servefirst.payments.attempt_rules import NOT_CHARGED
from servefirst.payments.gateway_choice import gateway_named
from servefirst.payments.gateways import Authorization, CardGateway, Charge
from servefirst.payments.posting import Method, post_payment
from servefirst.tabs.service import bill_of, settle

if TYPE_CHECKING:
    from servefirst.db.uow import UnitOfWork
    from servefirst.payments.gateways import Gateway, Gateways
    from servefirst.payments.models import Payment
    from servefirst.tabs.models import Tab


@dataclass(frozen=True)
class CardAttempt:
    """A card payment kept pending (phase 1), with what phase 2 needs."""

    payment_id: str
    tab_id: str
    amount: int
    tip: int
    currency: str
    card: str | None
    processor_key: str
    #: With a Stripe merchant: the PaymentMethod Stripe.js made (never a card number).
    payment_method: str | None = None
    #: The merchant's gateway, chosen in phase 1 (None: the sandbox).
    gateway: Gateway | None = None
    #: A payment taken from the tab's card hold: that hold, and when phase 1 ran.
    hold: Authorization | None = None
    began_at: datetime | None = None


def ensure_card_for(gateway: Gateway, *, card: str | None, payment_method: str | None) -> None:
    """What identifies the card is what the merchant's gateway takes: a test
    card number for the sandbox; a PaymentMethod id for Stripe, whose
    merchants never send us a card number (422, before anything is kept)."""
    if gateway.name == "stripe":
        if card:
            raise InvalidRequest(
                "This merchant takes cards through Stripe: send `payment_method` (made by "
                "Stripe.js), never a card number.",
                param="card",
            )
        if not payment_method:
            raise InvalidRequest(
                "A card payment needs `payment_method` (made by Stripe.js).",
                code="parameter_missing",
                param="payment_method",
            )
    elif not card and not payment_method:
        raise InvalidRequest(
            "A card payment needs the card number.", code="parameter_missing", param="card"
        )


def begin(
    uow: UnitOfWork,
    tab: Tab,
    *,
    amount: int,
    tip: int,
    card: str | None,
    processor_key: str | None,
    payment_method: str | None = None,
    gateway: Gateway | None = None,
    hold: Authorization | None = None,
) -> CardAttempt:
    """Phase 1, on the locked ``tab``, once the payment is known to be allowed:
    keep the attempt and commit. With ``hold``: a payment taken from it."""
    payment_id = new_id("pay")
    key = processor_key or payment_id
    began_at = uow.clock.now()
    uow.tabs.add_payment(
        {
            "merchant_id": uow.merchant,
            "payment_id": payment_id,
            "tab_id": tab.tab_id,
            "method": (Method.CARD_HOLD if hold is not None else Method.CARD).value,
            "gateway": (gateway or uow.gateways.sandbox).name,
            "amount": amount,
            "tip": tip,
            "status": "pending",
            "card_last4": None,
            "gateway_reference": None,
            "failure_code": None,
            "processor_key": key,
            "created_at": began_at,
        },
    )
    uow.tabs.write(tab, pending_payment_id=payment_id)
    uow.commit()
    return CardAttempt(
        payment_id,
        tab.tab_id,
        amount,
        tip,
        tab.currency,
        card,
        key,
        payment_method,
        gateway,
        hold,
        began_at,
    )


def resume(
    uow: UnitOfWork,
    tab: Tab,
    *,
    card: str | None,
    processor_key: str | None,
    payment_method: str | None = None,
) -> CardAttempt:
    """Phase 1 when ``tab`` already waits on an attempt: a retry of the very
    request that began it (same ``Idempotency-Key``, so a processor key made
    from the same: ``attempt_rules``) carries on with it, under the attempt's
    own key; anyone else is refused until it is finished."""
    attempt = uow.tabs.payment(tab.pending_payment_id or "")
    from_hold = attempt.method == Method.CARD_HOLD.value
    if (
        processor_key is None
        or attempt.processor_key is None
        or attempt_rules.attempt_number(processor_key, attempt.processor_key) is None
        or not (card or payment_method or from_hold)
    ):
        raise PaymentInProgress(
            "Another payment on this tab is waiting for the card processor's answer."
            " Try again in a moment.",
        )
    resumed = CardAttempt(
        attempt.payment_id,
        tab.tab_id,
        attempt.amount,
        attempt.tip,
        tab.currency,
        card,
        attempt.processor_key,
        payment_method,
        gateway_named(uow.gateways, attempt.gateway, uow),
        hold_to_take(uow, tab) if from_hold else None,
        attempt.created_at,
    )
    # The processor is asked again: recovery must not find "not charged" and
    # fail the attempt while this charge is on its way, so it counts its grace
    # from now (``record_recovered``). What the call needs was read first (a
    # read after the commit would open a transaction the processor is then
    # called inside), and the tab's lock is given back before the call.
    uow.tabs.mark_asked(attempt, uow.clock.now())
    uow.commit()
    return resumed


def retry_meets(uow: UnitOfWork, tab: Tab, request_key: str) -> Payment | str:
    """What a card payment request under ``request_key`` (the processor key
    its ``Idempotency-Key`` gives) meets on the locked ``tab``, which waits on
    no attempt. A retry whose attempt was finished without it (by recovery,
    after a crash; or by itself, its answer lost) gets that attempt's outcome,
    a decline raised again: a new attempt under the same key would be answered
    by the processor with the same charge, and booked twice. Otherwise the
    processor key of the attempt to make now: the request's own for its first;
    after an attempt the processor never charged (``not_charged``), a key of
    the next attempt's own (``attempt_rules``)."""
    met = attempt_rules.retry_meets(request_key, uow.tabs.attempts_under(tab.tab_id, request_key))
    if isinstance(met, str):
        return met
    if met.status == "failed":
        raise CardDeclined(
            "The card was not charged.", code=met.failure_code or NOT_CHARGED, param="card"
        )
    return met


def call_processor(gateways: Gateways, attempt: CardAttempt) -> Charge | CardDeclined:
    """Phase 2: the charge, with no database transaction open. A decline is
    an outcome like a charge; anything else (the processor unreachable)
    raises, and the attempt stays pending for recovery."""
    money = Money(attempt.amount + attempt.tip, attempt.currency)
    gateway = attempt.gateway or gateways.sandbox
    try:
        if attempt.hold is not None:
            return _take_from_hold(cast(CardGateway, gateway), attempt, attempt.hold, money)
        # A PaymentMethod id only where there is one (Stripe's): a gateway
        # that takes card numbers is called as it always was.
        by_id = {"payment_method": attempt.payment_method} if attempt.payment_method else {}
        return gateway.charge(
            money, card=attempt.card, idempotency_key=attempt.processor_key, **by_id
        )
    except CardDeclined as declined:
        return declined


def _take_from_hold(
    gateway: CardGateway, attempt: CardAttempt, held: Authorization, money: Money
) -> Charge:
    """Phase 2 of a payment from the hold: capture it for the total, first
    holding the total anew on the same saved card if the hold cannot take it.
    Both calls carry keys made from the attempt's, stored before the call."""
    at = attempt.began_at or held.expires_at
    if needs_new_hold(held, money.amount, at):
        held = gateway.authorize(
            money,
            payment_method=held.payment_method,
            customer=held.customer,
            idempotency_key=f"{attempt.processor_key}_hold",
            now=at,
        )
    return gateway.capture(held, money, idempotency_key=attempt.processor_key, now=at)


def finish(uow: UnitOfWork, attempt: CardAttempt, outcome: Charge | CardDeclined) -> Payment:
    """Phase 3 for the request that made the attempt. A decline is kept as a
    failed attempt (committed here) and raised; a success is left for the
    request's own commit, with its answer."""
    payment = record_outcome(uow, attempt.tab_id, attempt.payment_id, outcome)
    if payment.status == "pending":
        return payment  # 3-D Secure: the card's holder confirms; the processor's event books it
    if payment.status == "failed":
        uow.commit()
        if isinstance(outcome, CardDeclined):
            raise outcome
        raise CardDeclined("The card was not charged.", code=payment.failure_code or NOT_CHARGED)
    return payment


def record_recovered(
    uow: UnitOfWork,
    tab_id: str,
    payment_id: str,
    outcome: Charge | None,
    *,
    asked_at: datetime | None,
) -> Payment | None:
    """Recovery's write of what the processor said, unless a retry asked the
    processor again under the attempt's key since recovery read it (its
    ``asked_at`` moved): that charge may still be on its way, so the attempt
    is left for a later round (None). The caller commits."""
    uow.tabs.lock(tab_id)
    if uow.tabs.payment(payment_id).asked_at != asked_at:
        return None
    return record_outcome(uow, tab_id, payment_id, outcome)


def record_outcome(
    uow: UnitOfWork, tab_id: str, payment_id: str, outcome: Charge | CardDeclined | None
) -> Payment:
    """Write the attempt's outcome (``None``: the processor made no charge) on
    the locked tab; the caller commits. An attempt already finished (by
    recovery, or by the request while recovery asked) keeps its outcome."""
    tab = uow.tabs.lock(tab_id)
    payment = uow.tabs.payment(payment_id)
    if payment.status != "pending":
        return payment
    if isinstance(outcome, Charge) and outcome.status == "pending":
        # The card asks its holder to confirm (3-D Secure). The tab is free
        # again meanwhile: another way to pay is not held up by an abandoned check.
        uow.tabs.write_payment(
            payment, card_last4=outcome.card_last4, gateway_reference=outcome.reference
        )
        uow.tabs.write(tab, pending_payment_id=None)
        payment.client_secret = outcome.client_secret
    elif isinstance(outcome, Charge):
        uow.tabs.write_payment(
            payment,
            status="succeeded",
            card_last4=outcome.card_last4,
            gateway_reference=outcome.reference,
        )
        if payment.method == Method.CARD_HOLD.value:
            close_captured_hold(
                uow,
                tab,
                total=payment.amount + payment.tip,
                began_at=payment.created_at,
                reference=outcome.reference,
            )
        post_payment(uow, tab, payment, pending_payment_id=None)
    else:
        code = outcome.code if outcome is not None else NOT_CHARGED
        uow.tabs.write_payment(payment, status="failed", failure_code=code)
        uow.tabs.write(tab, pending_payment_id=None)
        if payment.amount == 0 and tab.status != "open" and bill_of(tab).due == 0:
            # The card was asked for a tip alone: a reward had paid the whole
            # bill with the attempt (``service._take_reward``). The tip failed,
            # the bill did not: the tab is paid, as a reward that leaves no tip
            # closes it, instead of waiting served with nothing left to pay.
            settle(uow, tab)
    return payment
