"""Random tabs with mixed tax rates, prices with tax in them or added on top,
tax rounded per line or per receipt, with guarantee discounts, voided lines,
payments and refunds: the tax must always add up.

After each walk, read from the database:

* every tab's net + tax = gross to the cent, per rate and overall, and its gross
  is what it charged less what was taken off (discounts, refunds);
* the tax report equals the ledger's tax payable, rate by rate equals the tabs'
  own tax, and the ledger still balances (its audit agrees with the legs);
* revenue, discounts and refunds booked net, with tax payable beside them, add
  up to what the tabs charge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servefirst.catalog.service import create_service, update_service
from servefirst.customers.service import create_customer
from servefirst.guarantee import service as guarantee
from servefirst.kit.errors import ServefirstError
from servefirst.ledger import service as ledger
from servefirst.ledger.rules import Account
from servefirst.merchants.service import create_merchant, update_merchant
from servefirst.payments import service as payments
from servefirst.payments.refunds import refund_in_phases
from servefirst.runtime import Runtime
from servefirst.tabs import service as tabs
from servefirst.tabs.voiding import void_line
from servefirst.taxes import service as taxes

RATES = ("23", "5.5", "13", "0")
#: (price, rate index or None: untaxed)
SERVICES = ((380, 0), (1250, 1), (199, 2), (1, 0), (70, 3), (450, None), (333, 1))

step = st.one_of(
    st.tuples(st.just("line"), st.integers(0, len(SERVICES) - 1), st.integers(1, 3)),
    st.tuples(st.just("void"), st.integers(1, 6), st.just(0)),
    st.tuples(st.just("discount"), st.integers(1, 100), st.just(0)),
    st.tuples(st.just("pay"), st.integers(1, 100), st.just(0)),
    st.tuples(st.just("refund"), st.integers(1, 100), st.just(0)),
    st.tuples(st.just("rerate"), st.integers(0, len(SERVICES) - 1), st.integers(0, 3)),
)
walks = st.lists(st.lists(step, min_size=1, max_size=8), min_size=1, max_size=4)


def _do(runtime: Runtime, merchant_id: str, action: Any) -> None:
    """One request: committed, or refused and rolled back (a tab limit, a
    void the amount due no longer covers...)."""
    try:
        with runtime.uow(merchant_id) as uow:
            action(uow)
            uow.commit()
    except ServefirstError:
        pass


def run_walk(
    runtime: Runtime, included: bool, rounding: str, tabs_steps: list[list[tuple[str, int, int]]]
) -> str:
    with runtime.uow() as uow:
        merchant_id = create_merchant(uow, name="Tax Café", currency="EUR").merchant.merchant_id
        uow.commit()
    with runtime.uow(merchant_id) as uow:
        update_merchant(uow, taxes={"prices_include_tax": included, "tax_rounding": rounding})
        rates = [taxes.create_rate(uow, name=f"Rate {p}", percent=p).rate_id for p in RATES]
        services = [
            create_service(
                uow,
                name=f"Service {i}",
                price=price,
                duration_minutes=10,
                expected_results="Done",
                limits="None",
                tax_rate_id=None if rate is None else rates[rate],
            )[0].service_id
            for i, (price, rate) in enumerate(SERVICES)
        ]
        uow.commit()
    for steps in tabs_steps:
        with runtime.uow(merchant_id) as uow:
            customer = create_customer(uow, name="Ana Costa").customer_id
            tab = tabs.open_tab(uow, customer_id=customer)
            walk = TabWalk(tab.tab_id, tab.token, services, rates)
            uow.commit()
        for kind, a, b in steps:
            _do(runtime, merchant_id, partial(walk.step, kind=kind, a=a, b=b))
        _do(runtime, merchant_id, partial(tabs.serve, tab_id=walk.tab_id))
    return merchant_id


@dataclass
class TabWalk:
    """One tab's walk: each step one request on it."""

    tab_id: str
    token: str
    services: list[str]
    rates: list[str]
    payment_ids: list[str] = field(default_factory=list)

    def step(self, uow: Any, kind: str, a: int, b: int) -> None:
        if kind == "line":
            tabs.add_line(uow, self.tab_id, service_id=self.services[a], quantity=b)
        elif kind == "void":
            void_line(uow, self.tab_id, a, reason="wrong coffee")
        elif kind == "discount":
            due = tabs.bill_of(tabs.get_tab(uow, self.tab_id)).due
            concern = guarantee.raise_concern(
                uow, self.token, reason="cold", remedy="partial", amount=max(due * a // 100, 1)
            )
            if concern.status == "pending":
                guarantee.resolve(uow, self.tab_id, concern.concern_id, decision="approve")
        elif kind == "pay":
            due = tabs.bill_of(tabs.get_tab(uow, self.tab_id)).due
            amount = due if a > 50 else max(due * a // 100, 1)
            paid = payments.pay_tab(uow, self.tab_id, method="cash", amount=amount)
            self.payment_ids.append(paid.payment_id)
        elif kind == "refund" and self.payment_ids:
            chosen = self.payment_ids[a % len(self.payment_ids)]
            refund_in_phases(uow, chosen, amount=max(a // 10, 1), tip=None, reason="sorry")
        elif kind == "rerate":  # lines already sold keep their rate
            update_service(uow, self.services[a], {"tax_rate_id": self.rates[b]})


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.booleans(), st.sampled_from(["line", "receipt"]), walks)
def test_tax_adds_up_on_every_tab_and_the_report_equals_the_ledger(
    runtime: Runtime, included: bool, rounding: str, tabs_steps: list[list[tuple[str, int, int]]]
) -> None:
    merchant_id = run_walk(runtime, included, rounding, tabs_steps)
    with runtime.uow(merchant_id, write=False) as uow:
        assert ledger.audit(uow).ok
        books = ledger.balances(uow, "EUR")
        assert books.total == 0
        now = uow.clock.now()
        report = taxes.tax_report(uow, now - timedelta(days=1), now + timedelta(days=1), "EUR")
        per_rate: dict[str, list[int]] = {}
        gross_of_tabs = 0
        for tab in tabs.list_tabs(uow, limit=100):
            tax = taxes.totals_of(tab)
            for part in tax.parts:
                assert part.net + part.tax == part.gross and part.net >= 0 and part.tax >= 0
            assert tax.net + tax.tax == tax.gross
            assert tax.gross == tab.subtotal - tab.adjustments - tab.refunded
            gross_of_tabs += tax.gross
            for part in tax.rated:
                assert part.rate_id is not None
                net, tax_sum = per_rate.setdefault(part.rate_id, [0, 0])
                per_rate[part.rate_id] = [net + part.net, tax_sum + part.tax]
            # What the tab's lines were charged at: each line's own rate.
            for view in tabs.lines_of(uow, tab):
                assert (view.line.tax_rate_id is None) == (view.line.tax_percent is None)
    tax_payable = -books.balance(Account.TAX_PAYABLE)
    assert report["tax"] == report["ledger_tax_payable"] == tax_payable
    assert report["net"] + report["tax"] == report["gross"]
    for row in report["rates"]:
        assert row["net"] + row["tax"] == row["gross"]
    assert {
        r["rate_id"]: [r["net"], r["tax"]] for r in report["rates"] if r["net"] or r["tax"]
    } == {k: v for k, v in per_rate.items() if v != [0, 0]}
    booked = (
        -books.balance(Account.REVENUE)
        - books.balance(Account.TAX_PAYABLE)
        - books.balance(Account.SATISFACTION_ADJUSTMENTS)
        - books.balance(Account.REFUNDS)
    )
    assert booked == gross_of_tabs
