"""The two gateways that ship (manual, sandbox); ``gateway_choice`` says which one a
payment uses.

Their interface and the processor's answers are in ``payments/processor.py``
(importable from here too); a real processor plugs in behind it. Every call carries an
idempotency key (our payment id) so a retried call can never charge twice at
the processor either.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from servefirst.kit.errors import CardDeclined
from servefirst.kit.money import Money
from servefirst.kit.sealed import Sealer
from servefirst.payments.processor import (
    Authorization,
    CardGateway,
    Charge,
    ChargeBook,
    ChargesInMemory,
    Gateway,
    ProcessorCalledInTransaction,
    RefundResult,
)


class ManualGateway:
    """Money that staff took themselves (cash, their own card terminal): just recorded."""

    name = "manual"

    def charge(
        self,
        amount: Money,
        *,
        card: str | None,
        idempotency_key: str,
        payment_method: str | None = None,
    ) -> Charge:
        return Charge(reference=f"manual_{idempotency_key}")

    def find_charge(self, idempotency_key: str) -> Charge | None:
        return None  # recorded in the payment's own transaction: never left pending

    def refund(
        self, charge_reference: str, amount: Money, *, idempotency_key: str, reason: str
    ) -> RefundResult:
        """Staff handed the money back themselves: recorded, nothing to ask."""
        return RefundResult(reference=f"manual_{idempotency_key}")

    def find_refund(self, charge_reference: str, idempotency_key: str) -> RefundResult | None:
        return None  # recorded in the refund's own transaction: never left pending


#: The contract's test cards: number -> decline code (None = succeeds).
SANDBOX_CARDS: dict[str, str | None] = {
    "4242424242424242": None,
    "4000000000000002": "card_declined",
    "4000000000009995": "insufficient_funds",
    # Like Stripe's 0341: the first hold succeeds, every later charge or new
    # hold on the saved card is declined (a card cancelled after booking).
    "4000000000000341": None,
}
#: Cards whose saved payment method declines after the first authorisation.
DECLINES_WHEN_REUSED = {"0341": "card_declined"}

_DECLINE_MESSAGES = {
    "card_declined": "The card was declined.",
    "insufficient_funds": "The card has insufficient funds.",
    "incorrect_number": "The card number is not a sandbox test card.",
    "authorization_expired": "The card hold has expired; take a new one.",
    "amount_too_large": "The amount is larger than the card hold.",
    "invalid_payment_method": "The saved card is not known to the sandbox.",
}


def _reference(prefix: str, idempotency_key: str) -> str:
    """The same key always gives the same reference: a retried call is one charge."""
    return f"{prefix}_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:20]


def normalize_card_number(card: str) -> str:
    """Digits only; customers type spaces and dashes."""
    return "".join(ch for ch in card if ch not in " -")


@dataclass
class SandboxGateway:
    """Test cards that behave like a processor: success, named declines, holds.

    The charges it makes it keeps in its ``book`` (the ``sandbox_charges``
    table in a running servefirst), so that it can be asked after a crash
    what became of a payment attempt. What a real processor would remember
    about a hold (its amount and expiry) travels in the ``Authorization`` we
    keep, and a saved card's behaviour in its ``payment_method`` reference.
    """

    name: str = "sandbox"
    #: Card networks let an authorisation live about a week.
    hold_lifetime: timedelta = timedelta(days=7)
    book: ChargeBook = field(default_factory=ChargesInMemory)
    #: Seconds each charge takes, as a real processor's round trip does
    #: (``SERVEFIRST_SANDBOX_LATENCY_MS``; the benchmark sets it).
    latency_seconds: float = 0.0
    #: Says whether a database transaction is open while the sandbox is
    #: called (``db.transactions.OpenTransactions``); the tests turn it on so
    #: that a processor called inside one fails loudly (DESIGN.md, "A payment
    #: in phases"). None: not checked.
    transaction_open: Callable[[], bool] | None = None

    def _called(self) -> None:
        if self.transaction_open is not None and self.transaction_open():
            raise ProcessorCalledInTransaction(
                "The card processor was called inside a database transaction."
            )
        if self.latency_seconds:
            time.sleep(self.latency_seconds)

    def charge(
        self,
        amount: Money,
        *,
        card: str | None,
        idempotency_key: str,
        payment_method: str | None = None,
    ) -> Charge:
        self._called()
        if payment_method is not None:
            last4 = self._check_payment_method(payment_method)
            saved = Charge(reference=_reference("sbx", idempotency_key), card_last4=last4)
            self.book.keep(idempotency_key, saved, amount)
            return saved
        number = self._check_card(card)
        made = Charge(reference=_reference("sbx", idempotency_key), card_last4=number[-4:])
        self.book.keep(idempotency_key, made, amount)
        return made

    def find_charge(self, idempotency_key: str) -> Charge | None:
        return self.book.find(idempotency_key)

    def find_hold(self, idempotency_key: str) -> Authorization | None:
        return self.book.find_hold(idempotency_key)

    def authorize(
        self,
        amount: Money,
        *,
        card: str | None = None,
        payment_method: str | None = None,
        idempotency_key: str,
        now: datetime,
        customer: str | None = None,
    ) -> Authorization:
        self._called()
        if payment_method is not None:
            last4 = self._check_payment_method(payment_method)
        else:
            last4 = self._check_card(card)[-4:]
            # Made from the key: the same call asked again keeps the same card.
            payment_method = f"pm_sbx_{last4}_" + _reference("h", idempotency_key)[2:14]
        held = Authorization(
            reference=_reference("auth_sbx", idempotency_key),
            amount=amount,
            payment_method=payment_method,
            card_last4=last4,
            expires_at=now.astimezone(UTC) + self.hold_lifetime,
        )
        self.book.keep_hold(idempotency_key, held)
        return held

    def capture(
        self, hold: Authorization, amount: Money, *, idempotency_key: str, now: datetime
    ) -> Charge:
        if now >= hold.expires_at:
            raise CardDeclined(
                _DECLINE_MESSAGES["authorization_expired"], code="authorization_expired"
            )
        if amount > hold.amount:
            raise CardDeclined(
                _DECLINE_MESSAGES["amount_too_large"], code="amount_too_large", param="amount"
            )
        self._called()
        made = Charge(reference=_reference("sbx", idempotency_key), card_last4=hold.card_last4)
        # Kept as a charge is: recovery asks for a capture a crash left pending.
        self.book.keep(idempotency_key, made, amount)
        return made

    def charge_saved(
        self,
        amount: Money,
        *,
        payment_method: str,
        idempotency_key: str,
        customer: str | None = None,
    ) -> Charge:
        """Charge the card behind a hold without a hold (after it expired)."""
        self._called()
        last4 = self._check_payment_method(payment_method)
        made = Charge(reference=_reference("sbx", idempotency_key), card_last4=last4)
        self.book.keep(idempotency_key, made, amount)
        return made

    def release(self, hold: Authorization) -> None:
        """Nothing to undo at a stateless sandbox; a real processor voids the hold."""
        self._called()

    def refund(
        self, charge_reference: str, amount: Money, *, idempotency_key: str, reason: str
    ) -> RefundResult:
        """A sandbox charge can always be refunded; anything else is not ours."""
        self._called()  # a processor's round trip, as for a charge
        if not charge_reference.startswith("sbx_"):
            return RefundResult(
                reference=_reference("re_sbx", idempotency_key),
                status="failed",
                failure_code="charge_unknown",
            )
        return RefundResult(reference=_reference("re_sbx", idempotency_key))

    def find_refund(self, charge_reference: str, idempotency_key: str) -> RefundResult | None:
        """Nothing kept to look in: the sandbox's refund is made from its key
        alone, so sending it again is the same refund, whatever changed since."""
        return None

    def _check_payment_method(self, payment_method: str) -> str:
        parts = payment_method.split("_")
        last4 = parts[2] if len(parts) == 4 and parts[:2] == ["pm", "sbx"] else ""
        if not any(number.endswith(last4) for number in SANDBOX_CARDS) or not last4:
            raise CardDeclined(
                _DECLINE_MESSAGES["invalid_payment_method"], code="invalid_payment_method"
            )
        decline = DECLINES_WHEN_REUSED.get(last4) or next(
            SANDBOX_CARDS[n] for n in SANDBOX_CARDS if n.endswith(last4)
        )
        if decline is not None:
            raise CardDeclined(_DECLINE_MESSAGES[decline], code=decline, param="card")
        return last4

    def _check_card(self, card: str | None) -> str:
        number = normalize_card_number(card or "")
        if number not in SANDBOX_CARDS:
            raise CardDeclined(
                _DECLINE_MESSAGES["incorrect_number"]
                + " Use 4242424242424242 (succeeds), 4000000000000002 (declined) or"
                " 4000000000009995 (insufficient funds).",
                code="incorrect_number",
                param="card",
            )
        decline = SANDBOX_CARDS[number]
        if decline is not None:
            raise CardDeclined(_DECLINE_MESSAGES[decline], code=decline, param="card")
        return number


@dataclass
class Gateways:
    """The gateways a process holds. A merchant on Stripe gets its own client,
    made on first use from its sealed keys (``payments/stripe_gateway.py``)."""

    manual: Gateway
    sandbox: SandboxGateway
    sealer: Sealer = field(default_factory=lambda: Sealer(None))
    stripe_api_base: str | None = None
    #: One Stripe gateway per merchant and secret key, kept while the process lives.
    stripe_clients: dict[tuple[str, str], Any] = field(default_factory=dict)
    #: The same, by merchant: the one last made for it (a refund asks it by merchant).
    stripe_by_merchant: dict[str, Any] = field(default_factory=dict)


def default_gateways(
    book: ChargeBook | None = None,
    latency_seconds: float = 0.0,
    *,
    secret_key: str | None = None,
    stripe_api_base: str | None = None,
) -> Gateways:
    sandbox = SandboxGateway(book=book or ChargesInMemory(), latency_seconds=latency_seconds)
    return Gateways(
        manual=ManualGateway(),
        sandbox=sandbox,
        sealer=Sealer(secret_key),
        stripe_api_base=stripe_api_base,
    )


#: What a page or an integrator is told when the processor that holds the
#: money has no keys any more (msgids: the console says them again in pt).
STRIPE_KEYS_GONE = {
    "payment": (
        "This payment was taken with Stripe, and this business's Stripe keys are no longer"
        " set: refund it in Stripe's dashboard, or set the Stripe keys again. Nothing was"
        " changed."
    ),
    "hold": (
        "This card hold was made with Stripe, and this business's Stripe keys are no longer"
        " set: capture or cancel it in Stripe's dashboard, or set the Stripe keys again."
        " Nothing was changed."
    ),
}


__all__ = [
    "SANDBOX_CARDS",
    "STRIPE_KEYS_GONE",
    "Authorization",
    "CardGateway",
    "Charge",
    "ChargeBook",
    "ChargesInMemory",
    "Gateway",
    "Gateways",
    "ManualGateway",
    "ProcessorCalledInTransaction",
    "RefundResult",
    "SandboxGateway",
    "default_gateways",
    "normalize_card_number",
]
