"""Every refusal a page raises itself (a form field left empty, a card number
missing) reads in Portuguese: a page says a refusal with ``in_words``, which
looks its English up in the catalogs, so one whose words are missing there
shows English in a Portuguese page."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

from servefirst.kit import errors, i18n
from servefirst.kit.refusals import in_words

SOURCE = Path(i18n.__file__).parents[1]  # src/servefirst


def _is_page_module(path: Path) -> bool:
    return path.parent.name == "web" or path.stem.endswith(("pages", "_page", "_form"))


def _refusals() -> list[tuple[str, str, str, str | None]]:
    """(where, error class, English words, code) of each refusal raised with
    plain words in a page module."""
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        if not _is_page_module(path):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                continue
            call = node.exc
            name = getattr(call.func, "id", None)
            if not isinstance(getattr(errors, name or "", None), type):
                continue
            if not (call.args and isinstance(call.args[0], ast.Constant)):
                continue
            code = next(
                (
                    k.value.value
                    for k in call.keywords
                    if k.arg == "code" and isinstance(k.value, ast.Constant)
                ),
                None,
            )
            where = f"{path.relative_to(SOURCE)}:{node.lineno}"
            found.append((where, str(name), str(call.args[0].value), code))
    return found


REFUSALS = _refusals()


def test_the_page_modules_raise_refusals_to_check() -> None:
    assert any(words == "Enter the card number." for _, _, words, _ in REFUSALS)


@pytest.mark.parametrize(("where", "kind", "words", "code"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_a_page_s_own_refusal_reads_in_portuguese(
    where: str, kind: str, words: str, code: str | None
) -> None:
    error_class = getattr(errors, kind)
    error = error_class(words, code=code) if code else error_class(words)
    with i18n.use_language("pt"):
        said = in_words(error)
    assert said != words, f"{where}: no Portuguese for {words!r}"


#: Refusals of use cases that the console's and the customer's forms pass on
#: as they are (check-in, no-show, a booking made or moved on the day page, a
#: line, cash, a refund, a concern, a card payment).
PASSED_ON = [
    "A booking can be marked as a no-show only after its start time.",
    "A booking starts in the future.",
    "A booking moves to a time in the future.",
    "amount must be more than 0.",
    "tip cannot be negative.",
    "That line is larger than servefirst accepts.",
    "This tab has no active card hold; take the payment another way.",
    "A refund cannot be negative.",
    "A partial remedy needs the amount of the discount asked for.",
    "A card payment needs the card number.",
    "The maximum is below the minimum.",  # a deposit policy's bounds
]


@functools.cache
def _raised_in_the_source() -> set[str]:
    said: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                said.add(node.value)
    return said


@pytest.mark.parametrize("words", PASSED_ON)
def test_a_use_case_s_refusal_a_form_passes_on_reads_in_portuguese(words: str) -> None:
    assert words in _raised_in_the_source(), f"{words!r} is no longer said: update PASSED_ON"
    with i18n.use_language("pt"):
        assert in_words(errors.InvalidRequest(words)) != words
