"""Random stories of a regular at a café with a stamp card or points: paid
visits, rewards used, refunds in part or in full. After every step, read
from the database: the balance is never below zero, a full refund took back
everything its tab earned (as far as the card still held it), and the books
balance with the rewards in them."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servefirst.catalog.service import create_service
from servefirst.customers.service import create_customer
from servefirst.ledger import service as ledger
from servefirst.loyalty import repository as journal
from servefirst.loyalty import service as loyalty
from servefirst.merchants.service import create_merchant
from servefirst.payments import refunds
from servefirst.payments import service as payments
from servefirst.runtime import Runtime
from servefirst.tabs import service as tabs

PROGRAMS = {
    "visits": {"kind": "visits", "visits_per_reward": 2, "min_spend": 200},
    "points": {"kind": "points", "points_per_unit": 1, "points_per_reward": 8},
}

visit = st.fixed_dictionaries(
    {
        "price": st.sampled_from([150, 380, 900, 1450]),
        "use_reward": st.booleans(),
        "refund": st.sampled_from([None, None, "part", "all"]),
    }
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(kind=st.sampled_from(sorted(PROGRAMS)), visits=st.lists(visit, min_size=1, max_size=8))
def test_balances_refunds_and_books_hold_over_any_story(
    runtime: Runtime, kind: str, visits: list[dict[str, object]]
) -> None:
    with runtime.uow() as uow:
        merchant_id = create_merchant(uow, name="Café", currency="EUR").merchant.merchant_id
        uow.merchant_id = merchant_id
        loyalty.set_program(
            uow, {**PROGRAMS[kind], "reward": {"type": "amount_off", "amount": 100}}
        )
        customer_id = create_customer(uow, name="Ana").customer_id
        uow.commit()
    for step in visits:
        price = int(step["price"])  # type: ignore[call-overload]
        with runtime.uow(merchant_id) as uow:
            service = create_service(
                uow,
                name=f"Item {price}",
                price=price,
                duration_minutes=5,
                expected_results=["Good"],
                limits=["None"],
            )[0]
            tab = tabs.open_tab(uow, customer_id=customer_id)
            tabs.add_line(uow, tab.tab_id, service_id=service.service_id, quantity=1)
            tabs.serve(uow, tab.tab_id)
            held = loyalty.available_rewards(uow, customer_id)
            reward = held[0].reward_id if held and step["use_reward"] else None
            payment = payments.pay_tab(
                uow, tab.tab_id, method="cash", amount=None, reward_id=reward
            )
            uow.commit()
        if step["refund"] and payment.amount > 0:
            with runtime.uow(merchant_id) as uow:
                amount = payment.amount if step["refund"] == "all" else max(payment.amount // 2, 1)
                refunds.refund_in_phases(
                    uow, payment.payment_id, amount=amount, tip=None, reason="spilt"
                )
                uow.commit()
        with runtime.uow(merchant_id, write=False) as uow:
            balance = journal.balance(uow, customer_id)
            assert balance >= 0
            if step["refund"] == "all" and payment.amount > 0:
                moves = journal.for_tab(uow, tab.tab_id)
                kept = sum(m.points for m in moves)
                spent = [
                    r
                    for r in journal.rewards_of(uow, customer_id)
                    if r.source == "loyalty" and r.status == "available"
                ]
                # Everything it earned came back, unless the card no longer held it
                # (its stamps became a reward already used).
                assert kept == 0 or (balance == 0 and not spent)
            audit = ledger.audit(uow)
            assert audit.ok, audit
            assert ledger.balances(uow, "EUR").total == 0
