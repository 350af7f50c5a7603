"""Loyalty follows a refund that went through and then failed at Stripe (the
customer's card closed, the bank sent the money back: ``charge.refund.updated``
with the Refund ``failed``), as it follows a lost dispute won back (SQLite and
PostgreSQL), against localstripe behind the test double.

Ana pays 25.00 by card and earns 25 points; 10.00 is refunded, and 10 of them
go back. The refund then fails: the money is with the business again, and so
are her 10 points, given back once however often Stripe tells it. A later
refund of the same 10.00 takes them again. A friend's first visit refunded in
full, then sent back, gives the referrer back the thanks the refund voided."""

from __future__ import annotations

from servefirst.payments.refund_repository import RefundRepository
from servefirst.payments.refund_reversals import refused_at_processor
from servefirst.runtime import Runtime
from tests.conftest import Merchant
from tests.integration import test_stripe_gateway as on_stripe
from tests.integration.test_deposit_paid_tab_voids import CUT
from tests.integration.test_loyalty_api import card, paid_tab
from tests.integration.test_loyalty_disputes import events, paid_by_card
from tests.integration.test_loyalty_voids import points, referred_friend, thanks
from tests.integration.test_refunds_refused_after_they_went_through import (
    intent_of,
    refunded,
    stripe_refund_of,
)
from tests.integration.test_stripe_gateway import WEBHOOK_SECRET, post_event
from tests.stripe_double import StripeDouble

# The Stripe merchant and the double in front of localstripe (fixtures).
localstripe_port = on_stripe.localstripe_port
stripe_double = on_stripe.stripe_double
stripe_runtime = on_stripe.stripe_runtime
stripe_client = on_stripe.stripe_client
cafe = on_stripe.cafe


def moves(cafe: Merchant, customer_id: str, kind: str) -> list[tuple[int, str]]:
    history = card(cafe, customer_id)["history"]
    return [(m["points"], m["reference"]) for m in history if m["kind"] == kind]


def test_a_refund_that_fails_after_it_went_through_gives_the_points_it_took_back_once(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    points(cafe)
    tab, paid = paid_by_card(cafe, stripe_double, 2500)
    ana = tab["customer_id"]
    refund = refunded(cafe, paid["id"], amount=1000)
    assert card(cafe, ana)["balance"] == 15
    assert moves(cafe, ana, "take_back") == [(-10, refund["id"])]

    at_stripe = stripe_refund_of(stripe_double, intent_of(stripe_runtime, cafe, paid["id"]))
    event = stripe_double.refund_refused_later(at_stripe, WEBHOOK_SECRET)
    for _ in range(2):  # Stripe may tell it twice
        assert post_event(cafe, *event).status_code == 200
    assert card(cafe, ana)["balance"] == 25
    assert moves(cafe, ana, "give_back") == [(10, refund["id"])]
    [told] = events(cafe, "loyalty.given_back")
    assert told["data"] == {
        "tab_id": tab["id"],
        "points": 10,
        "refund_id": refund["id"],
        "rewards": [],
    }

    # The money is the business's again: refunded anew, the points go anew.
    again = refunded(cafe, paid["id"], amount=1000)
    assert card(cafe, ana)["balance"] == 15
    assert (-10, again["id"]) in moves(cafe, ana, "take_back")


def test_a_friend_s_first_visit_refunded_in_full_then_sent_back_gives_the_referrer_her_thanks_again(
    merchant: Merchant, runtime: Runtime
) -> None:
    """Joana, whom Rita referred, pays her first cut by card: Rita is thanked.
    Refunded in full, the visit came to nothing and Rita's unused thanks goes;
    the refund then fails (Joana's bank sent it back): the visit is paid for
    after all, and Rita has her thanks again, once. (Sandbox card: the
    refusal applied as the webhook applies it.)"""
    rita, joana = referred_friend(merchant)
    cut = merchant.service("Cut", price=CUT)
    paid = paid_tab(merchant, joana["id"], cut["id"], card="4242424242424242", method="card")
    assert paid.status_code == 201, paid.text
    assert thanks(merchant, rita["id"]) == [("referral_referrer", "available")]
    refund = merchant.post(f"/v1/payments/{paid.json()['id']}/refunds", {"reason": "Uneven"})
    assert refund.status_code == 201, refund.text
    assert thanks(merchant, rita["id"]) == [("referral_referrer", "void")]

    with runtime.uow(merchant.id) as uow:
        kept = RefundRepository(uow).get(refund.json()["id"])
        assert kept is not None and kept.gateway_reference
        for _ in range(2):  # told twice: given back once
            refused_at_processor(
                uow, reference=kept.gateway_reference, key=None, failure="lost_or_stolen_card"
            )
        uow.commit()
    assert thanks(merchant, rita["id"]) == [("referral_referrer", "available")]
    told = [e for e in events(merchant, "loyalty.given_back") if e["data"].get("friend")]
    assert [e["data"]["refund_id"] for e in told] == [refund.json()["id"]]
    assert told[0]["data"]["friend"] == joana["id"]
