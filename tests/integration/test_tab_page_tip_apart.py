"""The console's tab page reads as an owner adds it up: the bill down to what
is due, then the tip apart (the staff's, never part of the bill), then what
was paid in all, in English and in Portuguese."""

from __future__ import annotations

import re
from collections.abc import Callable

from tests.conftest import Merchant
from tests.integration.test_pages_staff import Staff


def _rows(table: str) -> list[tuple[str, str]]:
    return [
        (" ".join(head.split()), figure)
        for head, figure in re.findall(r'<th scope="row">([^<]+)</th><td[^>]*>([^<]+)</td>', table)
    ]


def _table(page: str, table_id: str) -> str:
    found = re.search(rf'<table[^>]*id="{table_id}".*?</table>', page, re.S)
    assert found, page
    return found.group(0)


def _paid_with_a_tip(merchant: Merchant, at_counter: Staff) -> str:
    """A 10.00 bill paid in cash with a 2.00 tip, at the console."""
    tab = merchant.served_tab(1000)
    paid = at_counter.post(f"/staff/tabs/{tab['id']}/cash", {"amount": "10", "tip": "2"})
    assert paid.status_code == 200, paid.text
    return str(tab["id"])


def test_a_paid_tab_shows_the_bill_then_the_tip_apart_then_what_was_paid(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    at_counter = signed_in(merchant, "staff")
    tab_id = _paid_with_a_tip(merchant, at_counter)
    page = at_counter.get(f"/staff/tabs/{tab_id}").text
    bill = _rows(_table(page, "bill-totals"))
    assert bill == [
        ("Subtotal", "€10.00"),
        ("Paid towards the bill", "−€10.00"),
        ("Due", "€0.00"),
    ]
    assert "Tip" not in _table(page, "bill-totals")
    apart = _rows(_table(page, "tip-totals"))
    assert apart == [
        ("Paid towards the bill", "€10.00"),
        ("Tip", "€2.00"),
        ("Paid in all", "€12.00"),
    ]
    assert page.index('id="bill-totals"') < page.index('id="tip-totals"')


def test_the_tip_apart_reads_in_portuguese(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    at_counter = signed_in(merchant, "staff")
    tab_id = _paid_with_a_tip(merchant, at_counter)
    page = at_counter.get(f"/staff/tabs/{tab_id}").text
    apart = [head for head, _ in _rows(_table(page, "tip-totals"))]
    assert apart == ["Pago para a conta", "Gorjeta", "Pago no total"]


def test_a_tab_without_a_tip_shows_the_bill_alone(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    at_counter = signed_in(merchant, "staff")
    tab = merchant.served_tab(1000)
    page = at_counter.get(f"/staff/tabs/{tab['id']}").text
    assert _rows(_table(page, "bill-totals")) == [("Subtotal", "€10.00"), ("Due", "€10.00")]
    assert 'id="tip-totals"' not in page
