"""A café runs a stamp card and a shop runs points: earning on paid tabs,
refunds taking back, a reward taken off the bill before the payment, and every
bad redemption refused whole (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from servefirst.ledger.service import audit
from servefirst.payments.service import pay_tab
from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock


def stamp_card(merchant: Merchant, **extra: Any) -> dict[str, Any]:
    flat_white = merchant.service("Flat white", price=380)
    body = {
        "kind": "visits",
        "visits_per_reward": 3,
        "min_spend": 300,
        "reward": {"type": "free_service", "service_id": flat_white["id"]},
        **extra,
    }
    response = merchant.post("/v1/merchant/loyalty-program", body)
    assert response.status_code == 200, response.text
    return flat_white


def paid_tab(merchant: Merchant, customer_id: str, *service_ids: str, **pay: Any) -> Any:
    tab = merchant.tab(customer_id)
    for service_id in service_ids:
        added = merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": service_id})
        assert added.status_code == 200, added.text
    assert merchant.post(f"/v1/tabs/{tab['id']}/serve").status_code == 200
    return merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", **pay})


def card(merchant: Merchant, customer_id: str) -> dict[str, Any]:
    response = merchant.get(f"/v1/customers/{customer_id}/loyalty")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_the_third_paid_coffee_earns_a_free_flat_white_told_in_words(merchant: Merchant) -> None:
    flat_white = stamp_card(merchant)
    ana = merchant.customer()
    assert card(merchant, ana["id"])["progress"] == "3 more visits to a free flat white"
    assert paid_tab(merchant, ana["id"], flat_white["id"]).status_code == 201
    assert card(merchant, ana["id"])["progress"] == "2 more visits to a free flat white"
    paid_tab(merchant, ana["id"], flat_white["id"])
    paid_tab(merchant, ana["id"], flat_white["id"])
    now = card(merchant, ana["id"])
    assert now["balance"] == 0
    assert [r["reward"]["type"] for r in now["rewards_available"]] == ["free_service"]
    assert [m["kind"] for m in now["history"]].count("earn") == 3


def test_a_tab_below_the_minimum_spend_earns_no_stamp(merchant: Merchant) -> None:
    stamp_card(merchant)
    cheap = merchant.service("Espresso", price=150)
    ana = merchant.customer()
    paid_tab(merchant, ana["id"], cheap["id"])
    assert card(merchant, ana["id"])["balance"] == 0


def test_the_reward_comes_off_the_bill_in_one_balanced_entry(merchant: Merchant) -> None:
    flat_white = stamp_card(merchant)
    croissant = merchant.service("Croissant", price=220)
    ana = merchant.customer()
    for _ in range(3):
        paid_tab(merchant, ana["id"], flat_white["id"])
    reward = card(merchant, ana["id"])["rewards_available"][0]
    paid = paid_tab(merchant, ana["id"], flat_white["id"], croissant["id"], reward_id=reward["id"])
    assert paid.status_code == 201, paid.text
    assert paid.json()["amount"] == 220  # only the croissant is paid
    assert paid.json()["tab"]["status"] == "paid"
    balances = merchant.balances()
    assert balances["loyalty_rewards"] == 380
    assert balances["receivables"] == 0
    after = card(merchant, ana["id"])
    assert after["rewards_available"] == []
    assert after["rewards"][0]["status"] == "redeemed"
    assert after["rewards"][0]["discount"] == 380


def test_a_reward_that_covers_the_bill_closes_it_with_nothing_to_pay(merchant: Merchant) -> None:
    flat_white = stamp_card(merchant, visits_per_reward=1)
    ana = merchant.customer()
    paid_tab(merchant, ana["id"], flat_white["id"])
    reward = card(merchant, ana["id"])["rewards_available"][0]
    free = paid_tab(merchant, ana["id"], flat_white["id"], reward_id=reward["id"])
    assert free.status_code == 201, free.text
    assert free.json()["amount"] == 0
    assert free.json()["tab"]["status"] == "paid"
    # A free visit earns nothing: nothing was paid for it.
    assert card(merchant, ana["id"])["balance"] == 0


def _refused_whole(
    merchant: Merchant, tab_id: str, body: dict[str, Any], status: int, code: str
) -> None:
    before_tab = merchant.get(f"/v1/tabs/{tab_id}").json()
    before = merchant.balances()
    refused = merchant.post(f"/v1/tabs/{tab_id}/payments", body)
    assert refused.status_code == status, refused.text
    assert refused.json()["error"]["code"] == code
    assert merchant.get(f"/v1/tabs/{tab_id}").json() == before_tab
    assert merchant.balances() == before


def test_bad_redemptions_are_refused_and_change_nothing(
    merchant: Merchant, new_merchant: Any, clock: TestClock
) -> None:
    big = merchant.service("Big breakfast", price=1500)
    response = merchant.post(
        "/v1/merchant/loyalty-program",
        {
            "kind": "visits",
            "visits_per_reward": 1,
            "reward": {"type": "amount_off", "amount": 1000},
            "expires_after_days": 30,
        },
    )
    assert response.status_code == 200, response.text
    ana, rui = merchant.customer(), merchant.customer("Rui")
    paid_tab(merchant, ana["id"], big["id"])
    reward = card(merchant, ana["id"])["rewards_available"][0]["id"]
    coffee = merchant.service("Coffee", price=380)

    small = merchant.tab(ana["id"])
    merchant.post(f"/v1/tabs/{small['id']}/lines", {"service_id": coffee["id"]})
    _refused_whole(
        merchant, small["id"], {"method": "cash", "reward_id": reward}, 422, "reward_exceeds_due"
    )

    ruis = merchant.tab(rui["id"])
    merchant.post(f"/v1/tabs/{ruis['id']}/lines", {"service_id": big["id"]})
    _refused_whole(
        merchant, ruis["id"], {"method": "cash", "reward_id": reward}, 404, "reward_not_found"
    )
    _refused_whole(
        merchant, ruis["id"], {"method": "cash", "reward_id": "rwd_nope"}, 404, "reward_not_found"
    )

    # Staff typed the bill's full amount as well as the reward: refused whole.
    anas = merchant.tab(ana["id"])
    merchant.post(f"/v1/tabs/{anas['id']}/lines", {"service_id": big["id"]})
    merchant.post(f"/v1/tabs/{anas['id']}/serve")
    _refused_whole(
        merchant,
        anas["id"],
        {"method": "cash", "amount": 1500, "reward_id": reward},
        422,
        "amount_exceeds_due",
    )
    used = merchant.post(f"/v1/tabs/{anas['id']}/payments", {"method": "cash", "reward_id": reward})
    assert used.status_code == 201, used.text
    again = merchant.tab(ana["id"])
    merchant.post(f"/v1/tabs/{again['id']}/lines", {"service_id": big["id"]})
    _refused_whole(
        merchant, again["id"], {"method": "cash", "reward_id": reward}, 409, "reward_already_used"
    )

    # A second reward (from the last visit), left unused past its 30 days.
    later = card(merchant, ana["id"])["rewards_available"][0]["id"]
    clock.advance(days=31)
    _refused_whole(
        merchant, again["id"], {"method": "cash", "reward_id": later}, 409, "reward_expired"
    )
    assert card(merchant, ana["id"])["rewards"][0]["status"] == "expired"


def test_a_full_refund_takes_the_stamp_back(merchant: Merchant) -> None:
    flat_white = stamp_card(merchant)
    ana = merchant.customer()
    paid = paid_tab(merchant, ana["id"], flat_white["id"]).json()
    assert card(merchant, ana["id"])["balance"] == 1
    refund = merchant.post(f"/v1/payments/{paid['id']}/refunds", {"reason": "spilt"})
    assert refund.status_code == 201, refund.text
    after = card(merchant, ana["id"])
    assert after["balance"] == 0
    assert [m["kind"] for m in after["history"]][0] == "take_back"


def test_points_per_euro_before_tip_doubled_in_the_happy_hour(
    merchant: Merchant, clock: TestClock
) -> None:
    cake = merchant.service("Cake", price=1290)
    zone = ZoneInfo(merchant.get("/v1/merchant").json()["timezone"])
    if not 1 <= clock.now().astimezone(zone).hour <= 21:
        clock.advance(hours=12)
    hour = clock.now().astimezone(zone).hour
    happy_hour = {"starts": f"{hour - 1:02d}:00", "ends": f"{hour + 2:02d}:00"}
    response = merchant.post(
        "/v1/merchant/loyalty-program",
        {
            "kind": "points",
            "points_per_unit": 1,
            "points_per_reward": 100,
            "reward": {"type": "percent_off", "percent": "10"},
            "promotions": [happy_hour],
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["promotions"][0]["multiplier"] == 2
    ana = merchant.customer()
    paid_tab(merchant, ana["id"], cake["id"], tip=500)
    # 12.90 EUR paid for the cake: 12 points, doubled; the tip earns nothing.
    assert card(merchant, ana["id"])["balance"] == 24
    assert card(merchant, ana["id"])["progress"].endswith("more points to 10% off")


def test_a_bad_programme_is_refused_with_the_field_named(merchant: Merchant) -> None:
    refused = merchant.post(
        "/v1/merchant/loyalty-program",
        {"kind": "visits", "visits_per_reward": 0, "reward": {"type": "amount_off", "amount": 100}},
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["param"] == "visits_per_reward"
    missing = merchant.post(
        "/v1/merchant/loyalty-program",
        {
            "kind": "visits",
            "visits_per_reward": 5,
            "reward": {"type": "free_service", "service_id": "svc_x"},
        },
    )
    assert missing.status_code == 422, missing.text
    assert merchant.get("/v1/merchant/loyalty-program").json()["active"] is False


def test_two_tills_redeeming_one_reward_at_once_exactly_one_wins(
    merchant: Merchant, runtime: Runtime
) -> None:
    flat_white = stamp_card(merchant, visits_per_reward=1)
    ana = merchant.customer()
    paid_tab(merchant, ana["id"], flat_white["id"])
    reward = card(merchant, ana["id"])["rewards_available"][0]["id"]
    croissant = merchant.service("Croissant", price=220)
    tabs = []
    for _ in range(2):
        tab = merchant.tab(ana["id"])
        for svc in (flat_white, croissant):
            merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
        tabs.append(tab["id"])
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def redeem(tab_id: str) -> None:
        barrier.wait()
        with runtime.uow(merchant.id) as uow:
            try:
                pay_tab(uow, tab_id, method="cash", amount=None, reward_id=reward)
                uow.commit()
                outcomes.append("won")
            except Exception as exc:  # noqa: BLE001
                outcomes.append(getattr(exc, "code", repr(exc)))

    threads = [threading.Thread(target=redeem, args=(t,)) for t in tabs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["reward_already_used", "won"]
    assert merchant.balances()["loyalty_rewards"] == 380
    with runtime.uow(merchant.id, write=False) as uow:
        assert audit(uow).ok


def test_the_report_sets_members_beside_everyone_else_and_counts_the_cost(
    merchant: Merchant, clock: TestClock
) -> None:
    flat_white = stamp_card(merchant, visits_per_reward=2, expires_after_days=10)
    ana, eva = merchant.customer(), merchant.customer("Eva")
    merchant.customer("Rui")
    before = merchant.get("/v1/reports/loyalty").json()
    assert before["members"]["customers"] == 0 and before["non_members"]["customers"] == 3
    for _ in range(2):
        paid_tab(merchant, ana["id"], flat_white["id"])
    reward = card(merchant, ana["id"])["rewards_available"][0]["id"]
    paid_tab(
        merchant,
        ana["id"],
        flat_white["id"],
        merchant.service("Tea", price=250)["id"],
        reward_id=reward,
    )
    for _ in range(2):
        paid_tab(merchant, eva["id"], flat_white["id"])  # Eva's reward will lapse unused
    report = merchant.get("/v1/reports/loyalty?days=30").json()
    assert report["members"]["customers"] == 2  # Ana and Eva; Rui never came
    assert report["members"]["visits"] == 5
    assert report["members"]["spend"] == 4 * 380 + 250
    assert report["members"]["on_time_rate"] == 1.0
    assert report["non_members"] == {
        "customers": 1,
        "visits": 0,
        "visits_per_month": 0.0,
        "spend": 0,
        "spend_per_customer": 0,
        "on_time_rate": None,
    }
    assert report["rewards_issued"] == {"loyalty": 2}
    assert report["rewards_redeemed"] == {"loyalty": 1}
    assert report["rewards_expired"] == {}
    assert report["cost"] == 380 == merchant.balances()["loyalty_rewards"]
    clock.advance(days=11)
    assert merchant.get("/v1/reports/loyalty?days=30").json()["rewards_expired"] == {"loyalty": 1}


def test_staff_earn_on_what_was_paid_after_the_reward(merchant: Merchant, clock: TestClock) -> None:
    flat_white = stamp_card(merchant, visits_per_reward=1)
    barista = merchant.post("/v1/staff", {"name": "Rui", "commission_rate_bps": 1000}).json()
    ana = merchant.customer()
    paid_tab(merchant, ana["id"], flat_white["id"])
    reward = card(merchant, ana["id"])["rewards_available"][0]["id"]
    cake = merchant.service("Cake", price=620)
    start = clock.now()
    tab = merchant.tab(ana["id"])
    for svc in (flat_white, cake):
        added = merchant.post(
            f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"], "staff_id": barista["id"]}
        )
        assert added.status_code == 200, added.text
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "reward_id": reward})
    assert paid.status_code == 201 and paid.json()["amount"] == 620
    window = {"from": start.isoformat(), "to": (clock.now() + timedelta(hours=1)).isoformat()}
    rows = {
        r["name"]: r for r in merchant.get("/v1/reports/earnings", params=window).json()["staff"]
    }
    assert (rows["Rui"]["sales"], rows["Rui"]["paid"], rows["Rui"]["commission"]) == (1000, 620, 62)


def test_a_reward_on_a_taxed_bill_takes_its_tax_back_in_proportion(merchant: Merchant) -> None:
    """A 23 % IVA café: the free flat white (3.80 gross) gives back 0.71 of tax
    with it; the ledger's tax payable, the tab's tax and the tax report agree."""
    rate = merchant.post("/v1/tax-rates", {"name": "IVA 23%", "percent": "23"}).json()
    flat_white = stamp_card(merchant, visits_per_reward=1)
    assert (
        merchant.post(f"/v1/services/{flat_white['id']}", {"tax_rate_id": rate["id"]}).status_code
        == 200
    )
    croissant = merchant.service("Croissant", price=246, tax_rate_id=rate["id"])
    ana = merchant.customer()
    paid_tab(merchant, ana["id"], flat_white["id"])
    reward = card(merchant, ana["id"])["rewards_available"][0]
    paid = paid_tab(merchant, ana["id"], flat_white["id"], croissant["id"], reward_id=reward["id"])
    assert paid.status_code == 201, paid.text
    tab = paid.json()["tab"]
    assert paid.json()["amount"] == 246
    # What is left: the croissant, 2.00 net and 0.46 tax.
    assert (tab["net"], tab["gross"]) == (200, 246)
    assert [part["tax"] for part in tab["tax"]] == [46]
    balances = merchant.balances()
    owed_tax = -balances["tax_payable"]
    assert owed_tax == 71 + 46  # the first flat white's tax, and the croissant's
    assert balances["loyalty_rewards"] == 380 - 71  # the reward costs its net
    report = merchant.get("/v1/reports/tax").json()
    assert report["tax"] == owed_tax == report["ledger_tax_payable"]
