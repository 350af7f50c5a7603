"""Pure rules about customers: the keys a search compares, and what a merge
of two customers' histories adds up to. No database, no framework."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from servefirst.kit.errors import InvalidRequest

#: Every count of a customer's history (columns of ``customers``); a merge adds them.
HISTORY_COUNTS = (
    "paid_visits",
    "late_payments",
    "no_shows",
    "late_cancellations",
    "write_offs",
    "rejected_concerns",
)

_NOT_DIGIT = re.compile(r"\D+")
#: The fewest digits a phone number has. Texts go to it and customers dial it,
#: so "---" or "()" is no number. A full international number (country code
#: included) has at least 7 digits, and the national numbers people write
#: without one (9 in Portugal) rarely fewer than 6: six refuses nothing real.
PHONE_MIN_DIGITS = 6
#: Between the digits: spaces, brackets, dots, slashes and hyphens, each
#: escaped so a browser compiling the pattern with the ``v`` flag (a form's
#: ``pattern``, a client reading the OpenAPI schema) takes it, not ignores it.
_BETWEEN = r"[ \(\)\.\/\-]"
#: A phone number as servefirst takes one, a customer's or a business's: at
#: least ``PHONE_MIN_DIGITS`` digits after an optional "+", with what people
#: write between them. One pattern for Python, the API's schemas (no
#: look-ahead: their regex engine lacks it) and browsers.
PHONE_PATTERN = rf"^\+?{_BETWEEN}*(?:[0-9]{_BETWEEN}*){{{PHONE_MIN_DIGITS},}}$"
#: The most a phone number holds (the columns' width).
PHONE_MAX = 40
_PHONE = re.compile(PHONE_PATTERN)
#: A refused phone number's code: the API's, the booking page's, the console's.
PHONE_INVALID = "phone_invalid"
_SPACE = re.compile(r"\s+")


def name_key(text: str) -> str:
    """A name as a search compares it: no accents, no case, no spaces.

    "José  da Silva", "jose da silva" and "JOSÉ DASILVA" give one key, so staff
    find a customer however the name was typed at the counter."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACE.sub("", plain.casefold())


def phone_key(text: str | None) -> str | None:
    """A phone number as a search compares it: its digits only ("+351 912-345 678"
    and "912345678" share the digits a search looks for). None when no digits."""
    if not text:
        return None
    digits = _NOT_DIGIT.sub("", text)
    return digits or None


def is_phone(text: str) -> bool:
    """Whether ``text`` (trimmed) is a phone number as servefirst takes one."""
    return len(text) <= PHONE_MAX and bool(_PHONE.match(text))


def check_phone(text: str, *, param: str = "phone") -> str | None:
    """A phone number to keep, trimmed and as it was written ("+351 213 000 000"
    stays spaced: it is shown as the owner wrote it), None for an empty one,
    or 422 ``phone_invalid``."""
    text = text.strip()
    if not text:
        return None
    if not is_phone(text):
        raise InvalidRequest(
            f"'{text}' is not a phone number: use at least {PHONE_MIN_DIGITS} digits, optionally"
            f" after a '+' and with spaces, at most {PHONE_MAX} characters, such as"
            " '+351 213 000 000'.",
            code=PHONE_INVALID,
            param=param,
        )
    return text


def dialled(text: str | None) -> str | None:
    """What a ``tel:`` link dials: the digits, after a "+" when the number was
    written with one ("+351 213 000 000" is "+351213000000"). None when no digits."""
    digits = phone_key(text)
    if digits is None or text is None:
        return None
    return f"+{digits}" if text.strip().startswith("+") else digits


#: How many of a phone's last digits say it is the same phone: the national
#: number in most of Europe, so "+351 912 345 678" and "912 345 678" agree.
PHONE_TAIL = 9


def phone_tail(text: str | None) -> str | None:
    """The digits that say two phones are the same one, country code or not."""
    key = phone_key(text)
    return key[-PHONE_TAIL:] if key else None


def email_key(text: str | None) -> str | None:
    """An e-mail as a duplicate check compares it: trimmed, without case."""
    if not text or not text.strip():
        return None
    return text.strip().casefold()


@dataclass(frozen=True)
class Contact:
    """Who a customer is, as the duplicate check and a merge see them."""

    name: str
    email: str | None
    phone: str | None


def likely_same(new: Contact, old: Contact) -> list[str]:
    """Why ``new`` is probably ``old`` already: "email" and/or "phone" when
    they are the same once normalised. A name alone is not enough (two Anas)."""
    reasons = []
    if email_key(new.email) is not None and email_key(new.email) == email_key(old.email):
        reasons.append("email")
    if phone_tail(new.phone) is not None and phone_tail(new.phone) == phone_tail(old.phone):
        reasons.append("phone")
    return reasons


def merged_contact(kept: Contact, merged: Contact) -> Contact:
    """The surviving customer keeps their own details; what they lack is taken
    from the customer merged into them (a phone known only on the duplicate
    is not lost)."""
    return Contact(
        name=kept.name,
        email=kept.email or merged.email,
        phone=kept.phone or merged.phone,
    )


def merged_counts(kept: dict[str, int], merged: dict[str, int]) -> dict[str, int]:
    """Both histories counted as one: each count the sum of the two."""
    return {k: int(kept.get(k, 0)) + int(merged.get(k, 0)) for k in HISTORY_COUNTS}
