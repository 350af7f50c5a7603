"""A schema's refusal of a console form's field, in the words staff read.

The console's forms check what was typed with the API's own schemas
(pydantic), whose complaints are English and name their patterns
("String should match pattern '^[^@\\s]+@...'"). Here the ones a person can
act on are said in the console's language instead, with the field named as
the form names it; others keep pydantic's words. Said when the form is
refused, in the language of the page being answered.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from servefirst.kit.errors import InvalidRequest
from servefirst.kit.i18n import N_
from servefirst.kit.i18n import gettext as _

#: A field's refusal by its kind, in words.
PROBLEMS = {
    "string_too_short": N_("it cannot be empty"),
    "string_too_long": N_("it takes at most %(max_length)s characters"),
    "too_long": N_("it takes at most %(max_length)s lines"),
    "string_pattern_mismatch": N_("it holds a character that cannot be kept"),
}
#: What a field's pattern asks for, where it asks more than no NUL characters.
PATTERNS = {
    "email": N_("write it like name@example.com"),
    "phone": N_("write it in digits, like +351 912 345 678"),
}


def refused_field(exc: ValidationError, names: Mapping[str, str]) -> InvalidRequest:
    """The first field ``exc`` refuses, as a 422 naming it (``names``: the
    fields as the form calls them, marked for translation)."""
    errors = exc.errors()
    # Of a union's errors (a sentence or a list of them), the one a person can act on.
    first = next((e for e in errors if e["type"] in PROBLEMS), errors[0])
    field = str((first.get("loc") or ("form",))[0])
    return InvalidRequest(
        _("Check %(field)s: %(problem)s.")
        % {"field": _(names.get(field, field)), "problem": _problem(first, field)},
        param=field,
    )


def _problem(error: Any, field: str) -> str:
    if error["type"] == "string_pattern_mismatch" and field in PATTERNS:
        return _(PATTERNS[field])
    words = PROBLEMS.get(error["type"])
    if words is None:
        return str(error["msg"])
    return _(words) % {"max_length": (error.get("ctx") or {}).get("max_length", "")}
