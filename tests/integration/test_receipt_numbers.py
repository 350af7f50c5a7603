"""Receipt numbers without gaps: every paid tab gets the next number of its
merchant's year, in the transaction that makes it paid, whoever pays at once.

Racing payers are real threads, each in its own transaction, released together
by a barrier: on PostgreSQL they queue on the merchant's counter row (the
upsert locks it), on SQLite on the write lock. Some of them roll back after
their tab was settled: the number they held goes back, and the numbers the
others kept still run 1..N with no gap and no duplicate.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from servefirst.catalog.service import create_service
from servefirst.customers.service import create_customer
from servefirst.kit.clock import FrozenClock
from servefirst.merchants.service import create_merchant, update_merchant
from servefirst.payments.service import pay_tab
from servefirst.runtime import Runtime
from servefirst.tabs.service import add_line, get_tab, open_tab, serve
from tests.conftest import Merchant

PAYERS = 16


class RolledBack(Exception):
    """A payer that changes its mind after the tab was settled."""


def _served_tabs(runtime: Runtime, count: int) -> tuple[str, list[str]]:
    """A merchant with ``count`` served tabs of as many customers."""
    with runtime.uow() as uow:
        merchant_id = create_merchant(uow, name="Rush hour", currency="EUR").merchant.merchant_id
        uow.merchant_id = merchant_id
        service = create_service(
            uow,
            name="Espresso",
            price=120,
            duration_minutes=2,
            expected_results=["Hot"],
            limits=["One cup"],
        )[0].service_id
        tab_ids = []
        for n in range(count):
            customer = create_customer(uow, name=f"Payer {n}").customer_id
            tab_id = open_tab(uow, customer_id=customer).tab_id
            add_line(uow, tab_id, service_id=service)
            serve(uow, tab_id)
            tab_ids.append(tab_id)
        uow.commit()
    return merchant_id, tab_ids


def _numbers(runtime: Runtime, merchant_id: str, tab_ids: list[str]) -> dict[str, str | None]:
    with runtime.uow(merchant_id, write=False) as uow:
        return {t: get_tab(uow, t).receipt_number for t in tab_ids}


def test_racing_payers_get_numbers_one_to_n_without_gap_or_duplicate(
    runtime: Runtime, at_noon: datetime
) -> None:
    merchant_id, tab_ids = _served_tabs(runtime, PAYERS)
    start = threading.Barrier(PAYERS)
    quitters = set(tab_ids[3::5])  # these settle, then roll back

    def pay(tab_id: str) -> str:
        start.wait(timeout=30)
        with runtime.uow(merchant_id) as uow:
            pay_tab(uow, tab_id, method="cash", amount=None)
            if tab_id in quitters:
                uow.rollback()
                return "rolled back"
            uow.commit()
        return "paid"

    with ThreadPoolExecutor(PAYERS) as pool:
        outcomes = list(pool.map(pay, tab_ids))
    assert outcomes.count("paid") == PAYERS - len(quitters)

    numbers = _numbers(runtime, merchant_id, tab_ids)
    assert all(numbers[t] is None for t in quitters)  # not paid: no number
    kept = sorted(n for t, n in numbers.items() if t not in quitters and n is not None)
    # Paid at noon (the merchant's zone is UTC): on New Year's Eve too, in the year the test read.
    year = at_noon.year
    assert kept == [f"{year}-{n:06d}" for n in range(1, PAYERS - len(quitters) + 1)]

    # The tabs that rolled back are paid later: they take the next numbers.
    for tab_id in sorted(quitters):
        with runtime.uow(merchant_id) as uow:
            pay_tab(uow, tab_id, method="cash", amount=None)
            uow.commit()
    numbers = _numbers(runtime, merchant_id, tab_ids)
    assert sorted(n or "" for n in numbers.values()) == [
        f"{year}-{n:06d}" for n in range(1, PAYERS + 1)
    ]


def test_the_sequence_is_per_merchant_and_starts_again_each_year_in_the_merchant_s_zone(
    runtime: Runtime,
) -> None:
    merchant_id, tab_ids = _served_tabs(runtime, 3)
    other_id, other_tabs = _served_tabs(runtime, 1)
    with runtime.uow(merchant_id) as uow:
        update_merchant(uow, timezone="Asia/Tokyo")
        uow.commit()
    # 20:00 UTC on New Year's Eve is already 2027 in Tokyo.
    eve = datetime(2026, 12, 31, 12, 0, tzinfo=UTC)
    new_year_in_tokyo = datetime(2026, 12, 31, 20, 0, tzinfo=UTC)
    for tab_id, at in zip(tab_ids, (eve, new_year_in_tokyo, new_year_in_tokyo), strict=True):
        with runtime.uow(merchant_id) as uow:
            uow.clock = FrozenClock(at)
            pay_tab(uow, tab_id, method="cash", amount=None)
            uow.commit()
    with runtime.uow(other_id) as uow:
        uow.clock = FrozenClock(eve)
        pay_tab(uow, other_tabs[0], method="cash", amount=None)
        uow.commit()
    assert list(_numbers(runtime, merchant_id, tab_ids).values()) == [
        "2026-000001",
        "2027-000001",
        "2027-000002",
    ]
    assert _numbers(runtime, other_id, other_tabs)[other_tabs[0]] == "2026-000001"


def test_a_paid_tab_shows_its_receipt_number_and_an_unpaid_one_none(merchant: Merchant) -> None:
    tab = merchant.served_tab(450)
    assert tab["receipt_number"] is None
    part = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 200})
    assert part.status_code == 201, part.text
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["receipt_number"] is None
    rest = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 250})
    assert rest.status_code == 201, rest.text
    paid = merchant.get(f"/v1/tabs/{tab['id']}").json()
    assert paid["status"] == "paid"
    assert paid["receipt_number"].endswith("-000001")
    public = merchant.client.get(f"/v1/public/tabs/{tab['token']}").json()
    assert public["receipt_number"] == paid["receipt_number"]
