"""The console's card disputes: shown to managers and owners; only the owner
marks one lost, which then (and only then) counts in the customer's history."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from servefirst.payments.disputes import record_dispute
from servefirst.payments.models import Payment
from servefirst.runtime import Runtime
from tests.conftest import Merchant
from tests.integration.test_html_valid import install_vnu, vnu_errors
from tests.integration.test_pages_staff import Staff


def disputed(runtime: Runtime, merchant: Merchant) -> tuple[str, dict[str, Any]]:
    """A paid tab whose payment the customer's bank disputes (as Stripe's event records it)."""
    tab = merchant.served_tab(900)
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash"}).json()
    dispute_id = "dp_" + secrets.token_hex(7)
    with runtime.uow(merchant.id) as uow:
        payment = uow.session.get(Payment, (merchant.id, paid["id"]))
        record_dispute(
            uow,
            dispute_id=dispute_id,
            charge="ch_test",
            amount=900,
            currency="EUR",
            reason="product_not_received",
            payment=payment,
        )
        uow.commit()
    return dispute_id, tab


def write_offs(merchant: Merchant, customer_id: str) -> int:
    history = merchant.get(f"/v1/customers/{customer_id}/trust/history").json()["data"]
    return sum(1 for e in history if e["event"] == "write_offs")


def test_the_owner_sees_a_dispute_and_marks_it_lost(
    runtime: Runtime, merchant: Merchant, signed_in: Callable[..., Staff], tmp_path: Path
) -> None:
    dispute_id, tab = disputed(runtime, merchant)
    owner = signed_in(merchant, access="owner")
    page = owner.get("/staff/disputes")
    assert page.status_code == 200
    assert "product_not_received" in page.text and "Mark lost" in page.text
    assert 'href="/staff/disputes"' in page.text  # in the console's menu
    install_vnu()
    assert vnu_errors({"disputes": page.text}, tmp_path) == []
    assert write_offs(merchant, tab["customer_id"]) == 0
    marked = owner.post(f"/staff/disputes/{dispute_id}/lost", follow_redirects=False)
    assert marked.status_code == 303, marked.text
    assert marked.headers["location"] == "/staff/disputes?marked=1"
    assert write_offs(merchant, tab["customer_id"]) == 1
    assert "Mark lost" not in owner.get("/staff/disputes").text


def test_a_manager_sees_it_but_may_not_mark_it_and_staff_may_not_see_it(
    runtime: Runtime, merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    dispute_id, tab = disputed(runtime, merchant)
    manager = signed_in(merchant, access="manager")
    page = manager.get("/staff/disputes")
    assert page.status_code == 200 and "product_not_received" in page.text
    assert "Mark lost" not in page.text
    assert manager.post(f"/staff/disputes/{dispute_id}/lost").status_code == 403
    waiter = signed_in(merchant, access="staff")
    assert waiter.get("/staff/disputes").status_code == 403
    assert write_offs(merchant, tab["customer_id"]) == 0
    assert merchant.get("/v1/disputes").json()["data"][0]["status"] == "open"
