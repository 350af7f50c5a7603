"""Why a message was not sent, or will not be: the reason kept on a skipped
message (``last_error``, in English, as ``GET /v1/messages`` gives it) and
said on the console's Messages page in the member's language.

Each reason is a sentence of its own, so its translation is the catalog's
entry for it (an unknown one is shown as kept); the one reason that names
a kind reads, on the page, as the row's own kind."""

from __future__ import annotations

import re

from servefirst.kit import i18n
from servefirst.kit.i18n import N_


def not_due(subject: str, status: str, *, concern: bool) -> str:
    """A message its ``subject`` (``tab`` or ``booking``) moved past: paid,
    cancelled, checked in, a concern raised (``rules.still_due``)."""
    said = status.replace("_", " ")
    return f"no longer due (the {subject} is {said}" + (
        ", a concern was raised)" if concern else ")"
    )


#: The reasons, each translated as a whole (a status in Portuguese agrees
#: with its noun: "a conta está paga", "a marcação foi cancelada").
KNOWN = (
    N_("no longer due (the tab is paid)"),
    N_("no longer due (the tab is void)"),
    N_("no longer due (the tab is written off)"),
    N_("no longer due (the tab is served, a concern was raised)"),
    N_("no longer due (the tab is overdue, a concern was raised)"),
    N_("no longer due (the booking is cancelled)"),
    N_("no longer due (the booking is checked in)"),
    N_("no longer due (the booking is no show)"),
    N_("no longer pending"),
    N_("what it was about is gone"),
    N_("the customer opted out of messages"),
    N_("the phone number cannot take texts"),
    N_("the code expired before it could be sent"),
    N_("the reader is no longer an owner of the business"),
    N_("the tab was invoiced since: the invoice's own reminders replace it"),
    N_("a later reminder is already due"),
    N_("the booking was moved since: the messages for its new time replace it"),
    N_("the booking has begun"),
    N_("nothing is owed any more: the customer's bank gave the deposit back"),
    N_("the cancellation message already said the refund was refused"),
    N_("the refund failed after it went through: the customer is told that instead"),
    N_("nothing is owed any more: the customer's bank gave the money back (a dispute lost)"),
    N_("the business refunded the money again since: that refund's own message says so"),
    N_("no longer due when its time came (a past that was not mailed)"),
)

#: A text planned to a phone kept before a phone needed six digits ("---").
NO_TEXTS = "the phone number cannot take texts"

#: ``service.context_for``'s reason for a kind the merchant turned off.
_TURNED_OFF = re.compile(r"the merchant turned \w+ messages off")


def turned_off(kind: str) -> str:
    return f"the merchant turned {kind} messages off"


def in_words(reason: str | None) -> str:
    """``reason`` in the current language."""
    if not reason:
        return ""
    if _TURNED_OFF.fullmatch(reason):
        return i18n.gettext("the business turned these messages off")
    return i18n.gettext(reason)
