"""The payment gateway interface and the two gateways that ship.

A real processor plugs in behind the same interface. Every call carries an
idempotency key (our payment id) so a retried call can never charge twice at
the processor either.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Protocol

from servefirst.kit.errors import CardDeclined
from servefirst.kit.money import Money


@dataclass(frozen=True)
class Charge:
    """What the gateway answers for a successful charge."""

    reference: str
    card_last4: str | None = None


class Gateway(Protocol):
    name: str

    def charge(self, amount: Money, *, card: str | None, idempotency_key: str) -> Charge: ...


class ManualGateway:
    """Money that staff took themselves (cash, their own card terminal): just recorded."""

    name = "manual"

    def charge(self, amount: Money, *, card: str | None, idempotency_key: str) -> Charge:
        return Charge(reference=f"manual_{idempotency_key}")


#: The contract's test cards: number -> decline code (None = succeeds).
SANDBOX_CARDS: dict[str, str | None] = {
    "4242424242424242": None,
    "4000000000000002": "card_declined",
    "4000000000009995": "insufficient_funds",
}

_DECLINE_MESSAGES = {
    "card_declined": "The card was declined.",
    "insufficient_funds": "The card has insufficient funds.",
    "incorrect_number": "The card number is not a sandbox test card.",
}


def normalize_card_number(card: str) -> str:
    """Digits only; customers type spaces and dashes."""
    return "".join(ch for ch in card if ch not in " -")


@dataclass
class SandboxGateway:
    """Test cards that behave like a processor: success and named declines."""

    name: str = "sandbox"
    charges: dict[str, Charge] = field(default_factory=dict)

    def charge(self, amount: Money, *, card: str | None, idempotency_key: str) -> Charge:
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
        reference = "sbx_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:20]
        return Charge(reference=reference, card_last4=number[-4:])


@dataclass
class Gateways:
    manual: Gateway
    sandbox: Gateway


def default_gateways() -> Gateways:
    return Gateways(manual=ManualGateway(), sandbox=SandboxGateway())
