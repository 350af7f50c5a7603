"""Card disputes on a phone in a real Chromium: Stripe closed one lost, so the
books took the money back already; the owner reads what the loss took of the
bill and of the tip, and marks it lost to count it against the customer. The
page fits 390 px and axe finds nothing serious. (Stripe's event itself is
driven through the webhook in tests/integration/test_disputes_closed_at_stripe.py.)"""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from servefirst.payments.disputes import lost_at_processor, record_dispute
from servefirst.payments.models import Payment
from servefirst.runtime import Runtime
from tests.conftest import Merchant
from tests.e2e.conftest import PHONE
from tests.e2e.test_accessibility import context_at, violations  # noqa: F401
from tests.e2e.test_back_office_phone import _fits_the_phone, _signed_in

pytestmark = pytest.mark.browser


def _lost_at_stripe(runtime: Runtime, merchant: Merchant) -> tuple[str, str]:
    """A 9.00 tab paid with a 1.00 tip, its payment disputed and closed lost by
    Stripe (as its ``charge.dispute.closed`` does); (the dispute, the customer)."""
    tab = merchant.served_tab(900)
    paid = merchant.post(
        f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 900, "tip": 100}
    )
    assert paid.status_code == 201, paid.text
    dispute_id = "dp_" + secrets.token_hex(8)
    with runtime.uow(merchant.id) as uow:
        payment = uow.session.get(Payment, (merchant.id, paid.json()["id"]))
        record_dispute(
            uow,
            dispute_id=dispute_id,
            charge="ch_phone",
            amount=1000,
            currency="EUR",
            reason="fraudulent",
            payment=payment,
        )
        lost_at_processor(uow, dispute_id)
        uow.commit()
    return dispute_id, tab["customer_id"]


def test_the_owner_reads_what_a_lost_dispute_took_and_marks_it_on_a_phone(
    context_at: Any,  # noqa: F811
    live_server: str,
    live_merchant: Merchant,
    runtime: Runtime,
) -> None:
    page, base = context_at(PHONE), live_server
    dispute_id, customer_id = _lost_at_stripe(runtime, live_merchant)
    _signed_in(page, base, runtime, live_merchant, "owner")
    page.goto(f"{base}/staff/disputes")
    row = page.locator(f'[data-dispute="{dispute_id}"]')
    assert row.get_by_text(
        "Taken out of the books: €9.00 of the bill and €1.00 of the tip."
    ).is_visible()
    assert row.get_by_text("Stripe closed it lost.").is_visible()
    _fits_the_phone(page)
    assert violations(page) == []

    row.get_by_role("button", name="Mark lost").click()
    page.wait_for_url(f"{base}/staff/disputes?marked=1")
    assert page.get_by_role("status").inner_text().startswith("Marked lost")
    row = page.locator(f'[data-dispute="{dispute_id}"]')
    assert row.get_by_role("button", name="Mark lost").count() == 0
    assert row.get_by_text("Taken out of the books").is_visible()
    history = live_merchant.get(f"/v1/customers/{customer_id}/trust/history").json()["data"]
    assert [e["event"] for e in history].count("write_offs") == 1
