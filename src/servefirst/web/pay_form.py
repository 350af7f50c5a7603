"""The customer's payment form: its suggested tips, and reading what it sent back.

The form shows the amount due it was drawn with (kept current by the live
poll); a payment is refused if the bill changed since, so a line added a moment
ago is never charged unseen. A tip larger than the bill is asked about before
it is charged (680 typed for 6,80), as a good payment terminal does. What a
suggested tip is a share of, and what a tip is weighed against, is one rule
(``payments.tip_rules``): the bill before any reward, whichever reward is chosen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from servefirst.kit import formats
from servefirst.kit.errors import Conflict, InvalidRequest
from servefirst.kit.i18n import N_
from servefirst.kit.money import Money
from servefirst.kit.typed import parse_amount
from servefirst.payments import tip_rules
from servefirst.payments.gateways import SANDBOX_CARDS, normalize_card_number
from servefirst.tabs import service as tabs
from servefirst.tabs.public import PublicTab

if TYPE_CHECKING:
    from servefirst.tabs.models import Tab

#: A Stripe PaymentMethod id, as ``payments.schemas`` takes it (at most 255 characters).
PAYMENT_METHOD_ID = re.compile(r"pm_[A-Za-z0-9_]{1,252}")


@dataclass(frozen=True)
class TipChoice:
    value: str  # what the form posts: a percentage, or "custom"
    label: str
    amount: int  # minor units


def tip_choices(bill: int, currency: str) -> list[TipChoice]:
    """The suggested tips on ``bill``: what is due before any reward is off."""
    return [
        TipChoice(str(p), N_("No tip") if p == 0 else formats.percent(p), tip.amount)
        for p, tip in tip_rules.suggested_tips(Money(bill, currency))
    ]


def seen_due(expected_due: str) -> int | None:
    """The amount due the payment form showed (kept current by the live poll)."""
    if not expected_due.strip():
        return None
    try:
        return int(expected_due)
    except ValueError:
        raise InvalidRequest(
            "The payment form was damaged; please try again.", param="expected_due"
        ) from None


def ensure_same_bill(tab: Tab, seen: int | None) -> None:
    """Refuse to charge if the bill changed after the customer last saw it."""
    if seen is not None and seen != tabs.bill_of(tab).due:
        raise Conflict(
            "The bill changed while you were paying. Check the new total and pay again.",
            code="bill_changed",
            param="expected_due",
        )


def tip_from(choice: str, custom: str, tab: PublicTab) -> int:
    """The tip the form asks for. A suggested one is a share of the bill before
    any reward: the amount the page showed beside it (``tip_choices`` drawn
    with the same bill), whichever reward the same form spends."""
    if choice == "custom":
        return parse_amount(custom, tab.currency, param="custom_tip") or 0
    for option in tip_choices(tab.amount_due, tab.currency):
        if option.value == (choice or "0"):
            return option.amount
    raise InvalidRequest("Choose one of the suggested tips, or a custom amount.", param="tip")


@dataclass(frozen=True)
class TipQuestion:
    """A tip asked about before it is charged, and what the page keeps for the yes."""

    tip: int
    #: What the tip is weighed against: the bill before any reward
    #: (``tip_rules.tip_to_question``).
    bill: int
    #: What the card field is drawn with: a published sandbox test card, or nothing.
    card: str
    #: The reward chosen pays the whole bill: the tip is all the card is charged.
    covered: bool = False
    #: The Stripe PaymentMethod the card box made, kept so the yes pays with it.
    payment_method: str = ""


def tip_to_ask_about(
    tip: int,
    due: int,
    confirmed: str,
    *,
    bill: int,
    card: str,
    test_mode: bool,
    payment_method: str = "",
) -> TipQuestion | None:
    """The tip to ask the customer about before charging it, if any.

    A tip more than the bill (``bill``: what is due before any reward, the
    yardstick of the suggested tips, ``tip_rules``) is most often a slipped
    decimal mark, so it is charged only once the customer said yes to that
    very amount: a yes given for another amount (the tip typed again) does not
    count. The JSON API does not ask; its callers decide for themselves.

    When the reward the same form spends pays the whole bill (``due``, what is
    left after it, is nothing), the question says so in its words.
    """
    if tip_rules.tip_to_question(tip, bill) and confirmed.strip() != str(tip):
        return TipQuestion(
            tip,
            bill,
            card_to_keep(card, test_mode=test_mode),
            covered=due <= 0,
            payment_method=payment_method_to_keep(payment_method),
        )
    return None


def payment_method_to_keep(payment_method: str) -> str:
    """The Stripe PaymentMethod id drawn back into the form while it asks, so
    the yes pays with the card already typed into Stripe's card box. It is
    Stripe's handle on the card, not the card: it pays only through this
    merchant's Stripe account, and the card's number never reaches us. Only a
    well-formed id is kept (as the API's schema takes it)."""
    kept = payment_method.strip()
    return kept if PAYMENT_METHOD_ID.fullmatch(kept) else ""


def card_to_keep(card: str, *, test_mode: bool) -> str:
    """The card number drawn back into the form while it asks, so the yes needs
    no typing: only one of the sandbox's test cards (public numbers, listed in
    the contract and in the sandbox's own refusal), and only in test mode. Any other number
    may be a real card, and a real card number is never written into a page
    (a cache, a screenshot, a saved page would keep it): it is typed again."""
    number = normalize_card_number(card)
    return card.strip() if test_mode and number in SANDBOX_CARDS else ""
