"""How many SQL statements each step of the money path sends.

The serve-first loop runs on every till all day: each statement is a round trip
on PostgreSQL and a slice of the write lock on SQLite. These budgets catch a
change that quietly adds one (an autoflush writing a row twice, a lookup nobody
needs), as Django's ``assertNumQueries`` does. Lower is welcome: then lower the
budget too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from servefirst.catalog.service import create_service
from servefirst.customers.service import create_customer
from servefirst.db.uow import UnitOfWork
from servefirst.events.service import recent
from servefirst.merchants.service import create_merchant
from servefirst.payments.service import pay_tab
from servefirst.reports.service import cash_flow
from servefirst.runtime import Runtime
from servefirst.tabs.service import add_line, open_tab, serve
from tests.conftest import Merchant

# Per step, on each engine. SQLite counts its BEGIN IMMEDIATE and three
# statements per ledger posting; PostgreSQL begins implicitly, posts in one
# statement and takes the customer's credit lock (an advisory lock) in the
# query that reads the customer; a line reads its service in that query too,
# and its INSERT rides in the statement that moves the tab's totals.
# A payment locks the customer and reads its merchant's policy at once. A
# tab's INSERT finds its short code free or taken itself (ON CONFLICT). On
# PostgreSQL a payment's trust history rides in the statement of its events.
# A card payment is three transactions (payments.phases): the attempt kept
# (the tab read, the attempt inserted, the tab marked), the sandbox's own
# record of its charge, then the outcome (the tab and the attempt read again,
# the attempt's UPDATE, and what a payment always wrote). The payment that
# makes a tab paid takes its receipt number: one upsert of the merchant's
# counter row (the number rides in the tab's UPDATE that closes it).
BUDGET = {
    # ... and reads the merchant's card processor (sandbox or Stripe) first.
    "sqlite": {"open": 5, "line": 10, "serve": 4, "pay": 20},
    "postgresql": {"open": 4, "line": 6, "serve": 3, "pay": 14},
}


@contextmanager
def counted(runtime: Runtime) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    def begun(_conn: Any) -> None:
        # SQLite's dialect sends its BEGIN itself, past the cursor events.
        if runtime.engine.dialect.name == "sqlite":
            statements.append("BEGIN")

    event.listen(runtime.engine, "before_cursor_execute", count)
    event.listen(runtime.engine, "begin", begun)
    try:
        yield statements
    finally:
        event.remove(runtime.engine, "before_cursor_execute", count)
        event.remove(runtime.engine, "begin", begun)


@pytest.fixture
def shop(runtime: Runtime) -> tuple[str, str, list[str]]:
    with runtime.uow() as uow:
        merchant_id = create_merchant(uow, name="Budget café", currency="EUR").merchant.merchant_id
        uow.merchant_id = merchant_id
        services = [
            create_service(
                uow,
                name=f"Coffee {price}",
                price=price,
                duration_minutes=5,
                expected_results=["Hot"],
                limits=["One cup"],
            )[0].service_id
            for price in (380, 450)
        ]
        customer_id = create_customer(uow, name="Ana").customer_id
        uow.commit()
    return merchant_id, customer_id, services


def test_each_step_of_a_settled_tab_stays_within_its_statement_budget(
    runtime: Runtime, shop: tuple[str, str, list[str]]
) -> None:
    merchant_id, customer_id, services = shop
    budget = BUDGET[runtime.engine.dialect.name]

    def step(name: str, work: Callable[[UnitOfWork], Any]) -> Any:
        with counted(runtime) as statements, runtime.uow(merchant_id) as uow:
            result = work(uow)
            uow.commit()
        assert len(statements) <= budget[name], (name, "; ".join(s[:40] for s in statements))
        return result

    tab_id = step("open", lambda uow: open_tab(uow, customer_id=customer_id).tab_id)
    for service_id in services:
        step("line", lambda uow, s=service_id: add_line(uow, tab_id, service_id=s))
    step("serve", lambda uow: serve(uow, tab_id))
    step(
        "pay", lambda uow: pay_tab(uow, tab_id, method="card", amount=None, card="4242424242424242")
    )

    with runtime.uow(merchant_id) as uow:
        tab_events = [e.type for e in recent(uow, limit=20) if e.object_id == tab_id]
    assert tab_events.count("tab.line_added") == 2
    assert {"tab.opened", "tab.served", "tab.paid"} <= set(tab_events)


def test_over_the_api_a_step_sends_its_use_case_s_statements_and_the_read_of_its_lines(
    runtime: Runtime, merchant: Merchant
) -> None:
    """The response is built from the tab the use case holds: no second read
    of its row, no column loaded back after the INSERT, no look for a card
    hold the tab does not have. Only its lines are read for the answer."""
    budget = BUDGET[runtime.engine.dialect.name]
    services = [merchant.service(price=price)["id"] for price in (380, 450)]
    customer_id = merchant.customer()["id"]

    def step(name: str, path: str, body: Any, status: int, answer_reads_lines: bool) -> Any:
        with counted(runtime) as statements:
            response = merchant.post(path, body)
        assert response.status_code == status, response.text
        allowed = budget[name] + answer_reads_lines
        assert len(statements) <= allowed, (name, "; ".join(s[:40] for s in statements))
        return response.json()

    tab = step("open", "/v1/tabs", {"customer_id": customer_id}, 201, False)
    for service_id in services:
        step("line", f"/v1/tabs/{tab['id']}/lines", {"service_id": service_id}, 200, True)
    step("serve", f"/v1/tabs/{tab['id']}/serve", None, 200, True)
    pay = {"method": "card", "card": "4242424242424242"}
    step("pay", f"/v1/public/tabs/{tab['token']}/pay", pay, 201, True)


def test_a_payment_writes_its_events_in_one_statement_and_none_when_refused(
    runtime: Runtime, shop: tuple[str, str, list[str]]
) -> None:
    merchant_id, customer_id, services = shop
    with runtime.uow(merchant_id) as uow:
        tab_id = open_tab(uow, customer_id=customer_id).tab_id
        add_line(uow, tab_id, service_id=services[0])
        serve(uow, tab_id)
        uow.commit()

    with counted(runtime) as statements, runtime.uow(merchant_id) as uow:
        payment = pay_tab(uow, tab_id, method="cash", amount=None)
        uow.commit()
    event_inserts = [s for s in statements if "INSERT INTO events " in s]
    assert len(event_inserts) == 1  # payment.succeeded and tab.paid together
    history_inserts = [s for s in statements if "INSERT INTO trust_events " in s]
    assert len(history_inserts) == 1  # the paid visit in the customer's trust history
    if runtime.engine.dialect.name == "postgresql":
        # Both appended at commit, in one statement (db.appended).
        assert event_inserts == history_inserts

    with runtime.uow(merchant_id) as uow:
        types = {e.type for e in recent(uow, limit=10)}
        assert {"payment.succeeded", "tab.paid"} <= types
        emitted_before = len(recent(uow, limit=100))

    # A unit of work that rolls back keeps none of its events.
    with runtime.uow(merchant_id) as uow:
        tab_id_2 = open_tab(uow, customer_id=customer_id).tab_id
        assert uow.appended  # emitted, not yet written
        uow.rollback()
    with runtime.uow(merchant_id) as uow:
        assert len(recent(uow, limit=100)) == emitted_before
        assert all(e.object_id != tab_id_2 for e in recent(uow, limit=100))
    assert payment.status == "succeeded"


def test_the_cash_flow_report_reads_unpaid_tabs_in_one_query(
    runtime: Runtime, shop: tuple[str, str, list[str]]
) -> None:
    """Merchant, balances, unpaid tabs by age and status (one query, not one
    per age bucket and one more by status), concerns by remedy, deposits and
    card holds: six queries (and a read transaction's BEGIN on SQLite)."""
    merchant_id, customer_id, services = shop
    with runtime.uow(merchant_id) as uow:
        tab_id = open_tab(uow, customer_id=customer_id).tab_id
        add_line(uow, tab_id, service_id=services[0])
        uow.commit()
    with counted(runtime) as statements, runtime.uow(merchant_id, write=False) as uow:
        report = cash_flow(uow)
    queries = [s for s in statements if not s.lstrip().upper().startswith("BEGIN")]
    assert len(queries) <= 6, "; ".join(s[:40] for s in queries)
    assert report["receivables"]["open"] == 380
