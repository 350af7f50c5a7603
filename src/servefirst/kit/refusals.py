"""A refusal in the reader's words: what console and customer pages show.

The API keeps its English ``message`` (integrators read and log it); a page
says the same refusal again from its ``code`` and figures (``details``, and
``figures`` for what the API does not show, such as the currency), in the
page's language with money and counts written the merchant's way
(``kit.formats``). A code without words here (or without the figures they
need) shows the error's own message, translated when the catalog has it; one
whose message quotes what was typed carries its msgid as ``figures["words"]``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from servefirst.kit import formats
from servefirst.kit.errors import ServefirstError
from servefirst.kit.i18n import gettext as _
from servefirst.kit.i18n import ngettext


def _hint(hint: dict[str, Any], money: Callable[[int], str]) -> str | None:
    """One way out a refusal suggests, in words (None: not one a page says)."""
    action = hint.get("action")
    if action == "take_payment":
        return _("Take a payment of %(amount)s on this customer's open tabs.") % {
            "amount": money(hint["amount"])
        }
    if action == "more_on_time_visits":
        visits = int(hint["visits"])
        return ngettext(
            "%(num)d more on-time paid visit raises the limit to %(limit)s.",
            "%(num)d more on-time paid visits raise the limit to %(limit)s.",
            visits,
        ) % {"num": visits, "limit": money(hint["limit"])}
    if action == "prepay" and "amount" in hint:
        return _("Or take %(amount)s before serving (a prepaid line).") % {
            "amount": money(hint["amount"])
        }
    if action == "prepay":
        return _("Take payment before serving.")
    if action == "raise_limit":
        return _("The owner can raise this tier's limit in the trust policy.")
    if action == "card_hold":
        return _("Or book the visit with a deposit or card hold: check-in opens the tab.")
    if action == "more_paid_visits":
        visits = int(hint["visits"])
        return ngettext(
            "%(num)d paid visit brings paying after back.",
            "%(num)d paid visits bring paying after back.",
            visits,
        ) % {"num": visits}
    if action == "wait":
        days = int(hint["days"])
        return ngettext(
            "Without new trouble, paying after comes back by itself in %(num)d day.",
            "Without new trouble, paying after comes back by itself in %(num)d days.",
            days,
        ) % {"num": days}
    return None


def _with_hints(first: str, details: dict[str, Any], money: Callable[[int], str]) -> str:
    said = [_hint(h, money) for h in details.get("unlock", [])]
    return " ".join([first, *(s for s in said if s)])


def _tab_limit(details: dict[str, Any], money: Callable[[int], str]) -> str:
    first = _(
        "This would take the customer past their tab limit (%(tier)s tier: %(limit)s with "
        "%(owed)s already owed, %(available)s available)."
    ) % {
        "tier": _(details["tier"]),
        "limit": money(details["limit"]),
        "owed": money(details["outstanding"]),
        "available": money(details["available"]),
    }
    return _with_hints(first, details, money)


def _prepayment(details: dict[str, Any], money: Callable[[int], str]) -> str:
    first = _("This customer's tier (%(tier)s) may not pay after.") % {"tier": _(details["tier"])}
    return _with_hints(first, details, money)


def _deposit(details: dict[str, Any], money: Callable[[int], str]) -> str:
    return _("Give a card for the deposit of %(amount)s.") % {"amount": money(details["amount"])}


def _over_due(details: dict[str, Any], money: Callable[[int], str]) -> str:
    if "discount" in details:  # a concern's discount, asked or granted
        if int(details["discount"]) < 0:
            return _("A discount cannot be negative.")
        return _("A discount of %(amount)s is more than the %(due)s still owed.") % {
            "amount": money(details["discount"]),
            "due": money(details["due"]),
        }
    return _(
        "%(amount)s is more than the %(due)s owed; give change, or record the extra as a tip."
    ) % {"amount": money(details["amount"]), "due": money(details["due"])}


def _over_refundable(details: dict[str, Any], money: Callable[[int], str]) -> str:
    if details["part"] == "tip":
        return _("%(asked)s is more than the %(left)s left to refund from the tip.") % {
            "asked": money(details["asked"]),
            "left": money(details["refundable_tip"]),
        }
    return _("%(asked)s is more than the %(left)s left to refund from the bill.") % {
        "asked": money(details["asked"]),
        "left": money(details["refundable_amount"]),
    }


def _refund_first(details: dict[str, Any], money: Callable[[int], str]) -> str:
    # Without ``amount_due`` (the tab is paid) the message is fixed: from the catalog.
    if details.get("deposit_applied"):
        return _(
            "Only %(due)s is still due and %(deposit)s of the deposit can come back, less than"
            " this line's %(amount)s: part of it is paid already, so refund the payment instead of"
            " voiding the line."
        ) % {
            "due": money(details["amount_due"]),
            "deposit": money(details["deposit_applied"]),
            "amount": money(details["line_amount"]),
        }
    return _(
        "Only %(due)s is still due, less than this line's %(amount)s: part of it is paid "
        "already, so refund the payment instead of voiding the line."
    ) % {"due": money(details["amount_due"]), "amount": money(details["line_amount"])}


def _disputed(details: dict[str, Any], money: Callable[[int], str]) -> str:
    """A refund, or a void that would need one, of money the customer's bank
    holds (the dispute open) or gave back (lost): ``dispute_rules``."""
    lost = details["dispute_status"] == "lost"
    if details["what"] == "void":
        if lost:
            return _(
                "The customer's bank already gave %(amount)s of this tab's payment back (the"
                " dispute was lost): nothing more can be refunded, so this line cannot come off."
            ) % {"amount": money(details["disputed_amount"])}
        return _(
            "This tab's payment is disputed with the customer's bank: while the dispute is"
            " open, no refund can make room for this line, so it cannot come off."
        )
    if lost:
        return _(
            "The customer's bank already gave %(amount)s of this payment back (the dispute was"
            " lost): a refund would pay it twice."
        ) % {"amount": money(details["disputed_amount"])}
    return _(
        "The customer's bank disputes this payment: while the dispute is open it cannot be"
        " refunded (the bank decides whether the money goes back). Once the dispute is marked"
        " won, it can."
    )


def _deposit_disputed(details: dict[str, Any], money: Callable[[int], str]) -> str:
    """The owner's mark of a deposit's dispute the books cannot take yet, in
    words for what became of the deposit (``dispute_rules.deposit_refusal``)."""
    status = details["deposit_status"]
    if status in ("held", "pending"):
        return _(
            "This dispute is of a booking's deposit that is still held: the booking still"
            " expects it (applied to the bill at check-in, or kept or refunded when the booking"
            " ends), so nothing is booked yet. Mark it lost again once the booking has ended."
        )
    if status == "refunded":
        return _(
            "This dispute is of a booking's deposit that was refunded: the money already went"
            " back to the customer's card, so there is nothing to take out of the books. Show"
            " Stripe the refund to answer the dispute."
        )
    return _(
        "This dispute is of a booking's deposit, and servefirst cannot tell what it left to"
        " take back. Ask your accountant to book it by hand."
    )


def _tab_state(details: dict[str, Any], money: Callable[[int], str]) -> str:
    # The form sent again (the back button) after the tab moved on, most often.
    status = _(str(details["tab_status"])).replace("_", " ")
    return _("This tab is %(status)s now, so this can no longer be done.") % {"status": status}


def _has_bookings(details: dict[str, Any], money: Callable[[int], str]) -> str:
    count = int(details["upcoming_bookings"])
    return ngettext(
        "%(name)s still has %(num)d booking to come: move it to someone else or cancel it first.",
        "%(name)s still has %(num)d bookings to come: move them to someone else or cancel them"
        " first.",
        count,
    ) % {"name": details["name"], "num": count}


def _count_missing(details: dict[str, Any], money: Callable[[int], str]) -> str:
    return _(
        "Nothing was counted, yet the drawer should hold %(amount)s: type how many of each"
        " note and coin (0 where there are none), then close the day."
    ) % {"amount": money(details["expected_cash"])}


def _off_grid(details: dict[str, Any], money: Callable[[int], str]) -> str:
    # A time sent by hand between the offered ones (09:31 where 09:30 and 09:45 are).
    return _(
        "Bookings start every %(step)s minutes from %(opens)s, so %(asked)s cannot be booked."
        " Choose one of the times shown."
    ) % {
        "step": formats.count(int(details["step"])),
        "opens": details["opens"],
        "asked": details["asked"],
    }


#: Refusals said again from their figures (most need a currency).
_FROM_FIGURES: dict[str, Callable[[dict[str, Any], Callable[[int], str]], str]] = {
    "tab_limit_exceeded": _tab_limit,
    "prepayment_required": _prepayment,
    "deposit_required": _deposit,
    "amount_exceeds_due": _over_due,
    "amount_exceeds_refundable": _over_refundable,
    "refund_first": _refund_first,
    "payment_disputed": _disputed,
    "dispute_of_deposit": _deposit_disputed,
    "tab_state_invalid": _tab_state,
    "staff_has_bookings": _has_bookings,
    "count_missing": _count_missing,
    "slot_off_grid": _off_grid,
}

#: Refusals said in fixed words, whatever detail their message carries (a
#: service's name, the processor's reply). A refusal whose message is always
#: the same needs no entry: its message is a msgid in refusals.po.
_PLAIN = {
    "nothing_to_pay": lambda: _("Nothing is owed on this tab."),
    "tab_already_paid": lambda: _("This tab is already paid."),
    "tab_not_open": lambda: _("Lines can be added to an open tab only."),
    "service_inactive": lambda: _("This service is no longer offered."),
    "processor_unavailable": lambda: _(
        "The card processor could not be reached; nothing was charged. Try again in a moment."
    ),
    "refund_failed": lambda: _(
        "The card processor refused the refund; nothing went back. It is kept, failed, on the "
        "payment."
    ),
    "rate_limited": lambda: _("Too many tries in a short time. Wait a little and try again."),
    "due_date_in_past": lambda: _("The due date is in the past; give today or a later day."),
    "due_date_invalid": lambda: _("Give the due date as a date."),
    "tab_not_invoiceable": lambda: _("Only a served tab can be invoiced."),
    "day_already_closed": lambda: _("This day is already closed."),
    "concern_raised_since": lambda: _("Your concern was already sent: it is listed on this page."),
    # The API's message gives both in minor units ("(380) ... the 200 still due").
    "reward_exceeds_due": lambda: _("This reward is worth more than what is still due on the tab."),
    "dispute_not_found": lambda: _("There is no such dispute."),
    "dispute_closed": lambda: _(
        "This dispute is already closed: a dispute marked won or lost stays so."
    ),
    "secret_key_missing": lambda: _(
        "This server cannot keep Stripe keys yet: SERVEFIRST_SECRET_KEY is not set. Ask whoever"
        " runs the server to set it (the README says how), then save the keys again. Nothing"
        " was changed."
    ),
}


#: An unknown id, by the field that named it: the API's message quotes the
#: id in English ("No such tab: 'tab_...'"); a page says which thing is missing.
_MISSING = {
    "tab_id": lambda: _("There is no such tab."),
    "customer_id": lambda: _("There is no such customer."),
    "service_id": lambda: _("There is no such service."),
    "payment_id": lambda: _("There is no such payment."),
    "booking_id": lambda: _("There is no such booking."),
    "staff_id": lambda: _("There is no such team member."),
    "concern_id": lambda: _("There is no such concern on this tab."),
    "line_no": lambda: _("This tab has no such line."),
    "date": lambda: _("This day has not been closed."),
}


def has_words(error: ServefirstError) -> bool:
    """Whether ``in_words`` says ``error`` in words of its own (a page that
    has its own for some refusals says these, not a vague one)."""
    return error.code in _PLAIN or error.code in _FROM_FIGURES or "words" in error.figures


def in_words(error: ServefirstError) -> str:
    """``error`` as the page's reader reads it."""
    plain = _PLAIN.get(error.code)
    if plain is not None:
        return plain()
    missing = _MISSING.get(error.param or "") if error.code == "resource_missing" else None
    if missing is not None and "words" not in error.figures:
        return missing()
    said = _FROM_FIGURES.get(error.code)
    if said is not None:
        currency = error.figures.get("currency")

        def money(amount: int) -> str:
            return formats.money(int(amount), currency)  # no currency: ValueError

        try:
            return said({**error.details, **error.figures}, money)
        except (KeyError, TypeError, ValueError):
            pass  # figures missing: the error's own words below
    # A message with what was typed in it carries its words (a msgid) and
    # figures: said again in the reader's language.
    words = error.figures.get("words")
    if isinstance(words, str):
        try:
            return _(words) % {k: _figure(v) for k, v in error.figures.items()}
        except (KeyError, TypeError, ValueError):
            pass
    return _(error.message)


def _figure(value: Any) -> Any:
    """A count written as the sentence's language writes it (``formats.count``);
    anything else (what was typed, a currency) as it is."""
    if isinstance(value, int) and not isinstance(value, bool):
        return formats.count(value)
    return value
