"""What a card processor answers, and what servefirst asks of one: the value
types and the interfaces every gateway (``payments/gateways.py``) and the
Stripe gateway (``payments/stripe_gateway.py``) keep. Importable from
``payments.gateways`` too, where they were first defined."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from servefirst.kit.money import Money


@dataclass(frozen=True)
class Charge:
    """What the gateway answers for a successful charge."""

    reference: str
    card_last4: str | None = None
    #: ``pending``: the card asks the payer to confirm (3-D Secure); the
    #: processor's event settles it later.
    status: str = "succeeded"
    #: What the payer's page needs to finish a pending payment (Stripe.js).
    client_secret: str | None = None


@dataclass(frozen=True)
class Authorization:
    """A card hold: money reserved on the customer's card, not yet taken.

    ``payment_method`` is the processor's reusable reference to the card, so a
    hold can be renewed or raised later without ever storing the card number.
    """

    reference: str
    amount: Money
    payment_method: str
    card_last4: str
    expires_at: datetime
    #: The processor's customer the card is kept on file for (Stripe's
    #: Customer, which an off-session charge on the saved card names).
    customer: str | None = None


@dataclass(frozen=True)
class RefundResult:
    """What the gateway answers for a refund: ``succeeded``, ``pending`` (the
    processor will tell later) or ``failed`` with the processor's reason."""

    reference: str
    status: str = "succeeded"
    failure_code: str | None = None


@dataclass(frozen=True)
class RefundAtProcessor:
    """A refund as the processor holds it now (Stripe's Refund), whoever made
    it: servefirst (``key``: our refund's id) or the merchant in the
    processor's own dashboard (no key)."""

    reference: str
    amount: int
    #: The processor's word: ``succeeded``, ``pending``, ``failed``, ``canceled``...
    status: str
    failure: str | None = None
    key: str | None = None
    created: int = 0


class ProcessorCalledInTransaction(RuntimeError):
    """A processor was called with a database transaction open: a bug, never
    an answer to a client (the tests turn the sandbox's check on)."""


class Gateway(Protocol):
    name: str

    def charge(
        self,
        amount: Money,
        *,
        card: str | None,
        idempotency_key: str,
        payment_method: str | None = None,
    ) -> Charge: ...

    def find_charge(self, idempotency_key: str) -> Charge | None:
        """The charge made under ``idempotency_key``, or None if none was: how
        recovery learns what became of an attempt a crash left pending."""
        ...

    def refund(
        self, charge_reference: str, amount: Money, *, idempotency_key: str, reason: str
    ) -> RefundResult:
        """Give ``amount`` back from the charge ``charge_reference``. The same
        ``idempotency_key`` asked again answers the first refund's outcome
        (how a refund left pending by a crash is finished) and never refunds twice."""
        ...

    def find_refund(self, charge_reference: str, idempotency_key: str) -> RefundResult | None:
        """The refund made under ``idempotency_key``, as the processor holds it
        now, or None if none was: asked before a refund left pending is sent
        again, so a retry never depends on the processor still keeping the key
        (Stripe: 24 hours) nor on its parameters being built as they first were."""
        ...


class ChargeBook(Protocol):
    """Where the sandbox keeps the charges it made (a processor's own records)."""

    def keep(self, idempotency_key: str, charge: Charge, amount: Money) -> None:
        """Keep ``charge`` under ``idempotency_key``, unless one is kept there already."""
        ...

    def find(self, idempotency_key: str) -> Charge | None: ...

    def keep_hold(self, idempotency_key: str, hold: Authorization) -> None:
        """Keep ``hold`` under ``idempotency_key``, unless one is kept there already."""
        ...

    def find_hold(self, idempotency_key: str) -> Authorization | None: ...


@dataclass
class ChargesInMemory:
    """A sandbox's charges for the life of the process (unit tests)."""

    charges: dict[str, Charge] = field(default_factory=dict)
    holds: dict[str, Authorization] = field(default_factory=dict)

    def keep(self, idempotency_key: str, charge: Charge, amount: Money) -> None:
        self.charges.setdefault(idempotency_key, charge)

    def find(self, idempotency_key: str) -> Charge | None:
        return self.charges.get(idempotency_key)

    def keep_hold(self, idempotency_key: str, hold: Authorization) -> None:
        self.holds.setdefault(idempotency_key, hold)

    def find_hold(self, idempotency_key: str) -> Authorization | None:
        return self.holds.get(idempotency_key)


class CardGateway(Gateway, Protocol):
    """A gateway that can also hold money on a card and take it later."""

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
        """Hold ``amount``. With a card (or a PaymentMethod of no customer yet)
        the card is first kept on file, so that the hold can be renewed,
        raised or charged later with no one present; with ``customer``, the
        card already kept on file for that customer is used (off-session)."""
        ...

    def find_hold(self, idempotency_key: str) -> Authorization | None:
        """The hold made under ``idempotency_key``, still to be captured, or
        None: how recovery learns what became of a hold a crash left unanswered."""
        ...

    def capture(
        self, hold: Authorization, amount: Money, *, idempotency_key: str, now: datetime
    ) -> Charge: ...

    def charge_saved(
        self,
        amount: Money,
        *,
        payment_method: str,
        idempotency_key: str,
        customer: str | None = None,
    ) -> Charge:
        """Charge the card kept on file, with no one present (a hold that lapsed)."""
        ...

    def release(self, hold: Authorization) -> None: ...
