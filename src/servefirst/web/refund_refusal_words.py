"""Why the card processor refused a refund, in the reader's words (the
console's tab page): Stripe's ``failure_reason`` of a refund, or the code a
refusal answered at once. Kept as Stripe's code in the database and the API."""

from __future__ import annotations

from servefirst.kit.i18n import N_, gettext

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
