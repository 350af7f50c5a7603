"""What a merchant's settings may be: pure checks, no database."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale, UnknownLocaleError

from servefirst.kit.errors import InvalidRequest
from servefirst.kit.tax_ids import check_tax_id


def check_timezone(name: str) -> str:
    """An IANA zone name ('Europe/Lisbon'), or 422: the day of every report hangs on it."""
    name = (name or "").strip()
    # available_timezones() rules out what ZoneInfo would also open, such as a
    # path into the zone directory ("../zoneinfo/UTC") or "localtime".
    if name not in available_timezones():
        raise InvalidRequest(
            f"'{name}' is not a time zone. Use an IANA name such as 'Europe/Lisbon'.",
            code="timezone_invalid",
            param="timezone",
        )
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidRequest(
            f"'{name}' is not a time zone.", code="timezone_invalid", param="timezone"
        ) from None
    return name


def check_locale(tag: str) -> str:
    """A locale Babel knows ('pt_PT', 'pt-PT', 'en'), normalised to 'pt_PT', or 422."""
    try:
        locale = Locale.parse((tag or "").strip().replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        raise InvalidRequest(
            f"'{tag}' is not a locale. Use a language and region such as 'pt_PT' or 'en_GB'.",
            code="locale_invalid",
            param="locale",
        ) from None
    return str(locale)


_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def check_slug(slug: str) -> str:
    """A name for booking links: lowercase letters, digits and hyphens, or 422."""
    slug = (slug or "").strip()
    if not _SLUG.match(slug) or "--" in slug:
        raise InvalidRequest(
            f"'{slug}' cannot be a slug: use 1 to 63 lowercase letters, digits and single"
            " hyphens, starting and ending with a letter or digit ('cafe-azul').",
            code="slug_invalid",
            param="slug",
        )
    return slug


def check_seller(given: dict[str, str], *, country: str | None) -> dict[str, str | None]:
    """The seller's details for receipts (``legal_name``, ``address``,
    ``tax_id``) as they are to be kept: trimmed, the tax id checked against
    ``country``'s rules, an empty one taken off (None)."""
    kept: dict[str, str | None] = {}
    for detail, value in given.items():
        text = value.strip()
        if detail == "address":
            text = "\n".join(line.strip() for line in text.splitlines() if line.strip())
        if detail == "tax_id" and text:
            text = check_tax_id(text, country=country)
        kept[detail] = text or None
    return kept
