"""Whatever happens to bookings (check-ins, early and late cancellations,
no-shows inside and outside the charge window, holds renewed or lapsing, tabs
paid in cash or from the hold), the ledger stays balanced and ``deposits_held``
is exactly the captured deposits still waiting for their booking."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from servefirst.bookings.models import Booking
from servefirst.ledger import service as ledger
from servefirst.ledger.rules import Account
from servefirst.merchants.service import create_merchant
from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.integration.test_bookings_api import GOOD, at

CARDS = [GOOD, "4000000000000341", "4000000000000002"]

KINDS = [
    "book",
    "book",
    "check_in",
    "cancel",
    "no_show",
    "add_line",
    "pay_cash",
    "pay_hold",
    "advance",
    "renew",
]
step = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(KINDS),
        "which": st.integers(0, 5),  # which booking (modulo how many there are)
        "days": st.sampled_from([0.05, 1.0, 2.0, 10.0, 20.0]),  # hold, renew, capture
        "card": st.sampled_from(CARDS),
        "tip": st.sampled_from([0, 250]),
        "hours": st.sampled_from([2, 30, 24 * 8, 24 * 16]),
    }
)
steps = st.lists(step, min_size=4, max_size=16)
policies = st.fixed_dictionaries(
    {
        "enabled": st.just(True),
        "percent": st.sampled_from(["10", "15", "20"]),
        "minimum": st.sampled_from([0, 200]),
        "preset": st.sampled_from(["flexible", "fair", "moderate", "strict"]),
        "mode": st.sampled_from(["capture", "hold", "hold"]),
        "cancel_window_hours": st.sampled_from([0, 24, 48]),
    }
)


def fresh_merchant(runtime: Runtime, client: TestClient) -> Merchant:
    with runtime.uow() as uow:
        created = create_merchant(uow, name="Salão Prop", currency="EUR")
        uow.commit()
    return Merchant(created.merchant.merchant_id, created.api_key, client)


def run_step(m: Merchant, clock: TestClock, step: dict[str, Any], state: dict[str, Any]) -> None:
    kind = step["kind"]
    ids: list[str] = state["bookings"]
    if kind == "book":
        response = m.post(
            "/v1/bookings",
            {
                "customer_id": m.customer()["id"],
                "service_id": state["service"],
                "starts_at": at(clock, days=step["days"]),
                "card": step["card"],
            },
        )
        assert response.status_code in (201, 402), response.text
        if response.status_code == 201:
            ids.append(response.json()["id"])
            state["confirmed"].append(response.json()["id"])
        return
    if kind == "advance":
        clock.advance(hours=step["hours"])
        return
    if kind == "renew":
        assert m.post("/v1/holds/renew").status_code == 200
        return
    # Steps mostly pick a booking that can still move, so stories get somewhere;
    # now and then an ended one, which must be refused cleanly.
    if kind in ("check_in", "cancel", "no_show"):
        pool = state["confirmed"] if state["confirmed"] and step["which"] else ids
        if not pool:
            return
        booking_id = pool[step["which"] % len(pool)]
        path = {"check_in": "check-in", "cancel": "cancel", "no_show": "no-show"}[kind]
        if kind == "no_show":
            # Staff mark no-shows after the slot: sometimes soon, sometimes past the
            # charge window, sometimes too early (the clock moves for everyone).
            clock.advance(hours=step["hours"])
        response = m.post(f"/v1/bookings/{booking_id}/{path}")
        # 409: already ended; 422: a no-show before the slot; 402: a tier refused a tab.
        assert response.status_code in (200, 402, 409, 422), response.text
        if response.status_code == 200:
            state["confirmed"].remove(booking_id)
            if response.json()["tab_id"]:
                state["tabs"].append(response.json()["tab_id"])
        return
    if not state["tabs"]:
        return
    tab_id = state["tabs"][step["which"] % len(state["tabs"])]
    if kind == "add_line":
        response = m.post(f"/v1/tabs/{tab_id}/lines", {"service_id": state["extra"]})
        assert response.status_code in (200, 402, 409), response.text
        return
    tab = m.get(f"/v1/tabs/{tab_id}").json()
    if tab["status"] == "open":
        m.post(f"/v1/tabs/{tab_id}/serve")
    method = "cash" if kind == "pay_cash" else "card_hold"
    response = m.post(f"/v1/tabs/{tab_id}/payments", {"method": method, "tip": step["tip"]})
    assert response.status_code in (201, 402, 409), response.text


def check_books(runtime: Runtime, merchant_id: str) -> None:
    with runtime.uow(merchant_id, write=False) as uow:
        balances = ledger.balances(uow, "EUR")
        assert balances.total == 0
        assert ledger.audit(uow).ok
        captured_and_waiting = uow.session.scalar(
            select(func.coalesce(func.sum(Booking.deposit_amount), 0)).where(
                Booking.merchant_id == merchant_id,
                Booking.deposit_status == "held",
                Booking.deposit_mode == "capture",
            )
        )
        assert -balances.balance(Account.DEPOSITS_HELD) == captured_and_waiting
        fees = uow.session.scalar(
            select(func.coalesce(func.sum(Booking.deposit_fee), 0)).where(
                Booking.merchant_id == merchant_id
            )
        )
        assert -balances.balance(Account.NO_SHOW_FEES) == fees


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(policy=policies, plan=steps)
def test_any_story_of_bookings_keeps_the_ledger_balanced(
    runtime: Runtime,
    client: TestClient,
    clock: TestClock,
    policy: dict[str, Any],
    plan: list[dict[str, Any]],
) -> None:
    m = fresh_merchant(runtime, client)
    assert m.post("/v1/merchant/deposit-policy", {"deposit_policy": policy}).status_code == 200
    state: dict[str, Any] = {
        "bookings": [],
        "confirmed": [],
        "tabs": [],
        "service": m.service("Cut", price=4000, duration_minutes=30)["id"],
        "extra": m.service("Treatment", price=2500)["id"],
    }
    for one in plan:
        run_step(m, clock, one, state)
        check_books(runtime, m.id)
    report = m.get("/v1/reports/cash-flow").json()["deposits"]
    balances = m.balances()
    assert report["held"] == -balances.get("deposits_held", 0)
    assert report["forfeited"] == -balances.get("no_show_fees", 0)
