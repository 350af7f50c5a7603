"""Why the card processor refused a refund, in the reader's words (the
console's tab page): Stripe's ``failure_reason`` of a refund, or the code a
refusal answered at once; and why a refund still pending is held up. Kept as
the code in the database and the API."""

from __future__ import annotations

from servefirst.kit.i18n import N_, gettext
from servefirst.payments.refund_rules import KEY_REUSED

#: Stripe's failure reasons of a refund (and the refusals answered at once), as said.
_WHY = {
    "expired_or_canceled_card": N_("the card was closed or has expired"),
    "lost_or_stolen_card": N_("the card was reported lost or stolen"),
    "declined": N_("the card's bank declined it"),
    "insufficient_funds": N_("the business's balance at the processor was too low"),
    "charge_for_pending_refund_disputed": N_("the customer disputed the payment with their bank"),
    "charge_disputed": N_("the customer disputed the payment with their bank"),
    "merchant_request": N_("it was cancelled at the business's request"),
    "canceled": N_("it was cancelled at the processor"),
}
#: Any other code: the processor's own word is shown after it.
_UNSAID = N_("the processor said “%(code)s”")


def why_refused(code: str | None) -> str:
    if code in _WHY:
        return gettext(_WHY[code])
    return gettext(_UNSAID) % {"code": code or "?"}


def refund_refused_words(code: str | None, *, went_through: bool) -> str:
    """The sentence beside a failed refund. ``went_through``: it had gone
    through and was booked before it failed (its entry kept), so the money
    came back to the business, and can be refunded another way."""
    if went_through:
        return gettext(
            "Refused after it went through: %(why)s. The money came back to the business."
        ) % {"why": why_refused(code)}
    return gettext("Refused by the card processor: %(why)s.") % {"why": why_refused(code)}


def refund_held_up_words(code: str | None) -> str | None:
    """The sentence beside a refund still pending that will not finish at the
    processor's next answer; None for one simply waiting for it. Stripe
    refused its key (first used with other parameters): nothing was made,
    recovery asks again each round and Stripe makes it once it forgets the
    key (24 hours). Refunded again meanwhile, it would be given back twice."""
    if code != KEY_REUSED:
        return None
    return gettext(
        "Held up: the card processor refused this request (its key was first used with"
        " other details), so nothing has been refunded yet. It is asked again by itself and"
        " made within 24 hours: do not refund it again, here or in Stripe's dashboard."
    )
