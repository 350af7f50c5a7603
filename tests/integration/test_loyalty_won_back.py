"""What a lost dispute took from loyalty comes back as it was when Stripe
closes the dispute won (SQLite and PostgreSQL), driven as the product is:
Stripe's signed dispute events on the webhook and the owner's mark.

Ana's visit at Café Azul turned her stamp into 5.00 off at once. Her bank
takes the money back and the café marks the dispute lost: the reward goes.
The bank then sides with the café: the money is back, and so is her 5.00 off
(the same reward, its own expiry), not a stamp waiting for her next visit to
turn into one. Joana, whom Rita referred, has her first visit disputed in full
and lost: Rita's unused thanks goes; won back, Joana's visit is paid after all,
and Rita has her thanks again."""

from __future__ import annotations

from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.integration import test_stripe_gateway as on_stripe
from tests.integration.test_disputes_closed_at_stripe import closed_at_stripe
from tests.integration.test_loyalty_api import card
from tests.integration.test_loyalty_disputes import (
    disputed_at_the_bank,
    events,
    marked_lost,
    paid_by_card,
    thanks,
)
from tests.integration.test_loyalty_voids import FIVE_EUROS_OFF
from tests.integration.test_referrals_api import scheme
from tests.integration.test_stripe_gateway import reference_of
from tests.stripe_double import StripeDouble

localstripe_port = on_stripe.localstripe_port
stripe_double = on_stripe.stripe_double
stripe_runtime = on_stripe.stripe_runtime
stripe_client = on_stripe.stripe_client
cafe = on_stripe.cafe

EVERY_VISIT = {"kind": "visits", "visits_per_reward": 1, "min_spend": 0, "reward": FIVE_EUROS_OFF}


def test_a_reward_a_lost_dispute_voided_is_the_customer_s_again_when_the_dispute_is_won_back(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    body = {**EVERY_VISIT, "expires_after_days": 30}
    assert cafe.post("/v1/merchant/loyalty-program", body).status_code == 200
    tab, paid = paid_by_card(cafe, stripe_double, 2500)
    ana = tab["customer_id"]
    [reward] = card(cafe, ana)["rewards_available"]
    dispute_id = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 2500)
    marked_lost(cafe, dispute_id)
    assert card(cafe, ana)["rewards_available"] == []

    intent = reference_of(stripe_runtime, cafe, paid["id"])
    closed_at_stripe(cafe, stripe_double, intent, dispute_id, 2500, "won")
    after = card(cafe, ana)
    # As before the dispute: the reward to spend, no stamp left over.
    assert [r["id"] for r in after["rewards_available"]] == [reward["id"]]
    assert after["rewards_available"][0]["expires_at"] == reward["expires_at"]
    assert after["balance"] == 0
    [told] = events(cafe, "loyalty.given_back")
    assert told["data"]["rewards"] == [reward["id"]]
    # Once: Stripe's won again gives nothing more.
    closed_at_stripe(cafe, stripe_double, intent, dispute_id, 2500, "won")
    assert card(cafe, ana)["balance"] == 0 and len(events(cafe, "loyalty.given_back")) == 1
    # And the reward spends as any other.
    again = cafe.tab(ana)
    service = cafe.service("Cut", price=2000)
    assert cafe.post(f"/v1/tabs/{again['id']}/lines", {"service_id": service["id"]}).status_code
    assert cafe.post(f"/v1/tabs/{again['id']}/serve").status_code == 200
    spent = cafe.post(
        f"/v1/tabs/{again['id']}/payments",
        {"method": "cash", "amount": 1500, "reward_id": reward["id"]},
    )
    assert spent.status_code == 201, spent.text


def test_a_reward_lapsed_before_the_dispute_was_won_back_stays_gone(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, clock: TestClock
) -> None:
    body = {**EVERY_VISIT, "expires_after_days": 30}
    assert cafe.post("/v1/merchant/loyalty-program", body).status_code == 200
    tab, paid = paid_by_card(cafe, stripe_double, 2500)
    ana = tab["customer_id"]
    dispute_id = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 2500)
    marked_lost(cafe, dispute_id)
    clock.advance(days=31)
    intent = reference_of(stripe_runtime, cafe, paid["id"])
    closed_at_stripe(cafe, stripe_double, intent, dispute_id, 2500, "won")
    # Lapsed, it stays gone: the stamp given back lapses with the card's quiet month too.
    assert card(cafe, ana)["rewards_available"] == []
    [told] = events(cafe, "loyalty.given_back")
    assert (told["data"]["points"], told["data"]["rewards"]) == (1, [])


def test_a_referrer_s_thanks_a_lost_dispute_voided_comes_back_when_the_dispute_is_won_back(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    scheme(cafe)
    rita = cafe.customer("Rita", email="rita@example.com")
    joana = cafe.customer("Joana", referral_code=rita["referral_code"])
    _, paid = paid_by_card(cafe, stripe_double, 2500, customer_id=joana["id"], tip=300)
    assert thanks(cafe, rita["id"]) == ["available"]
    dispute_id = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 2800)
    marked_lost(cafe, dispute_id)
    assert thanks(cafe, rita["id"]) == ["void"]

    intent = reference_of(stripe_runtime, cafe, paid["id"])
    closed_at_stripe(cafe, stripe_double, intent, dispute_id, 2800, "won")
    assert thanks(cafe, rita["id"]) == ["available"]
    told = [e for e in events(cafe, "loyalty.given_back") if e["object_id"] == rita["id"]]
    assert [e["data"]["friend"] for e in told] == [joana["id"]]
