"""A refund form sent again after the back button (or twice) refunds once:
the form carries how many refunds the page showed, and one made since turns
the second sending into a refusal in words, the page showing what was given
back; sent once more from that page, a second refund is made as meant."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from tests.conftest import Merchant
from tests.integration.test_pages_staff import Staff
from tests.integration.test_refund_pages import _cash, _portuguese


def test_a_refund_form_sent_again_after_the_back_button_refunds_once(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    manager = signed_in(merchant, "manager")
    tab = merchant.served_tab(2500)
    payment = _cash(merchant, tab, 2500)
    page = manager.get(f"/staff/tabs/{tab['id']}").text
    [seen] = re.findall(r'name="refunds_seen" value="(\d+)"', page)
    assert seen == "0"
    refund = f"/staff/tabs/{tab['id']}/payments/{payment['id']}/refund"
    form = {"amount": "2", "tip": "", "reason": "Wrong change", "refunds_seen": seen}
    assert manager.post(refund, form, follow_redirects=False).status_code == 303
    again = manager.post(refund, form)  # the back button, then "Refund" once more
    assert again.status_code == 409
    assert "This payment was refunded since the page was shown." in html.unescape(again.text)
    assert 'value="Wrong change"' in again.text  # the entries kept
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["refunded"] == 200
    [fresh] = re.findall(r'name="refunds_seen" value="(\d+)"', again.text)
    meant = manager.post(refund, {**form, "refunds_seen": fresh}, follow_redirects=False)
    assert meant.status_code == 303
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["refunded"] == 400


def test_the_refusal_reads_in_portuguese(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    manager = signed_in(merchant, "manager")
    _portuguese(merchant, manager)
    tab = merchant.served_tab(2500)
    payment = _cash(merchant, tab, 2500)
    refund = f"/staff/tabs/{tab['id']}/payments/{payment['id']}/refund"
    form = {"amount": "2", "tip": "", "reason": "Troco errado", "refunds_seen": "0"}
    assert manager.post(refund, form, follow_redirects=False).status_code == 303
    again = manager.post(refund, form)
    assert "Este pagamento foi reembolsado depois de a página ser mostrada." in html.unescape(
        again.text
    )
