"""Loyalty follows a void as it follows a refund (SQLite and PostgreSQL).

The salon of ``test_deposit_paid_tab_voids``: a colour booked with its whole
price as the deposit, done as a cut (15.00) and a toner (10.00) that the
deposit paid alone, earning on 25.00. The owner later finds the toner was
never done and voids it: part of the deposit goes back to the card, and the
points (or the stamp) earned on the toner go back too, in proportion, never
below what the customer still holds. A referrer's thanks for a friend whose
first visit comes to nothing goes as well, while it is unused."""

from __future__ import annotations

import html
import uuid
from collections.abc import Callable
from typing import Any

from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.integration.test_checkin_deposit_refunds import audited
from tests.integration.test_deposit_paid_tab_voids import (
    CUT,
    TONER_NOT_DONE,
    paid_by_its_deposit,
    refunds,
    void_toner,
)
from tests.integration.test_deposit_refunds import RefundsAsked
from tests.integration.test_loyalty_api import card, paid_tab
from tests.integration.test_pages_staff import Staff
from tests.integration.test_referrals_api import scheme

__all__ = ["refunds"]  # the processor's stand-in, a fixture

FIVE_EUROS_OFF = {"type": "amount_off", "amount": 500}


def points(merchant: Merchant, per_reward: int = 100) -> None:
    body = {
        "kind": "points",
        "points_per_unit": 1,
        "points_per_reward": per_reward,
        "reward": FIVE_EUROS_OFF,
    }
    response = merchant.post("/v1/merchant/loyalty-program", body)
    assert response.status_code == 200, response.text


def taken_back(merchant: Merchant, customer_id: str) -> list[dict[str, Any]]:
    return [m for m in card(merchant, customer_id)["history"] if m["kind"] == "take_back"]


def events(merchant: Merchant, kind: str) -> list[dict[str, Any]]:
    return merchant.get("/v1/events", params={"type": kind}).json()["data"]  # type: ignore[no-any-return]


def test_the_toner_never_done_takes_its_points_back_naming_the_tab_and_the_line(
    runtime: Runtime, merchant: Merchant, clock: TestClock, refunds: RefundsAsked
) -> None:
    points(merchant)
    _, tab = paid_by_its_deposit(merchant, clock)
    ana = tab["customer_id"]
    assert card(merchant, ana)["balance"] == 25  # 25.00 paid by the deposit
    voided = void_toner(merchant, tab)
    assert voided.status_code == 200, voided.text
    assert card(merchant, ana)["balance"] == 15
    [move] = taken_back(merchant, ana)
    assert (move["points"], move["tab_id"], move["reference"]) == (-10, tab["id"], "line 3")
    [told] = events(merchant, "loyalty.taken_back")
    assert told["object_id"] == ana
    assert told["data"] == {"tab_id": tab["id"], "points": 10, "line_no": 3}
    audited(runtime, merchant)


def test_a_void_sent_twice_takes_the_points_back_once(
    merchant: Merchant, clock: TestClock, refunds: RefundsAsked
) -> None:
    points(merchant)
    _, tab = paid_by_its_deposit(merchant, clock)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = void_toner(merchant, tab, **key)
    again = void_toner(merchant, tab, **key)  # the same request retried
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == first.json()
    sent_anew = void_toner(merchant, tab)  # sent again, as a new request
    assert sent_anew.status_code == 409
    assert sent_anew.json()["error"]["code"] == "line_already_voided"
    assert [m["points"] for m in taken_back(merchant, tab["customer_id"])] == [-10]
    assert card(merchant, tab["customer_id"])["balance"] == 15


def test_a_deposit_paid_tab_voided_line_by_line_to_nothing_keeps_no_points(
    runtime: Runtime, merchant: Merchant, clock: TestClock, refunds: RefundsAsked
) -> None:
    points(merchant)
    _, tab = paid_by_its_deposit(merchant, clock)
    assert void_toner(merchant, tab).status_code == 200
    cut = merchant.post(f"/v1/tabs/{tab['id']}/lines/2/void", {"reason": "Not done either"})
    assert cut.status_code == 200, cut.text
    assert (cut.json()["status"], cut.json()["subtotal"]) == ("paid", 0)
    ana = card(merchant, tab["customer_id"])
    assert ana["balance"] == 0
    moves = [(m["points"], m["reference"]) for m in taken_back(merchant, tab["customer_id"])]
    assert sorted(moves) == [(-15, "line 2"), (-10, "line 3")]
    audited(runtime, merchant)


def test_a_stamp_already_turned_into_a_reward_takes_the_unused_reward_back(
    merchant: Merchant, clock: TestClock, refunds: RefundsAsked
) -> None:
    """Every visit is a reward here: the deposit-paid visit's stamp became one
    at once. The void takes the stamp back, so the reward goes and its cost
    comes back to be taken."""
    body = {"kind": "visits", "visits_per_reward": 1, "min_spend": 0, "reward": FIVE_EUROS_OFF}
    assert merchant.post("/v1/merchant/loyalty-program", body).status_code == 200
    _, tab = paid_by_its_deposit(merchant, clock)
    ana = tab["customer_id"]
    [reward] = card(merchant, ana)["rewards_available"]
    assert void_toner(merchant, tab).status_code == 200
    after = card(merchant, ana)
    assert (after["balance"], after["rewards_available"]) == (0, [])
    assert [(r["id"], r["status"]) for r in after["rewards"]] == [(reward["id"], "void")]
    kinds = [m["kind"] for m in after["history"]]
    assert kinds[:2] == ["take_back", "restore"]  # newest first
    assert [e["object_id"] for e in events(merchant, "loyalty.reward_voided")] == [reward["id"]]


def test_points_already_spent_are_not_taken_below_what_the_customer_holds(
    merchant: Merchant, clock: TestClock, refunds: RefundsAsked
) -> None:
    """25 points made a reward of 20 at once; Ana used it on a coffee. Of the
    10 the toner earned, only the 5 she still holds can come back."""
    points(merchant, per_reward=20)
    _, tab = paid_by_its_deposit(merchant, clock)
    ana = tab["customer_id"]
    [reward] = card(merchant, ana)["rewards_available"]
    coffee = merchant.service("Coffee", price=600)
    used = paid_tab(merchant, ana, coffee["id"], reward_id=reward["id"])
    assert used.status_code == 201, used.text
    assert card(merchant, ana)["balance"] == 6  # 5 left, and the coffee's 1.00 paid
    assert void_toner(merchant, tab).status_code == 200
    assert card(merchant, ana)["balance"] == 0
    assert [m["points"] for m in taken_back(merchant, ana)] == [-6]


def test_the_console_void_form_takes_the_points_back_and_both_cards_show_the_balance(
    runtime: Runtime,
    merchant: Merchant,
    clock: TestClock,
    refunds: RefundsAsked,
    signed_in: Callable[..., Staff],
) -> None:
    points(merchant)
    _, tab = paid_by_its_deposit(merchant, clock)
    ana = tab["customer_id"]
    manager = signed_in(merchant, "manager")
    shown = html.unescape(manager.get(f"/staff/customers/{ana}").text).replace("\xa0", " ")
    assert "75 more points to €5.00 off" in shown
    done = manager.post(
        f"/staff/tabs/{tab['id']}/lines/3/void", {"reason": TONER_NOT_DONE}, follow_redirects=False
    )
    assert done.status_code == 303, done.text
    console = html.unescape(manager.get(f"/staff/customers/{ana}").text).replace("\xa0", " ")
    assert "85 more points to €5.00 off" in console
    page = html.unescape(merchant.client.get(f"/t/{tab['token']}").text).replace("\xa0", " ")
    assert '<p id="loyalty-progress">85 more points to €5.00 off</p>' in page
    public = merchant.client.get(f"/v1/public/tabs/{tab['token']}").json()
    assert public["loyalty"]["progress"] == "85 more points to €5.00 off"
    assert [m["reference"] for m in taken_back(merchant, ana)] == ["line 3"]
    audited(runtime, merchant)


# --- a referral whose first visit came to nothing ----------------------------------------


def referred_friend(merchant: Merchant) -> tuple[dict[str, Any], dict[str, Any]]:
    scheme(merchant)
    rita = merchant.customer("Rita", email="rita@example.com")
    joana = merchant.customer("Joana", referral_code=rita["referral_code"])
    return rita, joana


def thanks(merchant: Merchant, customer_id: str) -> list[tuple[str, str]]:
    rewards = card(merchant, customer_id)["rewards"]
    return [(r["source"], r["status"]) for r in rewards if r["source"] == "referral_referrer"]


def test_a_friends_first_visit_voided_to_nothing_takes_the_unused_thanks_back(
    merchant: Merchant, clock: TestClock, refunds: RefundsAsked
) -> None:
    rita, joana = referred_friend(merchant)
    _, tab = paid_by_its_deposit(merchant, clock, customer_id=joana["id"])
    assert thanks(merchant, rita["id"]) == [("referral_referrer", "available")]
    assert void_toner(merchant, tab).status_code == 200
    # Still paid for something (the cut): the thanks stays.
    assert thanks(merchant, rita["id"]) == [("referral_referrer", "available")]
    cut = merchant.post(f"/v1/tabs/{tab['id']}/lines/2/void", {"reason": "Not done either"})
    assert cut.status_code == 200, cut.text
    assert thanks(merchant, rita["id"]) == [("referral_referrer", "void")]
    [told] = events(merchant, "loyalty.reward_voided")
    assert told["data"]["friend"] == joana["id"]


def test_a_friends_first_visit_refunded_in_full_takes_the_unused_thanks_back(
    merchant: Merchant,
) -> None:
    rita, joana = referred_friend(merchant)
    cut = merchant.service("Cut", price=CUT)
    paid = paid_tab(merchant, joana["id"], cut["id"])
    assert paid.status_code == 201, paid.text
    part = merchant.post(
        f"/v1/payments/{paid.json()['id']}/refunds", {"amount": 500, "reason": "Uneven"}
    )
    assert part.status_code == 201, part.text
    assert thanks(merchant, rita["id"]) == [("referral_referrer", "available")]
    rest = merchant.post(
        f"/v1/payments/{paid.json()['id']}/refunds", {"reason": "Redone elsewhere"}
    )
    assert rest.status_code == 201, rest.text
    assert thanks(merchant, rita["id"]) == [("referral_referrer", "void")]


def test_a_thanks_already_used_or_a_friend_who_came_back_keeps_it(merchant: Merchant) -> None:
    rita, joana = referred_friend(merchant)
    cut = merchant.service("Cut", price=CUT)
    first = paid_tab(merchant, joana["id"], cut["id"]).json()
    assert paid_tab(merchant, joana["id"], cut["id"]).status_code == 201  # she came back
    refunded = merchant.post(f"/v1/payments/{first['id']}/refunds", {"reason": "Redone"})
    assert refunded.status_code == 201, refunded.text
    assert thanks(merchant, rita["id"]) == [("referral_referrer", "available")]

    marta = merchant.customer("Marta", referral_code=rita["referral_code"])
    visit = paid_tab(merchant, marta["id"], cut["id"]).json()
    unused = [r for r in card(merchant, rita["id"])["rewards_available"]]
    newest = next(r for r in unused if r["source"] == "referral_referrer")
    used = paid_tab(merchant, rita["id"], cut["id"], reward_id=newest["id"])
    assert used.status_code == 201, used.text
    refunded = merchant.post(f"/v1/payments/{visit['id']}/refunds", {"reason": "Redone"})
    assert refunded.status_code == 201, refunded.text
    statuses = sorted(status for _, status in thanks(merchant, rita["id"]))
    assert statuses == ["available", "redeemed"]  # the used one stays used
