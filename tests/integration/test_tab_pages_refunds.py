"""The customer's tab page and the console's tab page tell the same story as the
receipt once money is given back: the sale's net, tax per rate and gross as
charged (a full refund does not turn the tax into 0.00 under a paid 12.30),
then each refund with the tax it gave back per rate, all that went back and
what is left paid; in English and Portuguese, the voided line still struck
through and out of the totals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from servefirst.receipts.document import document_for_tab
from servefirst.runtime import Runtime
from tests.conftest import Merchant
from tests.integration.test_html_valid import vnu_errors
from tests.integration.test_pages_staff import Staff
from tests.integration.test_receipt_refunds import _lunch_paid_by_card, _refund
from tests.integration.test_today_page import figure

ENGLISH = {"Accept-Language": "en-GB"}
PORTUGUESE = {"Accept-Language": "pt-PT,pt;q=0.9"}


def _part(page: str, testid: str, end: str) -> str:
    """The piece of ``page`` from the element marked ``testid`` to ``end``."""
    assert f'data-testid="{testid}"' in page, f"no {testid} on the page"
    return page.split(f'data-testid="{testid}"', 1)[1].split(end, 1)[0]


def _customer(merchant: Merchant, tab: dict[str, Any], headers: dict[str, str]) -> str:
    page = merchant.client.get(f"/t/{tab['token']}", headers=headers)
    assert page.status_code == 200, page.text
    return page.text


def _console(person: Staff, tab: dict[str, Any]) -> str:
    page = person.get(f"/staff/tabs/{tab['id']}")
    assert page.status_code == 200, page.text
    return page.text


def test_the_customer_s_tab_page_keeps_the_sale_s_tax_and_lists_the_refunds(
    merchant: Merchant,
) -> None:
    tab = _lunch_paid_by_card(merchant)
    _refund(merchant, tab, amount=615, reason="Soup was cold")
    page = _customer(merchant, tab, ENGLISH)
    taxes = _part(page, "taxes", "</table>")
    assert 'data-testid="tax">€2.30<' in taxes and 'data-testid="gross">€12.30<' in taxes
    refunds = _part(page, "refunds", "</section>")
    assert "Soup was cold" in refunds and "From the bill" in refunds and "€6.15" in refunds
    assert "Tax included at 23% on €5.00" in refunds and "€1.15" in refunds
    assert 'data-testid="refunded">−€6.15<' in refunds
    assert 'data-testid="paid-after-refunds">€7.15<' in refunds  # 12.30 + 1.00 tip − 6.15
    assert 'data-status="refunded">Partly refunded<' in page
    # The voided coffee: struck through, out of the totals.
    assert 'data-voided="true"' in page and "<del>€1.50</del>" in page
    assert 'data-testid="total">€12.30<' in page

    _refund(merchant, tab, reason="Closing early")  # the rest of the bill, and the tip
    page = _customer(merchant, tab, ENGLISH)
    taxes = _part(page, "taxes", "</table>")
    assert 'data-testid="tax">€2.30<' in taxes and "€0.00" not in taxes
    refunds = _part(page, "refunds", "</section>")
    assert "Closing early" in refunds and "From the tip" in refunds
    assert refunds.count("Tax included at 23% on €5.00") == 2  # all of 2.30, back
    assert 'data-testid="refunded">−€13.30<' in refunds
    assert 'data-testid="paid-after-refunds">€0.00<' in refunds
    assert 'data-status="refunded">Refunded<' in page
    # The part htmx polls says the same as the page.
    live = merchant.client.get(f"/t/{tab['token']}/live", headers=ENGLISH).text
    assert 'data-testid="tax">€2.30<' in live and 'paid-after-refunds">€0.00<' in live


def test_the_customer_s_tab_page_after_a_full_refund_in_portuguese(merchant: Merchant) -> None:
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    tab = _lunch_paid_by_card(merchant)
    _refund(merchant, tab, reason="Sopa fria")
    page = _customer(merchant, tab, PORTUGUESE).replace("\xa0", " ")
    taxes = _part(page, "taxes", "</table>")
    assert "Imposto a 23%" in taxes and 'data-testid="tax">2,30 €<' in taxes  # not 0,00 €
    refunds = _part(page, "refunds", "</section>")
    assert "Reembolsos" in refunds and "Sopa fria" in refunds
    assert "Da conta" in refunds and "12,30 €" in refunds and "Da gorjeta" in refunds
    assert "Imposto incluído a 23% sobre 10,00 €" in refunds
    assert "Reembolsado no total" in refunds and 'data-testid="refunded">−13,30 €<' in refunds
    assert "Pago após reembolsos" in refunds and 'paid-after-refunds">0,00 €<' in refunds
    assert 'data-status="refunded">Reembolsada<' in page


def test_the_console_s_tab_page_tells_the_receipt_s_story_in_english_and_portuguese(
    runtime: Runtime, merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    manager = signed_in(merchant, "manager")
    tab = _lunch_paid_by_card(merchant)
    _refund(merchant, tab, amount=615, reason="Soup was cold")
    page = _console(manager, tab)
    taxes = _part(page, "taxes", "</table>")
    assert 'data-testid="tax">€2.30<' in taxes and 'data-testid="gross">€12.30<' in taxes
    refunds = _part(page, "refunds", "</section>")
    assert "Tax included at 23% on €5.00" in refunds and "€1.15" in refunds
    assert 'data-testid="refunded">−€6.15<' in refunds
    assert 'data-testid="paid-after-refunds">€7.15<' in refunds
    assert "<del>Coffee</del>" in page  # the voided line, struck through

    _refund(merchant, tab, reason="Closing early")
    with runtime.uow(merchant.id, write=False) as uow:
        receipt = document_for_tab(uow, tab["id"])
    page = _console(manager, tab)
    taxes = _part(page, "taxes", "</table>")
    assert 'data-testid="tax">€2.30<' in taxes and "€0.00" not in taxes
    refunds = _part(page, "refunds", "</section>")
    assert refunds.count("Tax included at 23% on €5.00") == 2
    assert f'data-testid="refunded">−€{receipt.given_back / 100:.2f}<' in refunds
    assert f'paid-after-refunds">€{receipt.paid_after_refunds / 100:.2f}<' in refunds
    assert 'id="tab-refunded">refunded<' in page

    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    assert manager.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    page = _console(manager, tab).replace("\xa0", " ")
    taxes = _part(page, "taxes", "</table>")
    assert "Imposto a 23%" in taxes and 'data-testid="tax">2,30 €<' in taxes
    refunds = _part(page, "refunds", "</section>")
    assert "Reembolsos" in refunds and "Imposto incluído a 23% sobre 5,00 €" in refunds
    assert "Pago após reembolsos" in refunds and 'paid-after-refunds">0,00 €<' in refunds


def test_today_and_the_day_s_close_count_what_the_receipt_says_went_back(
    # First: the café opens on the clock's today, so today is a day it can
    # close (an earlier test may have moved the shared clock months ahead).
    at_noon: datetime,  # noqa: F811
    merchant: Merchant,
    signed_in: Callable[..., Staff],
    runtime: Runtime,
) -> None:
    """Both count the day's money out (bill and tip) apart from the takings,
    which stay what came in: the receipt's "Refunded in all"."""
    manager = signed_in(merchant, "manager")
    tab = _lunch_paid_by_card(merchant)
    _refund(merchant, tab, amount=615, reason="Soup was cold")
    _refund(merchant, tab, reason="Closing early")
    with runtime.uow(merchant.id, write=False) as uow:
        receipt = document_for_tab(uow, tab["id"])
    assert receipt.given_back == 1330
    today = manager.get("/staff/today").text
    assert figure(today, "refunded") == "−€13.30"
    assert figure(today, "taken") == "€12.30"  # the takings: what came in
    close = merchant.post("/v1/day-closes", {"opening_float": 0, "counted": {"100": 0}})
    assert close.status_code == 201, close.text
    assert close.json()["refunds"] == receipt.given_back


def test_a_tab_with_nothing_given_back_shows_no_refunds(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    manager = signed_in(merchant, "manager")
    tab = _lunch_paid_by_card(merchant)
    assert 'data-testid="refunds"' not in _customer(merchant, tab, ENGLISH)
    assert 'data-testid="refunds"' not in _console(manager, tab)


def test_the_refunded_tab_pages_are_valid_html(
    merchant: Merchant, signed_in: Callable[..., Staff], tmp_path: Path
) -> None:
    manager = signed_in(merchant, "manager")
    tab = _lunch_paid_by_card(merchant)
    _refund(merchant, tab, amount=615, reason="Soup was cold")
    _refund(merchant, tab, tip=100, reason="Tip typed twice")
    pages = {"refunded-tab-en": _customer(merchant, tab, ENGLISH)}
    pages["refunded-console-tab-en"] = _console(manager, tab)
    assert manager.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    pages["refunded-tab-pt"] = _customer(merchant, tab, PORTUGUESE)
    pages["refunded-console-tab-pt"] = _console(manager, tab)
    assert all("Tip typed twice" in html for html in pages.values())
    assert vnu_errors(pages, tmp_path) == []
