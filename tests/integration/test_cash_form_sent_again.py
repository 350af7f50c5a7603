"""Cash recorded at the counter once, when the console's cash form is sent
again after the back button (or twice): the form carries how many payments
the page showed, and one recorded since turns the second sending into a
refusal in words, nothing recorded and the entries kept; sent once more from
that page, the cash is recorded as meant."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from tests.conftest import Merchant
from tests.integration.test_pages_staff import Staff
from tests.integration.test_refund_pages import _portuguese

SEEN = re.compile(r'name="payments_seen" value="(\d+)"')


def _paid(merchant: Merchant, tab: dict[str, Any]) -> tuple[int, int]:
    shown = merchant.get(f"/v1/tabs/{tab['id']}").json()
    return shown["paid"], shown["tips"]


def _partly_paid_in_cash(
    merchant: Merchant, person: Staff, amount: str, tip: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """A 30.00 tab, 'amount' of it (and 'tip') recorded in cash from its page."""
    tab = merchant.served_tab(3000)
    [seen] = SEEN.findall(person.get(f"/staff/tabs/{tab['id']}").text)
    assert seen == "0"
    form = {"amount": amount, "tip": tip, "payments_seen": seen}
    first = person.post(f"/staff/tabs/{tab['id']}/cash", form, follow_redirects=False)
    assert first.status_code == 303, first.text
    return tab, form


def test_cash_sent_again_after_the_back_button_is_recorded_once_and_says_why(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    counter = signed_in(merchant, "staff")
    tab, form = _partly_paid_in_cash(merchant, counter, "10.00", "1.50")
    again = counter.post(f"/staff/tabs/{tab['id']}/cash", form)  # back, then "Record cash"
    assert again.status_code == 409
    assert "A payment was recorded on this tab since the page was shown" in html.unescape(
        again.text
    )
    assert 'name="amount" value="10.00"' in again.text  # the entries kept, not the due
    assert 'name="tip" value="1.50"' in again.text
    assert _paid(merchant, tab) == (1000, 150)


def test_cash_sent_once_more_from_the_page_that_said_why_is_recorded(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    counter = signed_in(merchant, "staff")
    tab, form = _partly_paid_in_cash(merchant, counter, "10.00", "")
    refused = counter.post(f"/staff/tabs/{tab['id']}/cash", form)
    [fresh] = SEEN.findall(refused.text)
    assert fresh == "1"
    meant = counter.post(
        f"/staff/tabs/{tab['id']}/cash", {**form, "payments_seen": fresh}, follow_redirects=False
    )
    assert meant.status_code == 303
    assert _paid(merchant, tab) == (2000, 0)


def test_cash_from_a_page_shown_before_the_form_said_what_it_saw_is_recorded(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    counter = signed_in(merchant, "staff")
    tab = merchant.served_tab(3000)
    old_page = {"amount": "10.00", "tip": ""}  # no payments_seen: nothing to compare
    for _ in range(2):
        sent = counter.post(f"/staff/tabs/{tab['id']}/cash", old_page, follow_redirects=False)
        assert sent.status_code == 303
    assert _paid(merchant, tab) == (2000, 0)


def test_cash_sent_again_is_refused_in_portuguese_for_a_lisbon_till(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    counter = signed_in(merchant, "staff")
    _portuguese(merchant, counter)
    tab, form = _partly_paid_in_cash(merchant, counter, "10,00", "")
    again = counter.post(f"/staff/tabs/{tab['id']}/cash", form)
    assert again.status_code == 409
    assert (
        "Foi registado um pagamento nesta conta depois de a página ser mostrada"
        in html.unescape(again.text)
    )
    assert 'name="amount" value="10,00"' in again.text
    assert _paid(merchant, tab) == (1000, 0)
