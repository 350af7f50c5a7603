"""A message's subject line, in the language it is written in: what an e-mail's
``Subject`` says, and what the message row keeps once it went (the console and
``GET /v1/messages`` show it). One place, so a message of the demo's past
(``history``) carries the very words the worker would have written."""

from __future__ import annotations

from servefirst.kit import i18n
from servefirst.messages.rules import MessageKind


def N_(words: str) -> str:  # noqa: N802 - gettext's name for "marked, translated later"
    return words


SUBJECTS = {
    MessageKind.RECEIPT: N_("Your receipt from {business}"),
    MessageKind.REFUND: N_("Your refund from {business}"),
    MessageKind.REFUND_FAILED: N_("Your refund from {business} could not be made"),
    MessageKind.BOOKING_CONFIRMATION: N_("Your booking at {business} is confirmed"),
    MessageKind.BOOKING_REMINDER: N_("See you soon at {business}"),
    MessageKind.BOOKING_CANCELLED: N_("Your booking at {business} is cancelled"),
    MessageKind.DEPOSIT_REFUND_FAILED: N_("Your deposit at {business} could not be refunded"),
    MessageKind.PAYMENT_REMINDER: N_("How was your visit to {business}?"),
    MessageKind.FINAL_NOTICE: N_("Final notice: your bill at {business}"),
    # Never the code itself: the subject is kept on the message row.
    MessageKind.BOOKING_CODE: N_("Your booking code for {business}"),
    MessageKind.ENDPOINT_DISABLED: N_("{business}: a webhook endpoint was turned off"),
}
LATER_REMINDER_SUBJECT = N_("A reminder: your bill at {business}")


def asks_first(step: int, *, invoiced: bool) -> bool:
    """Whether a payment reminder asks about the visit before it asks for money:
    the first step, unless the tab is an invoice past its due date (then it is
    reminded of the bill, subject and body alike)."""
    return step == 1 and not invoiced


def subject_of(
    kind: MessageKind, *, step: int, invoiced: bool, business: str, language: str
) -> str:
    """The subject of a message of ``kind`` (a dunning ``step``) from
    ``business``, in ``language`` (a locale or a language: 'pt_PT', 'en')."""
    words = SUBJECTS[kind]
    if kind is MessageKind.PAYMENT_REMINDER and not asks_first(step, invoiced=invoiced):
        words = LATER_REMINDER_SUBJECT
    with i18n.use_language(language):
        return i18n.gettext(words).format(business=business)
