"""A refused entry in the tab page's corrections (void a line, refund a
payment) and in the services page's tax-rate form is said beside the field
that is wrong, marked for screen readers, with what was typed kept; the top
of the page carries no error then. In English and in Portuguese."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import Merchant
from tests.integration.test_pages_staff import Staff
from tests.integration.test_refund_pages import _cash, _portuguese

TOP_ERROR = 'class="flash flash-error"'


def said_beside(page: str, field_id: str) -> str:
    """The refusal said beside the field ``field_id``, which points at it."""
    field = re.search(rf'<input[^>]*id="{re.escape(field_id)}"[^>]*>', page)
    assert field, page
    assert 'aria-invalid="true"' in field.group(0), field.group(0)
    assert f'aria-describedby="{field_id}-error"' in field.group(0), field.group(0)
    said = re.search(
        rf'class="field-error" role="alert" id="{re.escape(field_id)}-error">([^<]*)<', page
    )
    assert said, page
    assert TOP_ERROR not in page
    return html.unescape(said.group(1))


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "Say why (the reason is kept with the record)."), ("pt", "Diga porquê")],
)
def test_a_void_without_a_reason_is_refused_beside_the_reason(
    merchant: Merchant, signed_in: Callable[..., Staff], language: str, words: str
) -> None:
    manager = signed_in(merchant, "manager")
    if language == "pt":
        _portuguese(merchant, manager)
    tab = merchant.served_tab(450, 380)
    refused = manager.post(f"/staff/tabs/{tab['id']}/lines/2/void", {"reason": "   "})
    assert refused.status_code == 422, refused.text
    assert words in said_beside(refused.text, "void-2-reason")
    assert not any(line["voided"] for line in merchant.get(f"/v1/tabs/{tab['id']}").json()["lines"])


def test_a_void_refused_for_the_tab_is_said_above_the_page_with_the_reason_kept(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    manager = signed_in(merchant, "manager")
    tab = merchant.served_tab(450, 380)
    _cash(merchant, tab, 500)
    refused = manager.post(f"/staff/tabs/{tab['id']}/lines/1/void", {"reason": "Wrong cake"})
    assert refused.status_code == 409
    assert TOP_ERROR in refused.text and 'class="field-error"' not in refused.text


def test_a_refund_of_letters_is_refused_beside_the_amount_with_the_entries_kept(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    manager = signed_in(merchant, "manager")
    _portuguese(merchant, manager)
    tab = merchant.served_tab(800)
    payment = _cash(merchant, tab, 800)
    entry = {"amount": "abc", "tip": "", "reason": "Café frio"}
    refused = manager.post(f"/staff/tabs/{tab['id']}/payments/{payment['id']}/refund", entry)
    assert refused.status_code == 422, refused.text
    form = f"refund-{payment['id']}"
    assert "'abc'" in said_beside(refused.text, f"{form}-amount")
    assert 'value="Café frio"' in html.unescape(refused.text)
    assert merchant.get(f"/v1/payments/{payment['id']}/refunds").json()["data"] == []


@pytest.mark.parametrize(
    ("language", "typed", "field", "words"),
    [
        ("en", {"name": "", "percent": "6"}, "rate-name", "name cannot be empty."),
        ("en", {"name": "IVA 6%", "percent": "150"}, "rate-percent", "between 0 and 100"),
        ("pt", {"name": " ", "percent": "6"}, "rate-name", "O nome não pode ficar vazio."),
        ("pt", {"name": "IVA 6%", "percent": "abc"}, "rate-percent", "'abc' não é uma percentagem"),
        ("pt", {"name": "IVA 6%", "percent": "-6,5"}, "rate-percent", "entre 0 e 100"),
    ],
)
def test_a_bad_tax_rate_is_refused_beside_its_field_with_what_was_typed(
    merchant: Merchant,
    signed_in: Callable[..., Staff],
    language: str,
    typed: dict[str, Any],
    field: str,
    words: str,
) -> None:
    owner = signed_in(merchant, "owner")
    if language == "pt":
        assert owner.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    refused = owner.post("/staff/tax-rates", typed)
    assert refused.status_code == 422, refused.text
    assert words in said_beside(refused.text, field)
    page = html.unescape(refused.text)
    kept = re.search(r'<input id="rate-percent"[^>]* value="([^"]*)"', page)
    assert kept and kept.group(1) == typed["percent"]
    assert merchant.get("/v1/tax-rates").json()["data"] == []
