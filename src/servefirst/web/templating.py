"""The one Jinja2 environment every page renders with.

Import ``templates`` from here (never build another ``Jinja2Templates``) so the
formatting filters (``kit.formats``) and the shared globals are available in every template.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates

from servefirst.kit import formats, i18n, refusals, typed_days

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


def language(request: Request) -> dict[str, Any]:
    """Every page knows its language (``<html lang>``). A page nobody chose one
    for (a customer's) speaks the browser's preferred shipped language."""
    if not i18n.language_is_set():
        i18n.set_language(i18n.negotiate(request.headers.get("accept-language")))
    return {"language": i18n.current_language()}


templates = Jinja2Templates(directory=str(TEMPLATES_DIR), context_processors=[language])
templates.env.add_extension("jinja2.ext.i18n")
templates.env.install_gettext_callables(  # type: ignore[attr-defined]
    i18n.gettext, i18n.ngettext, newstyle=True, pgettext=i18n.pgettext
)


# Money, numbers, dates and times in the merchant's locale and on its clock
# (``kit.formats``): ``{{ 450|money("EUR") }}``, ``{{ at|time }}``, ``{{ at|date("full") }}``.
templates.env.filters.update(formats.FILTERS)
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
# A refusal in the page's words (the API keeps its English message).
templates.env.globals["refusal"] = refusals.in_words
