"""What the customer's pages say, in a customer's words (never a code or a status).

Pure: no request, no database. The API keeps its stable codes for integrators;
a person paying at a table reads these sentences instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from servefirst.kit import formats
from servefirst.kit.errors import InvalidRequest
from servefirst.kit.i18n import N_, gettext
from servefirst.kit.typed import refuse_nul

#: The card gateway's name when no real money moves (the test cards' gateway).
SANDBOX_GATEWAY = "sandbox"
#: What a customer may type in test mode; a real processor shows nothing.
SANDBOX_CARD = "4242 4242 4242 4242"

#: A refused card, by the gateway's decline code.
CARD_REFUSALS = {
    "card_declined": N_("Your card was declined. Try another card."),
    "insufficient_funds": N_("Your card has insufficient funds."),
    "incorrect_number": N_("That card number was not accepted. Check it, or try another card."),
}
CARD_REFUSED = N_("Your card was not accepted. Try another card.")

#: The fields of the payment form: their errors are shown inside it, by the card.
PAY_FIELDS = frozenset({"card", "tip", "custom_tip", "expected_due"})

#: The most a customer's words may hold: as the API's (``ShortText``), so a
#: concern or a review's comment is never kept shorter than it was said.
COMMENT_MAX = 2000
#: The most any other field of a customer's form takes (a name, an amount, a
#: hidden value): far past what anyone types. Checked here, not by the form's
#: reading, so a longer one gets the page back with why, never bare JSON.
FIELD_MAX = 4000
#: The fields whose refusal is said beside them on the tab page: a customer
#: who sent the rating, the concern or the tip wrong reads why where they
#: choose it again, not at the top of a long page (the payment form's own
#: mistakes are said by the card field: ``belongs_to_pay_form``).
SAID_BESIDE = frozenset(
    {"reason", "comment", "rating", "remedy", "amount", "tip", "custom_tip", "reward_id"}
)

#: What the customer asked for, by remedy.
REMEDY_WORDS = {
    "redo": N_("You asked us to do it again."),
    "partial": N_("You asked for a partial discount."),
    "waive": N_("You asked us to waive the charge."),
}


def is_test_mode(card_gateway: str) -> bool:
    """No real money moves: say so, and which card to try. A real processor says nothing."""
    return card_gateway == SANDBOX_GATEWAY


def card_refusal(code: str) -> str:
    return CARD_REFUSALS.get(code, CARD_REFUSED)


def belongs_to_pay_form(error_type: str, param: str | None) -> bool:
    """Card refusals and payment-form mistakes are shown by the card field."""
    return error_type == "card_error" or param in PAY_FIELDS


def stars_of(typed: str) -> int:
    """The rating chosen, 1 to 5 stars, or a refusal for the stars."""
    stars = typed.strip()
    if stars not in ("1", "2", "3", "4", "5"):
        raise InvalidRequest("Choose how many stars you give, from 1 to 5.", param="rating")
    return int(stars)


def concern_reason(typed: str) -> str:
    """What went wrong, as the customer said it, or a refusal for the field."""
    reason = customer_said(typed, param="reason")
    if not reason:
        raise InvalidRequest("Tell us what went wrong.", param="reason")
    return reason


def customer_said(typed: str, *, param: str) -> str:
    """A customer's own words (a concern, a review's comment), or a refusal for
    the field: never cut short without a word. A line break counts once (a
    browser sends it as two characters)."""
    refuse_nul([(param, typed)])
    said = typed.replace("\r\n", "\n").strip()
    if len(said) > COMMENT_MAX:
        raise InvalidRequest(
            f"Say it in at most {COMMENT_MAX} characters; this has {len(said)}.",
            param=param,
            figures={
                "words": N_("Say it in at most %(most)s characters; this has %(typed)s."),
                "most": COMMENT_MAX,
                "typed": len(said),
            },
        )
    return said


def at_most(said: str, most: int, *, param: str, words: str) -> str:
    """``said`` whole, or a refusal for its field in ``words`` (a msgid taking
    ``most`` and ``typed``): a name or an address is never kept shorter than
    it was typed, as the customers API refuses it too."""
    if len(said) > most:
        raise InvalidRequest(
            f"{param} takes at most {most} characters; this has {len(said)}.",
            code=f"{param}_too_long",
            param=param,
            figures={"words": words, "most": most, "typed": len(said)},
        )
    return said


def within_field_max(form: Mapping[str, str]) -> None:
    """Refuse, naming it, the first field holding a NUL character (no page
    keeps one: ``kit.typed.refuse_nul``), then the first past ``FIELD_MAX``
    characters. Every form of the customer's and booking pages is read through
    here before anything else."""
    refuse_nul(form.items())
    for field, typed in form.items():
        if len(typed) > FIELD_MAX:
            raise InvalidRequest(
                f"{field} takes at most {FIELD_MAX} characters; this has {len(typed)}.",
                param=field,
                figures={
                    "words": N_(
                        "Something typed in this form is too long: at most %(most)s "
                        "characters, and it has %(typed)s. Nothing was changed."
                    ),
                    "most": FIELD_MAX,
                    "typed": len(typed),
                },
            )


@dataclass(frozen=True)
class ConcernWords:
    headline: str
    asked: str


def concern_words(remedy: str, status: str, approved_amount: int, currency: str) -> ConcernWords:
    """A concern as its customer reads it: "Your concern was upheld: €2.00 off",
    in the page's language."""
    asked = gettext(REMEDY_WORDS.get(remedy, N_("You asked for our help.")))
    if status == "approved" and approved_amount:
        off = formats.money(approved_amount, currency)
        return ConcernWords(
            gettext("Your concern was upheld: %(amount)s off.") % {"amount": off}, asked
        )
    if status == "approved":
        return ConcernWords(gettext("Your concern was upheld."), asked)
    if status == "rejected":
        return ConcernWords(gettext("Your concern was not upheld."), asked)
    return ConcernWords(gettext("Your concern is with the staff."), asked)
