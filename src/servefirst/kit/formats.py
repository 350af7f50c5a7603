"""Numbers, money, dates and times as the merchant's customers read them (Babel).

A Portuguese café shows "4,50 €" and "14:30"; a London one "€4.50". Every time
is stored in UTC and shown on the merchant's clock (its IANA zone).

The place (locale and zone) is a context variable set once per request, like
the language in ``kit.i18n``: the console sets it from the signed-in member's
merchant, the customer's page from the tab's merchant. Money and numbers follow
the merchant's locale; the words of a date (month and day names) follow the
page's language, so an English-speaking member of a Lisbon café reads
"4 Dec 2026" and a Portuguese-speaking one "4/12/2026".

Pages use these as Jinja filters (``web/templating.py``): ``money``, ``number``,
``date``, ``time``, ``datetime``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers

from servefirst.kit import i18n
from servefirst.kit.money import Money, minor_digits

#: Before a merchant is known (the sign-in page): British English, UTC.
DEFAULT_LOCALE = "en_GB"


@dataclass(frozen=True)
class Place:
    locale: str
    zone: ZoneInfo


DEFAULT_PLACE = Place(DEFAULT_LOCALE, ZoneInfo("UTC"))
_place: ContextVar[Place | None] = ContextVar("servefirst_place", default=None)


def _usable(locale: str | None) -> str:
    """``locale`` if Babel knows it ('pt_PT', 'pt-PT'), else the default."""
    try:
        return str(Locale.parse((locale or "").replace("-", "_")))
    except (ValueError, UnknownLocaleError):
        return DEFAULT_LOCALE


def place_of(locale: str | None, zone: str | ZoneInfo | None) -> Place:
    if isinstance(zone, ZoneInfo):
        tz = zone
    else:
        try:
            tz = ZoneInfo(zone or "UTC")
        except (ValueError, KeyError):
            tz = ZoneInfo("UTC")
    # A bare "en" (the default of a new merchant) reads as British English: "€4.50", "4 Dec".
    chosen = DEFAULT_LOCALE if (locale or "en") == "en" else _usable(locale)
    return Place(chosen, tz)


def set_place(locale: str | None, zone: str | ZoneInfo | None) -> None:
    """For the rest of this request (each request runs in its own context)."""
    _place.set(place_of(locale, zone))


@contextmanager
def use_place(locale: str | None, zone: str | ZoneInfo | None) -> Iterator[None]:
    token = _place.set(place_of(locale, zone))
    try:
        yield
    finally:
        _place.reset(token)


def current_place() -> Place:
    return _place.get() or DEFAULT_PLACE


def _reading_locale() -> str:
    """How a date or a count inside a sentence of the page is written: the
    merchant's locale when it speaks the page's language, else that language's
    (a Portuguese reader of a London café reads "2000", never "2,000")."""
    locale = current_place().locale
    language = i18n.current_language()
    if i18n.language_of(locale) == language:
        return locale
    return DEFAULT_LOCALE if language == "en" else language


def local(at: datetime) -> datetime:
    """``at`` on the merchant's clock (a naive time is taken as UTC)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(current_place().zone)


def money(amount: int | Money | None, currency: str | None = None) -> str:
    """``{{ 450|money("EUR") }}`` or ``{{ some_money|money }}`` -> '€4.50' / '4,50 €'.

    Amounts are integer minor units; the currency's own number of decimals is
    used (JPY has none), so no page ever divides by 100 itself."""
    if amount is None:
        return ""
    if isinstance(amount, Money):
        minor, currency = amount.amount, amount.currency
    elif currency is None:
        raise ValueError("money filter needs a currency for a bare integer amount")
    else:
        minor = int(amount)
    major = Decimal(minor).scaleb(-minor_digits(currency))
    return str(babel_numbers.format_currency(major, currency, locale=current_place().locale))


def decimal_mark() -> str:
    """The place's decimal separator ("," in Lisbon, "." in London): what a
    person there types in an amount."""
    return str(babel_numbers.get_decimal_symbol(current_place().locale))


def number(value: int | float | Decimal | None) -> str:
    if value is None:
        return ""
    return str(babel_numbers.format_decimal(value, locale=current_place().locale))


def count(value: int) -> str:
    """A count in a sentence of the page's language ('10,080' in English,
    '10 080' in Portugal's Portuguese), as ``_reading_locale`` says."""
    return str(babel_numbers.format_decimal(value, locale=_reading_locale()))


def decimal(value: int | float | Decimal) -> str:
    """A figure inside a sentence or a form of the page ('12.5' / '12,5'), as
    ``_reading_locale`` says: what a reader types back is read the same way."""
    return str(babel_numbers.format_decimal(value, locale=_reading_locale()))


def percent(value: int | None) -> str:
    """A whole percent (``12`` -> '12%' / '12%')."""
    if value is None:
        return ""
    return str(babel_numbers.format_percent(Decimal(value) / 100, locale=current_place().locale))


def format_date(at: date | datetime | None, form: str = "medium") -> str:
    """A day: ``medium`` '4 Dec 2026', ``long``, ``full`` (with the weekday)."""
    if at is None:
        return ""
    day = local(at).date() if isinstance(at, datetime) else at
    return str(babel_dates.format_date(day, form, locale=_reading_locale()))


def format_weekday(day: date) -> str:
    """The day of the week as the language writes it in a sentence: 'Saturday',
    'sábado' (Portuguese writes weekdays lower-case)."""
    return str(babel_dates.format_date(day, "EEEE", locale=_reading_locale()))


def format_day(day: date) -> str:
    """A day in few letters, for a chart's axis: '19 Jul' / '19/07'."""
    return str(babel_dates.format_skeleton("MMMd", day, locale=_reading_locale()))


def format_time(at: datetime | None) -> str:
    """The merchant's wall-clock time, '14:30'."""
    if at is None:
        return ""
    return str(babel_dates.format_time(local(at), "HH:mm", locale=_reading_locale()))


def format_datetime(at: datetime | None, form: str = "medium") -> str:
    """A day and its time on the merchant's clock, '4 Dec 2026, 14:30'."""
    if at is None:
        return ""
    return f"{format_date(at, form)}, {format_time(at)}"


def zone_name() -> str:
    return current_place().zone.key


#: The filters every page template has (``web/templating.py``).
FILTERS = {
    "money": money,
    "number": number,
    "decimal": decimal,
    "percent": percent,
    "date": format_date,
    "time": format_time,
    "datetime": format_datetime,
}
