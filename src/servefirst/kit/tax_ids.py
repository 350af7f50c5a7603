"""Tax ids (NIF, VAT numbers) as a receipt must carry them: checked, then kept
in one written form.

Checked with python-stdnum, which knows the check digits of most countries'
tax numbers and works offline:

- a number that starts with a country's two letters (``PT501964843``,
  ``DE136695976``) is checked by that country's rules: the EU's VAT-number
  form, which a business buying abroad gives;
- a bare number is checked by the rules of the country of the merchant's
  locale (``pt_PT``: a Portuguese NIF, nine digits and a check digit);
- where stdnum knows no rules for that country, a conservative shape is
  accepted: 4 to 20 letters and digits, at least two of them digits (spaces,
  dots, hyphens and slashes are dropped). Anything else is refused rather than
  printed on a receipt the customer cannot use.
"""

from __future__ import annotations

import re
from typing import Any

from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.util import get_cc_module

from servefirst.kit.errors import InvalidRequest

_SEPARATORS = re.compile(r"[\s.\-/]")
_PLAIN = re.compile(r"^(?=(?:.*\d){2})[A-Z0-9]{4,20}$")
MAX_LENGTH = 32


def _rules_of(country: str | None) -> Any:
    """stdnum's module for the country's tax numbers (with ``validate``), or None."""
    if not country or len(country) != 2 or not country.isalpha():
        return None
    # Greece writes EL in VAT numbers, GR elsewhere; stdnum names it gr.
    code = {"el": "gr"}.get(country.lower(), country.lower())
    try:
        module = get_cc_module(code, "vat")
    except ImportError:
        return None
    return module if module is not None and hasattr(module, "validate") else None


def country_of_locale(locale: str | None) -> str | None:
    """'pt_PT' -> 'PT'; None when the locale names no region ('en')."""
    parts = (locale or "").replace("-", "_").split("_")
    return parts[1].upper() if len(parts) > 1 and len(parts[1]) == 2 else None


def check_tax_id(value: str, *, country: str | None, param: str = "tax_id") -> str:
    """``value`` checked and written compactly (``PT501964843``, ``501964843``), or 422."""
    compact = _SEPARATORS.sub("", value or "").upper()
    if not compact:
        raise InvalidRequest("The tax id is empty.", code="tax_id_invalid", param=param)
    prefix = compact[:2]
    prefixed = _rules_of(prefix) if prefix.isalpha() else None
    rules, number, keep = (
        (prefixed, compact[2:], prefix) if prefixed else (_rules_of(country), compact, "")
    )
    if rules is None:
        if len(compact) > MAX_LENGTH or not _PLAIN.match(compact):
            raise InvalidRequest(
                f"'{value}' does not look like a tax id: use 4 to 20 letters and digits, or"
                " a VAT number with its country's two letters first (PT501964843).",
                code="tax_id_invalid",
                param=param,
            )
        return compact
    where = (keep or country or "").upper()
    try:
        checked = str(rules.validate(number))
    except InvalidChecksum:
        raise InvalidRequest(
            f"'{value}' is not a valid {where} tax id: its check digit does not match.",
            code="tax_id_invalid",
            param=param,
        ) from None
    except ValidationError as exc:
        raise InvalidRequest(
            f"'{value}' is not a valid {where} tax id: {str(exc).rstrip('.').lower()}.",
            code="tax_id_invalid",
            param=param,
        ) from None
    return f"{keep}{checked}"[:MAX_LENGTH]
