"""Loyalty follows a card dispute the merchant lost as it follows a refund
(SQLite and PostgreSQL), driven as the product is: Stripe's signed
``charge.dispute.created`` on the webhook, then the merchant marking the
dispute lost through the API or the console.

Ana pays 25.00 by card at Café Azul and earns 25 points. Her bank later takes
the money back for her: while the dispute is open nothing moves (it may yet be
won); once the merchant marks it lost, the points earned with that money go
back, in proportion, never below what she holds, naming the tab and the
dispute, once however often it is marked."""

from __future__ import annotations

import html
import uuid
from collections.abc import Callable
from typing import Any

from servefirst.loyalty.take_back_rules import LONGEST_DISPUTE_ID, LONGEST_REFERENCE
from servefirst.runtime import Runtime
from tests.conftest import Merchant
from tests.integration import test_stripe_gateway as on_stripe
from tests.integration.test_loyalty_api import card
from tests.integration.test_loyalty_voids import FIVE_EUROS_OFF, points
from tests.integration.test_pages_staff import Staff
from tests.integration.test_referrals_api import scheme
from tests.integration.test_stripe_gateway import WEBHOOK_SECRET, pay, post_event, reference_of
from tests.stripe_double import StripeDouble

# The Stripe merchant and the double in front of localstripe (fixtures).
localstripe_port = on_stripe.localstripe_port
stripe_double = on_stripe.stripe_double
stripe_runtime = on_stripe.stripe_runtime
stripe_client = on_stripe.stripe_client
cafe = on_stripe.cafe


def paid_by_card(
    cafe: Merchant, double: StripeDouble, price: int, customer_id: str | None = None, **tip: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A tab of one service at ``price``, served and paid by card at Stripe."""
    tab = cafe.tab(customer_id)
    service = cafe.service("Colour", price=price)
    assert cafe.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": service["id"]}).status_code
    assert cafe.post(f"/v1/tabs/{tab['id']}/serve").status_code == 200
    paid = pay(cafe, tab["id"], double.payment_method(), **tip)
    assert paid.status_code == 201, paid.text
    assert paid.json()["status"] == "succeeded"
    return cafe.get(f"/v1/tabs/{tab['id']}").json(), paid.json()


def disputed_at_the_bank(
    cafe: Merchant,
    double: StripeDouble,
    runtime: Runtime,
    payment_id: str,
    amount: int,
    dispute_id: str | None = None,
) -> str:
    """Stripe tells of the dispute, signed, as it does."""
    dispute = {
        "id": dispute_id or "dp_" + uuid.uuid4().hex[:24],
        "object": "dispute",
        "charge": "ch_" + uuid.uuid4().hex[:24],
        "payment_intent": reference_of(runtime, cafe, payment_id),
        "amount": amount,
        "currency": "eur",
        "reason": "fraudulent",
        "status": "needs_response",
    }
    event = double.signed_event("charge.dispute.created", dispute, WEBHOOK_SECRET)
    told = post_event(cafe, *event)
    assert told.json()["outcome"] == "handled", told.text
    return str(dispute["id"])


def marked_lost(cafe: Merchant, dispute_id: str, **headers: str) -> dict[str, Any]:
    lost = cafe.post(f"/v1/disputes/{dispute_id}/lost", headers=headers)
    assert lost.status_code == 200, lost.text
    return lost.json()  # type: ignore[no-any-return]


def taken_back(cafe: Merchant, customer_id: str) -> list[tuple[int, str, str]]:
    return [
        (m["points"], m["tab_id"], m["reference"])
        for m in card(cafe, customer_id)["history"]
        if m["kind"] == "take_back"
    ]


def events(cafe: Merchant, kind: str) -> list[dict[str, Any]]:
    return cafe.get("/v1/events", params={"type": kind}).json()["data"]  # type: ignore[no-any-return]


def in_words(page: str) -> str:
    return html.unescape(page).replace("\xa0", " ")


def test_a_dispute_marked_lost_takes_the_points_back_once_naming_the_tab_and_the_dispute(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    points(cafe)
    tab, paid = paid_by_card(cafe, stripe_double, 2500)
    ana = tab["customer_id"]
    assert card(cafe, ana)["balance"] == 25
    dispute_id = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 2500)
    assert card(cafe, ana)["balance"] == 25  # open: it may yet be won, nothing moves
    assert taken_back(cafe, ana) == []

    key = {"Idempotency-Key": str(uuid.uuid4())}
    assert marked_lost(cafe, dispute_id, **key)["status"] == "lost"
    assert marked_lost(cafe, dispute_id, **key)["status"] == "lost"  # the request retried
    assert marked_lost(cafe, dispute_id)["status"] == "lost"  # marked again, anew

    assert card(cafe, ana)["balance"] == 0
    assert taken_back(cafe, ana) == [(-25, tab["id"], f"dispute {dispute_id}")]
    [told] = events(cafe, "loyalty.taken_back")
    assert told["object_id"] == ana
    assert told["data"] == {"tab_id": tab["id"], "points": 25, "dispute_id": dispute_id}


def test_a_dispute_whose_id_is_as_long_as_stripe_may_make_it_is_kept_and_named_in_full(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    """Stripe's ids are 27 characters today, and it says they may grow to 255:
    the dispute, its events and the take-back naming it ("dispute " and the
    id, the longest reference loyalty writes) keep it whole."""
    points(cafe)
    tab, paid = paid_by_card(cafe, stripe_double, 2500)
    ana = tab["customer_id"]
    longest = "dp_" + "7" * (LONGEST_DISPUTE_ID - 3)
    dispute_id = disputed_at_the_bank(
        cafe, stripe_double, stripe_runtime, paid["id"], 2500, dispute_id=longest
    )
    assert marked_lost(cafe, dispute_id)["id"] == longest
    reference = f"dispute {longest}"
    assert len(reference) == LONGEST_REFERENCE
    assert taken_back(cafe, ana) == [(-25, tab["id"], reference)]
    assert [e["object_id"] for e in events(cafe, "dispute.lost")] == [longest]


def test_a_dispute_of_part_of_the_charge_takes_back_its_share_and_the_tip_goes_last(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    """25.00 and a 5.00 tip on one charge. A dispute of 10.00 is 10.00 of the
    bill; a dispute of all 30.00 is the whole bill, the tip not counted."""
    points(cafe)
    tab, paid = paid_by_card(cafe, stripe_double, 2500, tip=500)
    ana = tab["customer_id"]
    part = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 1000)
    marked_lost(cafe, part)
    assert card(cafe, ana)["balance"] == 15

    other, paid_again = paid_by_card(cafe, stripe_double, 2500, customer_id=ana, tip=500)
    assert card(cafe, ana)["balance"] == 40
    whole = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid_again["id"], 3000)
    marked_lost(cafe, whole)
    assert card(cafe, ana)["balance"] == 15
    assert sorted(taken_back(cafe, ana)) == sorted(
        [(-10, tab["id"], f"dispute {part}"), (-25, other["id"], f"dispute {whole}")]
    )


def test_two_disputes_of_one_charge_count_its_tip_out_once(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    """25.00 paid in two cards: 12.50 with a 5.00 tip, then 12.50. The bank
    takes back the first charge in two disputes (10.00, then 7.50): the bill's
    12.50 of it, not the tip, so half the points go."""
    points(cafe)
    tab = cafe.tab()
    service = cafe.service("Colour", price=2500)
    assert cafe.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": service["id"]}).status_code
    assert cafe.post(f"/v1/tabs/{tab['id']}/serve").status_code == 200
    first = pay(cafe, tab["id"], stripe_double.payment_method(), amount=1250, tip=500)
    assert first.status_code == 201, first.text
    second = pay(cafe, tab["id"], stripe_double.payment_method(), amount=1250)
    assert second.status_code == 201, second.text
    ana = tab["customer_id"]
    assert card(cafe, ana)["balance"] == 25
    for amount in (1000, 750):
        marked_lost(
            cafe,
            disputed_at_the_bank(cafe, stripe_double, stripe_runtime, first.json()["id"], amount),
        )
    assert card(cafe, ana)["balance"] == 12  # 12.50 of 25.00 still paid for, rounded down
    assert sorted(p for p, _, _ in taken_back(cafe, ana)) == [-10, -3]


def test_a_refund_then_a_dispute_of_the_rest_leave_the_tab_nothing(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    points(cafe)
    tab, paid = paid_by_card(cafe, stripe_double, 2500)
    ana = tab["customer_id"]
    refund = cafe.post(f"/v1/payments/{paid['id']}/refunds", {"amount": 1000, "reason": "Uneven"})
    assert refund.status_code == 201, refund.text
    assert card(cafe, ana)["balance"] == 15
    # The bank disputes the whole charge: only the 15.00 not refunded went back through it.
    rest = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 2500)
    marked_lost(cafe, rest)
    assert card(cafe, ana)["balance"] == 0
    assert [p for p, _, _ in taken_back(cafe, ana)] == [-15, -10]  # newest first


def test_a_stamp_turned_into_an_unused_reward_goes_back_with_a_lost_dispute(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    """Every visit is a reward here: the stamp became one at once. The lost
    dispute takes the stamp back, so the reward goes and its cost comes back."""
    body = {"kind": "visits", "visits_per_reward": 1, "min_spend": 0, "reward": FIVE_EUROS_OFF}
    assert cafe.post("/v1/merchant/loyalty-program", body).status_code == 200
    tab, paid = paid_by_card(cafe, stripe_double, 2500)
    ana = tab["customer_id"]
    [reward] = card(cafe, ana)["rewards_available"]
    marked_lost(cafe, disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 2500))
    after = card(cafe, ana)
    assert (after["balance"], after["rewards_available"]) == (0, [])
    assert [(r["id"], r["status"]) for r in after["rewards"]] == [(reward["id"], "void")]
    assert [m["kind"] for m in after["history"]][:2] == ["take_back", "restore"]
    assert [e["object_id"] for e in events(cafe, "loyalty.reward_voided")] == [reward["id"]]


def test_points_already_spent_are_not_taken_below_what_the_customer_holds(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    """25 points made a reward of 20 at once, and Ana used it: of the 25 the
    disputed visit earned, only what she still holds can come back."""
    points(cafe, per_reward=20)
    tab, paid = paid_by_card(cafe, stripe_double, 2500)
    ana = tab["customer_id"]
    [reward] = card(cafe, ana)["rewards_available"]
    coffee = cafe.service("Coffee", price=600)
    used = cafe.tab(ana)
    assert cafe.post(f"/v1/tabs/{used['id']}/lines", {"service_id": coffee["id"]}).status_code
    assert cafe.post(f"/v1/tabs/{used['id']}/serve").status_code == 200
    spent = cafe.post(
        f"/v1/tabs/{used['id']}/payments", {"method": "cash", "reward_id": reward["id"]}
    )
    assert spent.status_code == 201, spent.text
    assert card(cafe, ana)["balance"] == 6
    marked_lost(cafe, disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 2500))
    assert card(cafe, ana)["balance"] == 0
    assert [p for p, _, _ in taken_back(cafe, ana)] == [-6]


def test_the_owner_marks_it_lost_in_the_console_and_both_pages_show_the_balance(
    cafe: Merchant,
    stripe_double: StripeDouble,
    stripe_runtime: Runtime,
    signed_in: Callable[..., Staff],
) -> None:
    points(cafe)
    tab, paid = paid_by_card(cafe, stripe_double, 2500)
    ana = tab["customer_id"]
    owner = signed_in(cafe, "owner")
    assert "75 more points to €5.00 off" in in_words(owner.get(f"/staff/customers/{ana}").text)
    dispute_id = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 1500)
    told = owner.get("/staff/disputes").text
    assert "the loyalty points or stamps the payment earned go back too" in told
    done = owner.post(f"/staff/disputes/{dispute_id}/lost", follow_redirects=False)
    assert done.status_code == 303, done.text
    again = owner.post(f"/staff/disputes/{dispute_id}/lost", follow_redirects=False)
    assert again.status_code == 303, again.text
    assert card(cafe, ana)["balance"] == 10
    console = in_words(owner.get(f"/staff/customers/{ana}").text)
    assert "90 more points to €5.00 off" in console
    page = in_words(cafe.client.get(f"/t/{tab['token']}").text)
    assert '<p id="loyalty-progress">90 more points to €5.00 off</p>' in page
    public = cafe.client.get(f"/v1/public/tabs/{tab['token']}").json()
    assert public["loyalty"]["progress"] == "90 more points to €5.00 off"
    assert taken_back(cafe, ana) == [(-15, tab["id"], f"dispute {dispute_id}")]


# --- a referral whose first visit the bank took back -------------------------------------


def thanks(cafe: Merchant, customer_id: str) -> list[str]:
    rewards = card(cafe, customer_id)["rewards"]
    return [r["status"] for r in rewards if r["source"] == "referral_referrer"]


def test_a_friends_first_visit_disputed_in_full_takes_the_unused_thanks_back(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    scheme(cafe)
    rita = cafe.customer("Rita", email="rita@example.com")
    joana = cafe.customer("Joana", referral_code=rita["referral_code"])
    _, paid = paid_by_card(cafe, stripe_double, 2500, customer_id=joana["id"], tip=300)
    assert thanks(cafe, rita["id"]) == ["available"]
    part = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 2000)
    marked_lost(cafe, part)
    assert thanks(cafe, rita["id"]) == ["available"]  # still paid for 5.00 of it
    # A second dispute of the charge's rest (5.00 of the bill and the tip).
    rest = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 800)
    assert thanks(cafe, rita["id"]) == ["available"]  # open: nothing yet
    marked_lost(cafe, rest)
    assert thanks(cafe, rita["id"]) == ["void"]
    [told] = events(cafe, "loyalty.reward_voided")
    assert told["data"]["friend"] == joana["id"]
