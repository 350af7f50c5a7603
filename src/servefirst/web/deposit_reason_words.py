"""Why a booking's deposit was or was not asked, in the reader's language.

The deposit rules (``bookings.rules.decide_deposit``), the no-show model
(``risk.decision``, ``risk.model``) and the card steps after (``deposit_phases``,
``hold_raises``, ``hold_fees``) write the reason in English, and it is kept
so (``bookings.deposit_reason``; the API gives it as written). Their words are
a known set: each sentence is read back here, its numbers kept, and said in
the page's language. A sentence not of the set (cut short by the column's
length, or written before these words) stays as it was written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from servefirst.kit import formats
from servefirst.kit.i18n import gettext, ngettext

#: The rules' fixed sentences.
_FIXED = {
    "This business does not take deposits.": lambda: gettext(
        "This business does not take deposits."
    ),
    "The deposit policy asks for nothing here.": lambda: gettext(
        "The deposit policy asks for nothing here."
    ),
    "New customer: a small deposit holds the slot.": lambda: gettext(
        "New customer: a small deposit holds the slot."
    ),
    "Past unpaid or missed visits: a deposit holds the slot.": lambda: gettext(
        "Past unpaid or missed visits: a deposit holds the slot."
    ),
    "A deposit holds the slot until trust is earned.": lambda: gettext(
        "A deposit holds the slot until trust is earned."
    ),
    "This business asks every customer for a deposit.": lambda: gettext(
        "This business asks every customer for a deposit."
    ),
    "New customer: no deposit needed.": lambda: gettext("New customer: no deposit needed."),
    "Trusted customer: no deposit needed.": lambda: gettext("Trusted customer: no deposit needed."),
    "Standard customer: no deposit needed.": lambda: gettext(
        "Standard customer: no deposit needed."
    ),
}

_DAYS = {
    "Monday": lambda: gettext("on a Monday"),
    "Tuesday": lambda: gettext("on a Tuesday"),
    "Wednesday": lambda: gettext("on a Wednesday"),
    "Thursday": lambda: gettext("on a Thursday"),
    "Friday": lambda: gettext("on a Friday"),
    "Saturday": lambda: gettext("on a Saturday"),
    "Sunday": lambda: gettext("on a Sunday"),
}


def _count(text: str) -> int:
    return int(text)


def _what(words: str) -> str | None:
    """One factor's subject (``risk.model._words``), or None when unknown."""
    fixed = {
        "booked the same day": lambda: gettext("booked the same day"),
        "starts before 10:00": lambda: gettext("starts before 10:00"),
        "starts at 17:00 or later": lambda: gettext("starts at 17:00 or later"),
        "booked before 08:00": lambda: gettext("booked before 08:00"),
        "first visit": lambda: gettext("first visit"),
        "other bookings still to come": lambda: gettext("other bookings still to come"),
        "the price of the service": lambda: gettext("the price of the service"),
    }
    if words in fixed:
        return fixed[words]()
    if (day := re.fullmatch(r"on a (\w+)", words)) and day[1] in _DAYS:
        return _DAYS[day[1]]()
    if weeks := re.fullmatch(r"booked (\d+) weeks ahead", words):
        n = _count(weeks[1])
        return ngettext("booked %(n)s week ahead", "booked %(n)s weeks ahead", n) % {
            "n": formats.count(n)
        }
    if days := re.fullmatch(r"booked (\d+) days? ahead", words):
        n = _count(days[1])
        return ngettext("booked %(n)s day ahead", "booked %(n)s days ahead", n) % {
            "n": formats.count(n)
        }
    if missed := re.fullmatch(r"(\d+) missed bookings? before", words):
        n = _count(missed[1])
        return ngettext("%(n)s missed booking before", "%(n)s missed bookings before", n) % {
            "n": formats.count(n)
        }
    if kept := re.fullmatch(r"(\d+) visits? kept before", words):
        n = _count(kept[1])
        return ngettext("%(n)s visit kept before", "%(n)s visits kept before", n) % {
            "n": formats.count(n)
        }
    return None


_FACTOR = re.compile(r"(?P<what>.+): no-shows are (?P<x>\d+\.\d) times (?P<way>as|less) likely")


def _factor(text: str) -> str | None:
    found = _FACTOR.fullmatch(text)
    what = _what(found["what"]) if found else None
    if found is None or what is None:
        return None
    times = formats.decimal(Decimal(found["x"]))
    likely = (
        gettext("no-shows are %(times)s times as likely")
        if found["way"] == "as"
        else gettext("no-shows are %(times)s times less likely")
    ) % {"times": times}
    return f"{what}: {likely}"


def _model(found: re.Match[str]) -> str | None:
    """The no-show model's sentence: the chance, then its strongest factors."""
    chance = {"percent": formats.percent(int(found["p"]))}
    if found["head"] == "Deposit asked":
        head = gettext("Deposit asked: a %(percent)s chance of a no-show") % chance
    else:
        head = gettext("No deposit needed: a %(percent)s chance of a no-show") % chance
    if not found["factors"]:
        return f"{head}."
    factors = [_factor(f) for f in found["factors"].split("; ")]
    if any(f is None for f in factors):
        return None
    return f"{head} ({'; '.join(f for f in factors if f)})."


def _again(found: re.Match[str]) -> str:
    n = _count(found["n"])
    return ngettext(
        "%(n)s missed booking: a deposit is needed again.",
        "%(n)s missed bookings: a deposit is needed again.",
        n,
    ) % {"n": formats.count(n)}


#: Each known sentence, read from the start of what is left of the reason.
_SENTENCES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str | None]]] = [
    (
        re.compile("|".join(re.escape(s) for s in _FIXED)),
        lambda found: _FIXED[found[0]](),
    ),
    (re.compile(r"(?P<n>\d+) missed bookings?: a deposit is needed again\."), _again),
    (
        re.compile(
            r"(?P<head>Deposit asked|No deposit needed): a (?P<p>\d+)% chance of a no-show"
            r"(?: \((?P<factors>[^()]+)\))?\."
        ),
        _model,
    ),
    (
        re.compile(
            r"Card ending (?P<last4>\d{4}) charged now: the booking is too far ahead for a"
            r" card hold\."
        ),
        lambda found: (
            gettext(
                "Card ending %(last4)s charged now: the booking is too far ahead for a card hold."
            )
            % {"last4": found["last4"]}
        ),
    ),
    (
        re.compile(r"The card hold lapsed and could not be renewed \((?P<code>\w*)\)\."),
        lambda found: (
            gettext("The card hold lapsed and could not be renewed (%(code)s).")
            % {"code": found["code"]}
        ),
    ),
    (
        re.compile(
            r"The rest of the deposit could not be held again on the card \((?P<code>\w*)\)\."
        ),
        lambda found: (
            gettext("The rest of the deposit could not be held again on the card (%(code)s).")
            % {"code": found["code"]}
        ),
    ),
]


def deposit_reason_words(reason: str | None) -> str:
    """``reason`` in the page's language, sentence by sentence; what is not
    of the known set (and all after it) as it was written."""
    rest, said = (reason or "").strip(), []
    while rest:
        for pattern, say in _SENTENCES:
            found = pattern.match(rest)
            words = say(found) if found else None
            if found and words is not None:
                said.append(words)
                rest = rest[found.end() :].lstrip()
                break
        else:
            said.append(rest)
            break
    return " ".join(said)
