"""The one Jinja2 environment every page renders with.

Import ``templates`` from here (never build another ``Jinja2Templates``) so the
formatting filters (``kit.formats``) and the shared globals are available in every template.
"""

from __future__ import annotations

import re
import secrets
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates

from servefirst.catalog.rules import statements_of
from servefirst.customers.rules import dialled
from servefirst.guarantee import decision_words
from servefirst.kit import formats, i18n, refusals, typed_days
from servefirst.kit.typed import NUL, echoed
from servefirst.web.booking_words import deposit_words, note_words
from servefirst.web.refund_refusal_words import refund_held_up_words, refund_refused_words

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


def language(request: Request) -> dict[str, Any]:
    """Every page knows its language (``<html lang>``). A page nobody chose one
    for (a customer's) speaks the browser's preferred shipped language."""
    if not i18n.language_is_set():
        i18n.set_language(i18n.negotiate(request.headers.get("accept-language")))
    return {"language": i18n.current_language()}


def without_nul(value: Any) -> Any:
    """What a page writes, NUL characters left out. A refused form is given
    back as typed, and a NUL typed (by a bot, a pasted binary) would be written
    back too: HTML may not hold one (the parser reports it as an error and
    reads it as U+FFFD or nothing). Removed, not replaced by U+FFFD, so the
    form sent again holds what the person can see and nothing more."""
    if isinstance(value, str) and NUL in value:
        return value.replace(NUL, "")  # a Markup stays Markup
    return value


#: What an ``<input>`` of each type may hold as its value (HTML's valid
#: floating-point number, date and time strings).
_INPUT_VALUES = {
    "number": re.compile(r"-?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"),
    "date": re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
    "time": re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,3})?)?"),
}


def fit_for(value: Any, kind: str) -> str:
    """``value`` for an ``<input type=kind>``, or empty when it cannot be one:
    a refused form gives back what was typed, and "two" in a number field (a
    bot, an old browser) would make the page invalid HTML; a browser shows such
    a field empty anyway, and the refusal beside it says what to type."""
    text = "" if value is None else str(value).strip()
    if not _INPUT_VALUES[kind].fullmatch(text):
        return ""
    if kind == "date":
        try:
            date.fromisoformat(text)
        except ValueError:  # 2026-02-30
            return ""
    return text


templates = Jinja2Templates(directory=str(TEMPLATES_DIR), context_processors=[language])
# Before any template is compiled: Jinja2 builds ``finalize`` into each one.
templates.env.finalize = without_nul
templates.env.add_extension("jinja2.ext.i18n")
templates.env.install_gettext_callables(  # type: ignore[attr-defined]
    i18n.gettext, i18n.ngettext, newstyle=True, pgettext=i18n.pgettext
)


# Money, numbers, dates and times in the merchant's locale and on its clock
# (``kit.formats``): ``{{ 450|money("EUR") }}``, ``{{ at|time }}``, ``{{ at|date("full") }}``.
templates.env.filters.update(formats.FILTERS)
templates.env.filters["fit_for"] = fit_for
# A phone number as a tel: link dials it ("+351 210 000 000" is "+351210000000").
templates.env.filters["dial"] = dialled
# What was typed, quoted back in a sentence: its first characters, never a pasted page.
templates.env.filters["echoed"] = echoed
# A booking's note, its deposit's refusal and what the bank did since in the reader's words.
templates.env.filters["note_words"] = note_words
# Why a booking asked a deposit, as its customer read it: in the reader's words.
templates.env.filters["deposit_words"] = deposit_words
# A service's terms (a sentence or a list, as kept) as the statements a page lists.
templates.env.filters["statements"] = statements_of
templates.env.globals["zone_name"] = formats.zone_name
# An amount field's example written as people there type it ("4,50" in Lisbon).
templates.env.globals["decimal_mark"] = formats.decimal_mark
# A day in a text field as the reader types it ("25/11/2026" in Portuguese),
# and the form its hint names ("dd/mm/aaaa"): ``kit.typed_days``.
templates.env.globals["typed_day"] = lambda day: typed_days.shown_day(day, i18n.current_language())
templates.env.globals["day_form"] = lambda: typed_days.form_of(i18n.current_language()).letters
templates.env.globals["day_example"] = lambda: typed_days.day_example(i18n.current_language())
# Words that come from data (a status, a notice chosen by code), marked with
# ``N_`` where they are defined: translated as they are, never %-formatted.
templates.env.globals["translated"] = i18n.gettext
# A concern's decision, kept in English for the API, in the page's words.
templates.env.globals["decision_words"] = decision_words.in_reader_words
# A refusal in the page's words (the API keeps its English message).
templates.env.globals["refusal"] = refusals.in_words
# Why the card processor refused a refund (its code kept in English), in the page's words.
templates.env.globals["refund_refused_words"] = refund_refused_words
templates.env.globals["refund_held_up_words"] = refund_held_up_words
# A form's one-time key, drawn with the page (128 random bits): the same form
# sent twice is one request (``staff.customer_once``).
templates.env.globals["one_time_key"] = lambda: secrets.token_urlsafe(16)
