"""Reading what people type into page forms.

Page forms speak in major units ("4.50") because that is what a person types;
the services speak in integer minor units. The conversion lives here, once.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from servefirst.kit import formats
from servefirst.kit.errors import InvalidRequest
from servefirst.kit.i18n import N_
from servefirst.kit.money import MAX_AMOUNT, minor_digits

#: A NUL character: no person types it (a bot or a pasted binary does),
#: PostgreSQL cannot store it in text, and SQLite would keep it. The API's
#: schemas refuse it (``api.fields.NO_NUL``); a page refuses it here, before
#: anything is read from the database or written.
NUL = "\x00"
#: The refusal's code, for a form whose fields have words of their own.
NUL_CODE = "nul_character"
NUL_REFUSED = N_(
    "Something sent with this form holds a character that cannot be kept (a NUL "
    "character). Nothing was changed: type it again and send it."
)


def refuse_nul(form: Iterable[tuple[str, str]]) -> None:
    """Refuse, naming it (``param``, so a page says it beside the field), the
    first field of a page's form whose name or value holds a NUL character."""
    for field, typed in form:
        if NUL in typed or NUL in field:
            raise InvalidRequest(
                f"{field.replace(NUL, '')} holds a NUL character, which cannot be kept.",
                code=NUL_CODE,
                param=field.replace(NUL, ""),
                figures={"words": NUL_REFUSED},
            )


#: How much of a wrong entry a refusal repeats: enough to recognise it, never
#: a pasted page that would bury the field under it.
ECHOED_AT_MOST = 20


def echoed(text: str) -> str:
    """``text`` as a refusal quotes it: cut, with an ellipsis, past ``ECHOED_AT_MOST``."""
    return text if len(text) <= ECHOED_AT_MOST else text[:ECHOED_AT_MOST] + "…"


def parse_amount(text: str | None, currency: str, *, param: str) -> int | None:
    """'4.50' or '4,50' in ``currency`` -> 450 minor units; blank -> None.

    Refuses negatives, more decimals than the currency has, and absurd sizes
    with a 422 naming the field, so a page shows it next to the form.
    """
    cleaned = (text or "").strip().replace(" ", "")
    if not cleaned:
        return None
    for symbol in ("€", "$", "£", "¥"):
        cleaned = cleaned.replace(symbol, "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")  # a decimal comma, as typed in most of Europe
    digits = minor_digits(currency)
    try:
        value = Decimal(cleaned)
        if not value.is_finite():
            raise InvalidOperation  # "nan" or "inf" is no amount, not a negative one
    except InvalidOperation:
        raise InvalidRequest(
            f"'{echoed(text or '')}' is not an amount; write it like 2.50.",
            param=param,
            figures={
                "words": N_("'%(typed)s' is not an amount; write it like 2.50."),
                "typed": echoed(text or ""),
            },
        ) from None
    if value < 0:
        raise InvalidRequest("An amount cannot be negative: write zero or more.", param=param)
    minor = value.scaleb(digits)
    if minor != minor.to_integral_value():
        raise InvalidRequest(
            f"{currency} amounts have at most {digits} decimals.",
            param=param,
            figures={
                "words": N_("%(currency)s amounts have at most %(digits)s decimals."),
                "currency": currency,
                "digits": digits,
            },
        )
    if minor > MAX_AMOUNT:
        raise InvalidRequest("That amount is too large.", param=param)
    return int(minor)


def parse_amount_or_zero(text: str | None, currency: str, *, param: str = "amount") -> int:
    """As ``parse_amount``, for fields where blank means nothing (a tip, cash taken)."""
    return parse_amount(text, currency, param=param) or 0


def format_amount(minor: int, currency: str) -> str:
    """Minor units back to what people type (for a form's default value),
    with the place's decimal mark: a Lisbon till reads 29,75 in the field
    beside 29,75 € on the bill (``parse_amount`` takes either mark back)."""
    digits = minor_digits(currency)
    typed = f"{Decimal(minor).scaleb(-digits):.{digits}f}"
    return typed.replace(".", formats.decimal_mark()) if digits else typed


def parse_int(text: str | None, *, param: str, low: int, high: int) -> int:
    """A whole number from a form field within [low, high], or a 422 naming it."""
    try:
        value = int((text or "").strip())
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise InvalidRequest(
            f"Choose a whole number from {low} to {high}.",
            param=param,
            figures={
                "words": N_("Choose a whole number from %(low)s to %(high)s."),
                "low": low,
                "high": high,
            },
        )
    return value
