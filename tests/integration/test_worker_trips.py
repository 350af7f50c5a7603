"""How many times each request of the money path hands work to a worker thread.

On PostgreSQL a request's database work runs in a worker thread, so that a
row lock one request waits on never holds the event loop
(``api.context.runs_inline``). Each trip there and back is two thread
switches and a wait for the interpreter lock behind the other requests: the
endpoint's work, its answer and its commit go in one trip
(``api.routing.answer_last``). On SQLite the work runs on the loop, and only a
card processor's call leaves it. These budgets catch a change that quietly
adds a trip, as ``test_statement_budget`` does for statements.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import anyio.to_thread
import pytest

from tests.conftest import Merchant

TRIPS = {
    "sqlite": {"open": 0, "line": 0, "serve": 0, "cash": 0, "card": 1},
    # A line asks its phase one (a card hold behind the tab may have to grow)
    # apart from its answer.
    "postgresql": {"open": 1, "line": 2, "serve": 1, "cash": 1, "card": 1},
}


@contextmanager
def trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    taken: list[str] = []
    run_sync = anyio.to_thread.run_sync

    async def counted(func: Any, *args: Any, **kwargs: Any) -> Any:
        taken.append(getattr(func, "__name__", repr(func)))
        return await run_sync(func, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(anyio.to_thread, "run_sync", counted)
        yield taken


def test_each_step_of_a_tab_takes_its_budget_of_worker_trips(
    merchant: Merchant, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    budget = TRIPS[backend]
    coffee, cake = merchant.service(price=380), merchant.service("Cake", price=450)
    customer = merchant.customer()
    taken: dict[str, int] = {}

    def step(name: str, path: str, body: Any, status: int) -> Any:
        with trips(monkeypatch) as made:
            response = merchant.post(path, json=body)
        assert response.status_code == status, response.text
        taken[name] = len(made)
        return response.json()

    tab = step("open", "/v1/tabs", {"customer_id": customer["id"]}, 201)
    step("line", f"/v1/tabs/{tab['id']}/lines", {"service_id": coffee["id"]}, 200)
    step("serve", f"/v1/tabs/{tab['id']}/serve", None, 200)
    step("cash", f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 380}, 201)
    other = merchant.tab(customer["id"])
    merchant.post(f"/v1/tabs/{other['id']}/lines", json={"service_id": cake["id"]})
    merchant.post(f"/v1/tabs/{other['id']}/serve")
    step("card", f"/v1/public/tabs/{other['token']}/pay", {"card": "4242424242424242"}, 201)
    assert taken == budget
