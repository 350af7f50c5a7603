"""Pages and e-mails in the reader's language: English (the source) and Portuguese.

In the kit because pages, e-mails and the words rules give all need it.

Words are marked with ``_()`` in templates (Jinja's i18n extension, new style:
``{{ _("Hello %(name)s", name=n) }}``) and with ``gettext`` in Python. The
Portuguese words live in ``servefirst/locales/pt/LC_MESSAGES/*.po``: every file there is
loaded and merged, so each feature keeps its own catalog (``pybabel extract
-F babel.cfg`` finds what needs words; ``tests/unit/test_translations.py``
checks that every marked string has them).

The language is a context variable, set once per request: a customer's page
by the browser's ``Accept-Language``, the console by the signed-in member's
choice or else the merchant's locale, an e-mail by the merchant's locale.
"""

from __future__ import annotations

import gettext as stdlib_gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

#: The languages pages ship in; the first is the source language of the templates.
LANGUAGES = ("en", "pt")
SOURCE_LANGUAGE = LANGUAGES[0]
LOCALES_DIR = Path(__file__).parents[1] / "locales"

_language: ContextVar[str | None] = ContextVar("servefirst_language", default=None)


def language_of(locale: str | None) -> str:
    """The shipped language for a locale or language tag ('pt_PT', 'pt-BR', 'en-GB')."""
    primary = (locale or "").replace("-", "_").split("_")[0].strip().lower()
    return primary if primary in LANGUAGES else SOURCE_LANGUAGE


def negotiate(accept_language: str | None) -> str:
    """The shipped language a browser prefers most (RFC 9110 quality values)."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate((accept_language or "").split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.strip().replace("_", "-").split("-")[0].lower()
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else SOURCE_LANGUAGE


@cache
def translations(language: str) -> stdlib_gettext.NullTranslations:
    """Every catalog of ``language``, merged (each feature's file adds its words)."""
    merged: stdlib_gettext.NullTranslations = stdlib_gettext.NullTranslations()
    for path in sorted((LOCALES_DIR / language / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as po:
            catalog = read_po(po, locale=language)
        compiled = BytesIO()
        write_mo(compiled, catalog)
        compiled.seek(0)
        words = stdlib_gettext.GNUTranslations(compiled)
        # Chained: a word missing from one file is looked up in the next.
        merged.add_fallback(words)
    return merged


def current_language() -> str:
    return _language.get() or SOURCE_LANGUAGE


def language_is_set() -> bool:
    return _language.get() is not None


def set_language(language: str) -> None:
    """For the rest of this request (each request runs in its own context)."""
    _language.set(language_of(language))


@contextmanager
def use_language(language: str) -> Iterator[None]:
    """For a block: an e-mail in its merchant's language, whatever the request's."""
    token = _language.set(language_of(language))
    try:
        yield
    finally:
        _language.reset(token)


def gettext(message: str) -> str:
    return translations(current_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_language()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """Words whose Portuguese depends on where they stand ("Open": a button's
    "Abrir", a dispute's "Aberta"): the catalog keys them by ``msgctxt``."""
    return translations(current_language()).pgettext(context, message)


def N_(message: str) -> str:
    """Marks words to translate later (when shown), where the language is not known yet."""
    return message
