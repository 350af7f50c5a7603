"""Every refusal a page raises itself (a form field left empty, a card number
missing) reads in Portuguese: a page says a refusal with ``in_words``, which
looks its English up in the catalogs, so one whose words are missing there
shows English in a Portuguese page."""

from __future__ import annotations

import ast
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
