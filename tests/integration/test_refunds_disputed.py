"""Refunds and voids see the money a customer's bank holds or gave back
(SQLite and PostgreSQL), driven as the product is: a card payment through
Stripe, Stripe's signed ``charge.dispute.created``, then the merchant marking
the dispute lost or won.

Ana pays 25.00 and a 5.00 tip by card at Café Azul, then disputes the charge
with her bank. While the dispute is open, or once it is lost, a refund would
pay her twice (the chargeback, then us), so it is refused with nothing kept:
no refund, no journal entry, no event, no call to Stripe (which would refuse
it too, ``charge_disputed``). Won, the payment is refunded as any other, up
to what is left of it. A line comes off her tab only while what is due
covers it: one that would need money back is refused for the dispute, not
sent to a refund that cannot be made."""

from __future__ import annotations

import uuid
from typing import Any

from servefirst.runtime import Runtime
from tests.conftest import Merchant
from tests.integration import test_stripe_gateway as on_stripe
from tests.integration.test_loyalty_disputes import disputed_at_the_bank, events, paid_by_card
from tests.integration.test_stripe_gateway import WEBHOOK_SECRET, pay, post_event, reference_of
from tests.stripe_double import StripeDouble

# The Stripe merchant and the double in front of localstripe (fixtures).
localstripe_port = on_stripe.localstripe_port
stripe_double = on_stripe.stripe_double
stripe_runtime = on_stripe.stripe_runtime
stripe_client = on_stripe.stripe_client
cafe = on_stripe.cafe


def refund(cafe: Merchant, payment_id: str, **body: Any) -> Any:
    return cafe.post(
        f"/v1/payments/{payment_id}/refunds",
        {"reason": "Asked for it back", **body},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )


def refunds_asked_of_stripe(double: StripeDouble) -> int:
    return len([c for c in double.calls if c.method == "POST" and c.path == "/v1/refunds"])


def cash_flow(cafe: Merchant) -> dict[str, Any]:
    report = cafe.get("/v1/reports/cash-flow").json()
    report.pop("as_of")
    return report  # type: ignore[no-any-return]


def marked(cafe: Merchant, dispute_id: str, outcome: str) -> Any:
    return cafe.post(f"/v1/disputes/{dispute_id}/{outcome}")


class Books:
    """What a refused refund must leave as it found: the refunds, the
    ledger, the refund events, the tab's refunded totals, Stripe's calls."""

    def __init__(self, cafe: Merchant, double: StripeDouble, payment_id: str, tab_id: str):
        self.cafe, self.double, self.payment_id, self.tab_id = cafe, double, payment_id, tab_id
        self.before = self.now()

    def now(self) -> tuple[Any, ...]:
        tab = self.cafe.get(f"/v1/tabs/{self.tab_id}").json()
        return (
            self.cafe.get(f"/v1/payments/{self.payment_id}/refunds").json()["data"],
            self.cafe.balances(),
            [
                e["id"]
                for kind in ("refund.succeeded", "refund.failed")
                for e in events(self.cafe, kind)
            ],
            (tab["refunded"], tab["tips_refunded"]),
            refunds_asked_of_stripe(self.double),
        )

    def unchanged(self) -> bool:
        return self.now() == self.before


def refused_for_the_dispute(answer: Any, dispute_id: str, status: str) -> None:
    assert answer.status_code == 409, answer.text
    error = answer.json()["error"]
    assert (error["code"], error["type"]) == ("payment_disputed", "invalid_request_error")
    assert (error["dispute_id"], error["dispute_status"]) == (dispute_id, status)


def test_a_payment_under_an_open_dispute_is_not_refunded_and_nothing_is_kept(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    tab, paid = paid_by_card(cafe, stripe_double, 2500, tip=500)
    dispute_id = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 3000)
    books = Books(cafe, stripe_double, paid["id"], tab["id"])
    for asked in ({}, {"amount": 500}, {"tip": 500}):
        refused = refund(cafe, paid["id"], **asked)
        refused_for_the_dispute(refused, dispute_id, "open")
        assert refused.json()["error"]["payment_id"] == paid["id"]
        assert "disputed with the customer's bank" in refused.json()["error"]["message"]
    assert books.unchanged()


def test_a_payment_whose_dispute_was_lost_is_not_refunded_again(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    tab, paid = paid_by_card(cafe, stripe_double, 2500)
    dispute_id = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 2500)
    assert marked(cafe, dispute_id, "lost").json()["status"] == "lost"
    books = Books(cafe, stripe_double, paid["id"], tab["id"])
    refused = refund(cafe, paid["id"])
    refused_for_the_dispute(refused, dispute_id, "lost")
    assert "already gave 2500 of this payment back" in refused.json()["error"]["message"]
    assert books.unchanged()
    # Lost is final: it is not marked won to free the money.
    closed = marked(cafe, dispute_id, "won")
    assert closed.status_code == 409, closed.text
    assert closed.json()["error"]["code"] == "dispute_closed"
    assert cafe.get("/v1/disputes").json()["data"][0]["status"] == "lost"


def test_a_won_dispute_frees_the_payment_up_to_what_is_left_of_it(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    """10.00 refunded before the dispute: won, 15.00 of the bill and the 5.00
    tip are left, and no more."""
    tab, paid = paid_by_card(cafe, stripe_double, 2500, tip=500)
    assert refund(cafe, paid["id"], amount=1000).status_code == 201
    dispute_id = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 2000)
    refused_for_the_dispute(refund(cafe, paid["id"]), dispute_id, "open")

    won = marked(cafe, dispute_id, "won")
    assert won.status_code == 200, won.text
    assert won.json()["status"] == "won"
    assert marked(cafe, dispute_id, "won").json()["status"] == "won"  # again: nothing changes
    assert [e["object_id"] for e in events(cafe, "dispute.won")] == [dispute_id]
    lost_after = marked(cafe, dispute_id, "lost")
    assert (lost_after.status_code, lost_after.json()["error"]["code"]) == (409, "dispute_closed")
    history = cafe.get(f"/v1/customers/{tab['customer_id']}/trust/history").json()["data"]
    assert "write_offs" not in [e["event"] for e in history]  # won: nothing against Ana

    too_much = refund(cafe, paid["id"], amount=1600)
    assert too_much.status_code == 422, too_much.text
    assert too_much.json()["error"]["refundable_amount"] == 1500
    rest = refund(cafe, paid["id"])
    assert rest.status_code == 201, rest.text
    assert (rest.json()["amount"], rest.json()["tip"], rest.json()["status"]) == (
        1500,
        500,
        "succeeded",
    )
    assert refunds_asked_of_stripe(stripe_double) == 2
    assert cafe.balances()["refunds"] == 2500


def closed_at_the_bank(
    cafe: Merchant,
    double: StripeDouble,
    runtime: Runtime,
    dispute_id: str,
    payment_id: str,
    status: str,
) -> None:
    """Stripe's ``charge.dispute.closed``, signed, with the bank's decision."""
    with_intent = {"payment_intent": reference_of(runtime, cafe, payment_id)}
    dispute = {"id": dispute_id, "object": "dispute", "charge": "ch_x", "amount": 2500}
    dispute |= {"currency": "eur", "reason": "fraudulent", "status": status, **with_intent}
    told = post_event(cafe, *double.signed_event("charge.dispute.closed", dispute, WEBHOOK_SECRET))
    assert told.json()["outcome"] == "handled", told.text


def test_stripe_closing_a_dispute_won_frees_the_payment_and_one_closed_lost_keeps_it_held(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    tab, paid = paid_by_card(cafe, stripe_double, 2500)
    won = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 2500)
    closed_at_the_bank(cafe, stripe_double, stripe_runtime, won, paid["id"], "won")
    assert refund(cafe, paid["id"]).status_code == 201
    _, paid_again = paid_by_card(cafe, stripe_double, 2500)
    lost = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid_again["id"], 2500)
    closed_at_the_bank(cafe, stripe_double, stripe_runtime, lost, paid_again["id"], "lost")
    statuses = {d["id"]: d["status"] for d in cafe.get("/v1/disputes").json()["data"]}
    # Lost at Stripe is lost here too (test_disputes_closed_at_stripe): the bank gave it back.
    assert statuses == {won: "won", lost: "lost"}
    refused_for_the_dispute(refund(cafe, paid_again["id"]), lost, "lost")


def test_a_part_refunded_payment_whose_dispute_of_the_rest_was_lost_has_nothing_left(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    """10.00 of 25.00 refunded, then the bank gave Ana the other 15.00: all of
    it is back with her once, and the books say so once."""
    tab, paid = paid_by_card(cafe, stripe_double, 2500)
    assert refund(cafe, paid["id"], amount=1000).status_code == 201
    dispute_id = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 1500)
    assert marked(cafe, dispute_id, "lost").status_code == 200
    books = Books(cafe, stripe_double, paid["id"], tab["id"])
    report = cash_flow(cafe)
    for asked in ({}, {"amount": 100}):
        refused_for_the_dispute(refund(cafe, paid["id"], **asked), dispute_id, "lost")
    assert books.unchanged()
    assert cash_flow(cafe) == report
    assert report["refunds"]["total"] == 1000  # the refund made before, and nothing more
    assert cafe.get(f"/v1/tabs/{tab['id']}").json()["refunded"] == 1000


# --- voids ----------------------------------------------------------------------------------


def part_paid(cafe: Merchant, double: StripeDouble) -> tuple[dict[str, Any], dict[str, Any]]:
    """A tab of 25.00 and 3.80, 25.00 of it paid by card: 3.80 still due."""
    tab = cafe.served_tab(2500, 380)
    paid = pay(cafe, tab["id"], double.payment_method(), amount=2500)
    assert paid.status_code == 201, paid.text
    return tab, paid.json()


def void(cafe: Merchant, tab_id: str, line_no: int) -> Any:
    return cafe.post(f"/v1/tabs/{tab_id}/lines/{line_no}/void", {"reason": "Rang up twice"})


def test_a_line_the_due_covers_comes_off_a_disputed_tab_and_one_it_does_not_is_refused(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    tab, paid = part_paid(cafe, stripe_double)
    dispute_id = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 2500)
    before = cafe.balances()
    refused = void(cafe, tab["id"], 1)  # 25.00: only 3.80 is due, the rest is the bank's
    refused_for_the_dispute(refused, dispute_id, "open")
    assert "cannot come off" in refused.json()["error"]["message"]
    assert cafe.balances() == before
    assert not any(line["voided"] for line in cafe.get(f"/v1/tabs/{tab['id']}").json()["lines"])
    # 3.80, all still due: nothing is taken back from the card.
    voided = void(cafe, tab["id"], 2)
    assert voided.status_code == 200, voided.text
    assert (voided.json()["status"], voided.json()["amount_due"]) == ("paid", 0)
    assert refunds_asked_of_stripe(stripe_double) == 0


def test_a_paid_tab_whose_payment_is_disputed_is_refused_for_the_dispute_until_it_is_won(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime
) -> None:
    tab, paid = paid_by_card(cafe, stripe_double, 2500)
    dispute_id = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 2500)
    before = cafe.balances()
    refused_for_the_dispute(void(cafe, tab["id"], 1), dispute_id, "open")
    assert cafe.balances() == before
    assert marked(cafe, dispute_id, "lost").status_code == 200
    lost = cafe.balances()  # the bank's taking back, booked (test_disputes_in_the_books)
    refused_for_the_dispute(void(cafe, tab["id"], 1), dispute_id, "lost")
    assert cafe.balances() == lost
    assert [e["data"] for e in events(cafe, "tab.line_voided")] == []

    # Won, on another tab: the usual answer again, a refund can be made first.
    other, paid_again = paid_by_card(cafe, stripe_double, 2500)
    won = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid_again["id"], 2500)
    assert marked(cafe, won, "won").status_code == 200
    usual = void(cafe, other["id"], 1)
    assert (usual.status_code, usual.json()["error"]["code"]) == (409, "refund_first")
