"""Terms as a customer reads them (pure: no database, no web).

A service's terms are kept in the form they were given: a sentence or a list
of statements (``api.fields.Terms`` says what is accepted). A page shows them
as statements, one item each: a sentence is one statement (never its letters
one by one), and a blank one (a sentence left empty, or a statement saved
blank before such were refused) is no statement at all.
"""

from __future__ import annotations


def statements_of(terms: object) -> list[str]:
    """``terms`` as kept, as the statements a page lists."""
    if isinstance(terms, str):
        return [terms.strip()] if terms.strip() else []
    if isinstance(terms, list):
        return [item.strip() for item in terms if isinstance(item, str) and item.strip()]
    return []
