"""The customer's receipt page names each of its parts once, with headings in
order (h1, then h2s, never a level skipped), in English and in Portuguese: a
screen reader's list of headings and tables reads like the receipt's outline,
not "Payments, Payments"."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.conftest import Merchant
from tests.integration.test_pages_customer import page, post_form

GOOD_CARD = "4242424242424242"
PT = {"Accept-Language": "pt-PT,pt;q=0.9"}


class Outline(HTMLParser):
    """The headings (level, words) and the table captions of a page, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[int, str]] = []
        self.captions: list[str] = []
        self._open: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6", "caption"):
            self._open = (tag, [])

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._open is None or self._open[0] != tag:
            return
        words = " ".join("".join(self._open[1]).split())
        if tag == "caption":
            self.captions.append(words)
        else:
            self.headings.append((int(tag[1]), words))
        self._open = None


def outline_of(html: str) -> Outline:
    outline = Outline()
    outline.feed(html)
    return outline


def a_receipt_with_a_tip_and_a_refund(merchant: Merchant, headers: dict[str, str]) -> str:
    tab = merchant.served_tab(680)
    paid = post_form(merchant, tab["token"], "pay", {"card": GOOD_CARD, "tip": "10"})
    assert paid.status_code == 303, paid.text
    [payment] = merchant.get(f"/v1/tabs/{tab['id']}/payments").json()["data"]
    refunded = merchant.post(
        f"/v1/payments/{payment['id']}/refunds", {"amount": 100, "reason": "Cold coffee"}
    )
    assert refunded.status_code == 201, refunded.text
    receipt = page(merchant, tab["token"], "/receipt", headers=headers)
    assert receipt.status_code == 200
    return str(receipt.text)


@pytest.mark.parametrize(
    ("headers", "payments", "expected"),
    [
        ({}, "Payments", [(1, "Receipt"), (2, "Payments"), (2, "Refunds")]),
        (PT, "Pagamentos", [(1, "Recibo"), (2, "Pagamentos"), (2, "Reembolsos")]),
    ],
    ids=["en", "pt"],
)
def test_the_receipt_says_payments_once_with_its_headings_in_order(
    merchant: Merchant, headers: dict[str, str], payments: str, expected: list[tuple[int, str]]
) -> None:
    outline = outline_of(a_receipt_with_a_tip_and_a_refund(merchant, headers))

    named = [words for _level, words in outline.headings] + outline.captions
    assert named.count(payments) == 1, named
    assert outline.headings == expected
    levels = [level for level, _words in outline.headings]
    assert all(later - earlier <= 1 for earlier, later in zip(levels, levels[1:], strict=False)), (
        levels
    )


def test_the_payments_table_is_named_by_its_heading(merchant: Merchant) -> None:
    html = a_receipt_with_a_tip_and_a_refund(merchant, {})

    assert '<h2 id="payments-heading">Payments</h2>' in html
    assert '<table class="totals" aria-labelledby="payments-heading">' in html
