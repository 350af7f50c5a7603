"""Trust through the API: the score, its history, the tiers' effects, the report,
and the tab limit holding when lines race on two tabs of one customer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from servefirst.customers.service import record_history
from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.integration.test_concurrency import (  # noqa: F401 - fixtures
    live_merchant,
    race,
    server_url,
)


def paid_visit(merchant: Merchant, customer_id: str, price: int = 380) -> dict[str, Any]:
    tab = merchant.tab(customer_id)
    svc = merchant.service(price=price)
    assert (
        merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]}).status_code == 200
    )
    assert merchant.post(f"/v1/tabs/{tab['id']}/serve").status_code == 200
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash"})
    assert paid.status_code == 201, paid.text
    return tab


def written_off(merchant: Merchant, customer_id: str, price: int = 100) -> None:
    tab = merchant.tab(customer_id)
    svc = merchant.service(price=price)
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    assert merchant.post(f"/v1/tabs/{tab['id']}/write-off").status_code == 200


def trust(merchant: Merchant, customer_id: str) -> dict[str, Any]:
    response = merchant.get(f"/v1/customers/{customer_id}")
    assert response.status_code == 200, response.text
    return response.json()["trust"]  # type: ignore[no-any-return]


def count(runtime: Runtime, merchant: Merchant, customer_id: str, event: str) -> None:
    with runtime.uow(merchant.id) as uow:
        record_history(uow, customer_id, event)
        uow.commit()


def add_line(merchant: Merchant, tab_id: str, price: int) -> Any:
    svc = merchant.service(price=price)
    return merchant.post(f"/v1/tabs/{tab_id}/lines", {"service_id": svc["id"]})


# --- the score and its history ------------------------------------------------------------


def test_five_paid_visits_make_a_customer_trusted_and_the_history_says_why(
    merchant: Merchant,
) -> None:
    ana = merchant.customer("Ana")
    assert trust(merchant, ana["id"])["tier"] == "new"
    tiers = []
    for _ in range(5):
        paid_visit(merchant, ana["id"])
        tiers.append(trust(merchant, ana["id"])["tier"])
    assert tiers == ["standard", "standard", "standard", "standard", "trusted"]
    now = trust(merchant, ana["id"])
    assert now["score"] == round(8 / 9, 4)
    assert now["factors"] == ["5 visits paid on time"]

    history = merchant.get(f"/v1/customers/{ana['id']}/trust/history")
    assert history.status_code == 200, history.text
    body = history.json()
    assert body["tier"] == "trusted" and body["half_life_days"] == 180
    events = list(reversed(body["data"]))
    assert [e["event"] for e in events] == ["paid_visits"] * 5
    assert [e["score_after"] for e in events] == [round((3 + n) / (4 + n), 4) for n in range(1, 6)]
    assert events[0]["score_before"] == 0.75 and events[0]["tier_before"] == "new"
    assert (events[-1]["tier_before"], events[-1]["tier_after"]) == ("standard", "trusted")
    assert all(e["amount"] == 380 and e["tab_id"].startswith("tab_") for e in events)


def test_history_of_an_unknown_customer_is_404(merchant: Merchant) -> None:
    assert merchant.get("/v1/customers/cus_nope/trust/history").status_code == 404


def test_an_upheld_concern_never_counts(merchant: Merchant) -> None:
    tab = merchant.served_tab(1000)
    concern = merchant.post(
        f"/v1/public/tabs/{tab['token']}/concerns", {"reason": "Cold", "remedy": "waive"}
    ).json()
    if concern["status"] == "pending":
        merchant.post(
            f"/v1/tabs/{tab['id']}/concerns/{concern['id']}/resolve", {"decision": "approve"}
        )
    events = merchant.get(f"/v1/customers/{tab['customer_id']}/trust/history").json()["data"]
    assert [e["event"] for e in events] in ([], ["paid_visits"])
    assert trust(merchant, tab["customer_id"])["score"] >= 0.75


def test_old_trouble_fades_and_pay_after_comes_back(merchant: Merchant, clock: TestClock) -> None:
    rui = merchant.customer("Rui")
    written_off(merchant, rui["id"])
    written_off(merchant, rui["id"])
    now = trust(merchant, rui["id"])
    assert (now["tier"], now["score"]) == ("restricted", 0.375)  # 3 / (4 + 2 x 2)
    refused = merchant.post("/v1/tabs", {"customer_id": rui["id"]})
    assert refused.status_code == 402
    error = refused.json()["error"]
    assert error["code"] == "prepayment_required" and error["tier"] == "restricted"
    unlock = {u["action"]: u for u in error["unlock"]}
    assert {"prepay", "card_hold", "more_paid_visits", "wait"} <= set(unlock)
    assert unlock["more_paid_visits"]["visits"] == 2  # (3 + 2) / (4 + 4 + 2) = 0.5
    assert unlock["wait"]["days"] == 180  # one half-life: 3 / (4 + 2) = 0.5
    assert "2 unpaid tabs written off" in now["factors"]

    clock.advance(days=90)
    assert trust(merchant, rui["id"])["tier"] == "restricted"
    assert merchant.post("/v1/tabs", {"customer_id": rui["id"]}).status_code == 402
    clock.advance(days=91)
    later = trust(merchant, rui["id"])
    assert later["tier"] == "new" and 0.5 < later["score"] < 0.51
    assert later["factors"] == ["2 unpaid tabs written off (the last one 6 months ago)"]
    assert merchant.post("/v1/tabs", {"customer_id": rui["id"]}).status_code == 201


def test_repeated_no_shows_restrict_and_show_in_words(runtime: Runtime, merchant: Merchant) -> None:
    # Kept off the 0.5 boundary: real time passes between events and evidence
    # fades with it, so a score of exactly 0.5 could land on either side.
    bea = merchant.customer("Bea")
    paid_visit(merchant, bea["id"])
    paid_visit(merchant, bea["id"])
    for _ in range(3):
        count(runtime, merchant, bea["id"], "no_shows")
    now = trust(merchant, bea["id"])
    assert now["score"] == round(5 / 9, 4) and now["tier"] == "standard"
    assert now["factors"] == ["3 no-shows", "2 visits paid on time"]
    for _ in range(2):
        count(runtime, merchant, bea["id"], "no_shows")
    assert trust(merchant, bea["id"])["tier"] == "restricted"  # 5 / 11


# --- tab limits --------------------------------------------------------------------------


def test_the_tab_limit_grows_with_on_time_payments(merchant: Merchant) -> None:
    ana = merchant.customer("Ana")
    paid_visit(merchant, ana["id"])  # standard, 1 visit: 150 + 25 = 175.00
    tab = merchant.tab(ana["id"])
    over = add_line(merchant, tab["id"], 17_501)
    assert over.status_code == 402
    error = over.json()["error"]
    assert error["code"] == "tab_limit_exceeded"
    assert (error["tier"], error["limit"], error["outstanding"], error["available"]) == (
        "standard",
        17_500,
        0,
        17_500,
    )
    unlock = {u["action"]: u for u in error["unlock"]}
    assert (unlock["more_on_time_visits"]["visits"], unlock["more_on_time_visits"]["limit"]) == (
        1,
        20_000,
    )
    assert "1 more on-time paid visit raises the limit to €200.00" in error["message"]
    paid_visit(merchant, ana["id"])
    assert add_line(merchant, tab["id"], 17_501).status_code == 200


def test_over_the_limit_staff_are_told_how_much_payment_makes_room(merchant: Merchant) -> None:
    carla = merchant.customer("Carla")  # new: 100.00
    first = merchant.tab(carla["id"])
    assert add_line(merchant, first["id"], 8_000).status_code == 200
    second = merchant.tab(carla["id"])
    over = add_line(merchant, second["id"], 3_000)
    error = over.json()["error"]
    assert (error["limit"], error["outstanding"], error["available"], error["requested"]) == (
        10_000,
        8_000,
        2_000,
        3_000,
    )
    unlock = {u["action"]: u for u in error["unlock"]}
    assert unlock["take_payment"]["amount"] == 1_000
    assert "Take a payment of €10.00" in error["message"]
    assert "more_on_time_visits" not in unlock  # the new tier's limit does not grow


def test_a_yen_cafe_gets_a_yen_sized_limit(new_merchant: Callable[..., Merchant]) -> None:
    tokyo = new_merchant("Kissa Hoshi", currency="JPY")
    tab = tokyo.tab()
    assert add_line(tokyo, tab["id"], 9_000).status_code == 200  # ¥9,000 of coffee
    error = add_line(tokyo, tab["id"], 1_001).json()["error"]
    assert (error["code"], error["limit"]) == ("tab_limit_exceeded", 10_000)


def test_merchant_policy_sets_thresholds_and_limits(runtime: Runtime, merchant: Merchant) -> None:
    from servefirst.merchants.models import Merchant as MerchantRow

    with runtime.uow(merchant.id) as uow:
        row = uow.session.get(MerchantRow, merchant.id)
        assert row is not None
        row.policy = {
            "trust": {
                "thresholds": {"trusted_min_paid_visits": 1, "trusted_min_score": 0.79},
                "tiers": {"trusted": {"tab_limit": {"base": 5_000, "step": 0, "cap": 5_000}}},
            }
        }
        uow.commit()
    ana = merchant.customer("Ana")
    paid_visit(merchant, ana["id"])
    assert trust(merchant, ana["id"])["tier"] == "trusted"
    tab = merchant.tab(ana["id"])
    assert add_line(merchant, tab["id"], 5_001).json()["error"]["limit"] == 5_000
    report = merchant.get("/v1/reports/trust").json()
    trusted = next(p for p in report["policy"] if p["tier"] == "trusted")
    assert (trusted["tab_limit_base"], report["trusted_min_paid_visits"]) == (5_000, 1)


def test_a_checkin_behind_a_hold_opens_a_tab_for_a_restricted_customer(
    runtime: Runtime, merchant: Merchant
) -> None:
    from servefirst.tabs import service as tabs

    rui = merchant.customer("Rui")
    written_off(merchant, rui["id"])
    written_off(merchant, rui["id"])
    with runtime.uow(merchant.id) as uow:
        tab = tabs.open_tab(uow, customer_id=rui["id"], secured=True)
        uow.commit()
    assert merchant.get(f"/v1/tabs/{tab.tab_id}").json()["status"] == "open"


# --- the merchant's view -----------------------------------------------------------------


def test_the_trust_report_counts_tiers_and_how_they_performed(
    runtime: Runtime, merchant: Merchant
) -> None:
    ana = merchant.customer("Ana")
    for _ in range(5):
        paid_visit(merchant, ana["id"], price=500)
    paid_visit(merchant, ana["id"], price=500)  # counted under trusted
    rui = merchant.customer("Rui")
    written_off(merchant, rui["id"], price=700)  # under new
    written_off(merchant, rui["id"], price=300)  # under new (0.5 after the first)
    bea = merchant.customer("Bea")
    count(runtime, merchant, bea["id"], "no_shows")  # under new
    merchant.customer("Dora")

    response = merchant.get("/v1/reports/trust")
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["currency"] == "EUR" and report["object"] == "trust_report"
    tiers = {t["tier"]: t for t in report["tiers"]}
    assert [t["tier"] for t in report["tiers"]] == ["trusted", "standard", "new", "restricted"]
    assert {k: v["customers"] for k, v in tiers.items()} == {
        "trusted": 1,
        "standard": 0,
        "new": 2,
        "restricted": 1,
    }
    assert (tiers["trusted"]["paid_on_time"], tiers["trusted"]["paid_on_time_rate"]) == (1, 1.0)
    assert (tiers["standard"]["paid_on_time"], tiers["standard"]["tabs_closed"]) == (4, 4)
    new = tiers["new"]
    assert (new["paid_on_time"], new["written_off"], new["no_shows"]) == (1, 2, 1)
    assert new["losses_written_off"] == 1_000
    assert new["paid_on_time_rate"] == round(1 / 3, 4)
    assert new["no_show_rate"] == round(1 / 4, 4)
    assert tiers["restricted"]["tabs_closed"] == 0 and tiers["restricted"]["no_show_rate"] is None


# --- the race: two lines on two tabs of one customer -------------------------------------


def test_lines_racing_on_many_tabs_of_one_customer_never_pass_the_limit(
    live_merchant: Callable[..., Merchant],  # noqa: F811
    server_url: str,  # noqa: F811
) -> None:
    merchant = live_merchant()
    customer = merchant.customer("Ana")  # new: may owe 100.00
    tabs = [merchant.tab(customer["id"]) for _ in range(8)]
    svc = merchant.service(price=3_000)

    def send(client: httpx.Client, i: int) -> httpx.Response:
        return client.post(
            f"/v1/tabs/{tabs[i]['id']}/lines",
            json={"service_id": svc["id"]},
            headers=merchant.headers,
        )

    responses = race(server_url, len(tabs), send)
    assert all(r.status_code in (200, 402) for r in responses), [r.text for r in responses]
    accepted = [r for r in responses if r.status_code == 200]
    assert len(accepted) == 3  # 3 x 30.00 fits in 100.00, a fourth does not
    refused = [r.json()["error"] for r in responses if r.status_code == 402]
    assert {e["code"] for e in refused} == {"tab_limit_exceeded"}
    assert merchant.balances()["receivables"] == 9_000
