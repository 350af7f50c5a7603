"""The customer's side of a cheaper service done than booked: a colour booked
with a 20.00 deposit taken by card, a 15.00 cut done. The deposit pays the
whole bill, so the tab is paid with no payment of its own; the customer's
page and receipt say where the other 5.00 of the deposit went, and the
receipt link on the tab page opens the receipt (it used to lead back to the
tab page, the receipt being shown only for a tab with a payment)."""

from __future__ import annotations

import html

from tests.conftest import Merchant, TestClock
from tests.integration import test_deposit_refunds as deposits
from tests.integration.test_cheaper_service_swaps import colour_checked_in, cut_added, void_colour
from tests.integration.test_deposit_refunds import RefundsAsked

refunds = deposits.refunds

ENGLISH = {"Accept-Language": "en-GB"}
PORTUGUESE = {"Accept-Language": "pt-PT"}


def _swapped_and_served(merchant: Merchant, clock: TestClock) -> str:
    """The tab's token once the cut is served and the deposit has paid it."""
    _, tab = colour_checked_in(merchant, clock)
    cut_added(merchant, tab)
    assert void_colour(merchant, tab).status_code == 200
    served = merchant.post(f"/v1/tabs/{tab['id']}/serve")
    assert served.json()["status"] == "paid", served.text
    return str(tab["token"])


def test_a_tab_the_deposit_paid_alone_has_a_receipt_for_its_customer(
    merchant: Merchant, clock: TestClock, refunds: RefundsAsked
) -> None:
    token = _swapped_and_served(merchant, clock)
    tab_page = merchant.client.get(f"/t/{token}", headers=ENGLISH)
    assert f'href="/t/{token}/receipt"' in tab_page.text
    receipt = merchant.client.get(f"/t/{token}/receipt", headers=ENGLISH, follow_redirects=False)
    assert receipt.status_code == 200, receipt.headers.get("location")
    page = html.unescape(receipt.text).replace("\xa0", " ")
    assert "Cut" in page and "Deposit applied" in page
    assert 'data-testid="charged"' not in page  # no payment: no "Charged 0.00"


def test_the_customer_reads_where_the_rest_of_the_deposit_went(
    merchant: Merchant, clock: TestClock, refunds: RefundsAsked
) -> None:
    token = _swapped_and_served(merchant, clock)
    public = merchant.client.get(f"/v1/public/tabs/{token}").json()
    assert (public["deposit_applied"], public["deposit_refunded"]) == (1500, 500)
    for path in (f"/t/{token}", f"/t/{token}/receipt"):
        english = html.unescape(merchant.client.get(path, headers=ENGLISH).text)
        assert "€5.00 of your deposit went back to your card." in english.replace("\xa0", " ")
        portuguese = html.unescape(merchant.client.get(path, headers=PORTUGUESE).text)
        # Amounts follow the merchant (here en_GB), words the reader.
        assert "O seu cartão recebeu de volta €5.00 do seu sinal." in portuguese


def test_a_walk_in_s_tab_says_nothing_of_a_deposit(merchant: Merchant) -> None:
    tab = merchant.tab()
    page = merchant.client.get(f"/t/{tab['token']}", headers=ENGLISH).text
    assert "of your deposit" not in page
    assert merchant.client.get(f"/v1/public/tabs/{tab['token']}").json()["deposit_refunded"] == 0
