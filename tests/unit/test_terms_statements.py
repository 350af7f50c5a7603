"""Terms as a page lists them: a sentence is one statement, never its letters;
a blank one is none; a list keeps its statements in order."""

from __future__ import annotations

from servefirst.catalog.rules import statements_of


def test_a_sentence_is_one_statement() -> None:
    assert statements_of("  Your hair cut as you chose it ") == ["Your hair cut as you chose it"]


def test_a_blank_sentence_or_an_empty_list_is_no_statement() -> None:
    assert statements_of("   ") == [] and statements_of([]) == []


def test_a_list_keeps_its_statements_and_drops_blanks_kept_before_they_were_refused() -> None:
    assert statements_of(["A cut", " ", "Hair dried "]) == ["A cut", "Hair dried"]
