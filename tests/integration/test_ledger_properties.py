"""Random walks through the life of tabs: the books must balance after every step.

A hypothesis state machine drives the service layer (one unit of work per
operation, committed like an HTTP request would) with valid and invalid
operations: open tabs, add lines, serve, pay in part or in full by cash and
sandbox card (declines included), tips, guarantee concerns and their
resolution, void, overdue and write-off. A small model of the tabs says what
each operation should do, so a wrongly accepted or wrongly refused operation
fails the test as surely as an unbalanced ledger does.

After every step, read straight from the database:

* the ledger total is 0 and ``ledger.service.audit`` agrees with the running
  balances (rebuilt from the journal legs);
* no tab is ever paid past its total (paid + deposit + adjustments <= subtotal),
  and its payments add up to its ``paid`` and ``tips``;
* each account equals what the tabs and payments say it should (receivables =
  what is still owed, revenue = the lines, tips payable = the tips, ...);
* a refused operation leaves every balance, tab, payment and concern as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from servefirst.catalog.service import create_service, update_service
from servefirst.customers.models import Customer
from servefirst.customers.service import create_customer, get_customer, trust_of
from servefirst.db.uow import UnitOfWork
from servefirst.guarantee import service as guarantee
from servefirst.guarantee.models import Concern
from servefirst.kit.errors import ServefirstError
from servefirst.kit.money import Money
from servefirst.ledger import service as ledger
from servefirst.ledger.models import AccountBalance, JournalEntryRow
from servefirst.ledger.rules import Account
from servefirst.merchants.service import create_merchant
from servefirst.payments import service as payments
from servefirst.payments.models import Payment
from servefirst.runtime import Runtime
from servefirst.tabs import service as tabs
from servefirst.tabs.models import Tab
from servefirst.trust.rules import History, tier_rules

GOOD_CARD = "4242424242424242"
DECLINED_CARDS = ("4000000000000002", "4000000000009995", "4111111111111111")
#: Prices of the active services; the large one lets tab limits bite.
PRICES = (0, 150, 380, 1250, 4500)
#: EUR: limits are in major units, amounts in cents.
AUTO_APPROVE_PERCENT = 20

#: How an amount is chosen once the tab's amount due is known.
AMOUNT_KINDS = ("due", "part", "one", "over", "zero", "negative", "none")
#: Payment amounts: mostly valid, so walks get to paid tabs.
PAY_KINDS = ("due", "due", "part", "part", "one", "over", "zero", "negative")
TIPS = (0, 0, 0, 50, 125, -10)
CARDS = (GOOD_CARD, GOOD_CARD, *DECLINED_CARDS)


def amount_for(kind: str, due: int) -> int | None:
    """Turn an amount kind into cents against what is owed now."""
    return {
        "due": due,
        "part": max(due // 3, 1),
        "one": 1,
        "over": due + 1,
        "zero": 0,
        "negative": -5,
        "none": None,
    }[kind]


# --- The model: what the tabs should look like --------------------------------


@dataclass
class CustomerModel:
    customer_id: str
    paid_visits: int = 0
    late_payments: int = 0
    write_offs: int = 0
    rejected_concerns: int = 0

    def history(self) -> History:
        return History(
            paid_visits=self.paid_visits,
            late_payments=self.late_payments,
            write_offs=self.write_offs,
            rejected_concerns=self.rejected_concerns,
        )


@dataclass
class TabModel:
    tab_id: str
    token: str
    customer_id: str
    status: str = "open"
    subtotal: int = 0
    adjustments: int = 0
    paid: int = 0
    tips: int = 0
    line_count: int = 0

    @property
    def total(self) -> int:
        return self.subtotal - self.adjustments

    @property
    def due(self) -> int:
        return self.total - self.paid

    @property
    def unpaid(self) -> bool:
        return self.status in ("open", "served", "overdue")


@dataclass
class ConcernModel:
    concern_id: str
    tab_id: str
    remedy: str
    requested: int | None
    status: str


@dataclass
class Books:
    """Everything a refused operation must leave untouched."""

    balances: dict[str, tuple[int, int, int]]
    entries: int
    tabs: dict[str, tuple[Any, ...]]
    payments: int
    concerns: dict[str, tuple[Any, ...]]
    customers: dict[str, tuple[int, ...]]


@dataclass
class Expected:
    """A prediction: refused, or accepted with the model change to apply."""

    refused: bool
    apply: Callable[[], None] = field(default=lambda: None)


REFUSED = Expected(refused=True)


def accepted(apply: Callable[[], None] = lambda: None) -> Expected:
    return Expected(refused=False, apply=apply)


# --- The state machine ----------------------------------------------------------


def ledger_machine(runtime: Runtime) -> type[RuleBasedStateMachine]:
    class LedgerMachine(RuleBasedStateMachine):
        tabs = Bundle("tabs")
        customers = Bundle("customers")
        concerns = Bundle("concerns")

        def __init__(self) -> None:
            super().__init__()
            # A fresh merchant per example: examples never see each other's books.
            with runtime.uow() as uow:
                self.merchant_id = create_merchant(
                    uow, name="Property Café", currency="EUR"
                ).merchant.merchant_id
                uow.commit()
            with self.uow() as uow:
                self.services = [
                    (create_service(uow, **_service_fields(price))[0].service_id, price)
                    for price in PRICES
                ]
                retired, _ = create_service(uow, **_service_fields(200))
                update_service(uow, retired.service_id, {"active": False})
                self.retired_service = retired.service_id
                uow.commit()
            self.model_tabs: dict[str, TabModel] = {}
            self.model_customers: dict[str, CustomerModel] = {}
            self.model_concerns: dict[str, ConcernModel] = {}
            self.refusals = 0
            self.acceptances = 0

        def uow(self) -> UnitOfWork:
            return runtime.uow(self.merchant_id)

        # -- running one operation against the prediction ----------------------

        def attempt(self, what: str, expected: Expected, op: Callable[[UnitOfWork], Any]) -> Any:
            before = self.books()
            try:
                with self.uow() as uow:
                    result = op(uow)
                    uow.commit()
            except ServefirstError as exc:
                assert expected.refused, f"{what} was refused ({exc.code}: {exc}) but is valid"
                assert self.books() == before, f"refused {what} changed the books"
                self.refusals += 1
                return None
            assert not expected.refused, f"{what} was accepted but must be refused"
            expected.apply()
            self.acceptances += 1
            return result

        def books(self) -> Books:
            with runtime.uow(self.merchant_id, write=False) as uow:
                m = self.merchant_id
                s = uow.session
                return Books(
                    balances={
                        r.account: (r.debits, r.credits, r.balance)
                        for r in s.scalars(
                            select(AccountBalance).where(AccountBalance.merchant_id == m)
                        )
                    },
                    entries=len(
                        s.scalars(
                            select(JournalEntryRow.entry_id).where(JournalEntryRow.merchant_id == m)
                        ).all()
                    ),
                    tabs={
                        t.tab_id: (
                            t.status,
                            t.subtotal,
                            t.adjustments,
                            t.paid,
                            t.tips,
                            t.line_count,
                        )
                        for t in s.scalars(select(Tab).where(Tab.merchant_id == m))
                    },
                    # Money taken: a declined card's attempt is kept as failed,
                    # a record of the attempt, not of money.
                    payments=len(
                        s.scalars(
                            select(Payment.payment_id).where(
                                Payment.merchant_id == m, Payment.status != "failed"
                            )
                        ).all()
                    ),
                    concerns={
                        c.concern_id: (c.status, c.approved_amount)
                        for c in s.scalars(select(Concern).where(Concern.merchant_id == m))
                    },
                    customers={
                        c.customer_id: (
                            c.paid_visits,
                            c.late_payments,
                            c.write_offs,
                            c.rejected_concerns,
                        )
                        for c in s.scalars(select(Customer).where(Customer.merchant_id == m))
                    },
                )

        # -- model helpers -----------------------------------------------------

        def limit_of(self, customer_id: str) -> tuple[bool, int, int]:
            """(pay_after, limit in cents, outstanding) as the tab limit rule sees it.

            The tier is the system's own (its estimator fades evidence with time,
            so a model of plain counts disagrees right at tier boundaries); the
            model checks the history counts themselves in customers_history_matches.
            """
            with runtime.uow(self.merchant_id, write=False) as uow:
                trust = trust_of(uow, get_customer(uow, customer_id))
            rule_ = tier_rules({}, "EUR")[trust.tier]
            outstanding = sum(
                t.due for t in self.model_tabs.values() if t.customer_id == customer_id and t.unpaid
            )
            limit = rule_.tab_limit.limit(self.model_customers[customer_id].paid_visits)
            return rule_.pay_after, limit, outstanding

        def settle(self, tab: TabModel) -> None:
            customer = self.model_customers[tab.customer_id]
            if tab.status == "overdue":
                customer.late_payments += 1
            else:
                customer.paid_visits += 1
            tab.status = "paid"

        def settle_if_covered(self, tab: TabModel) -> None:
            if tab.due == 0 and tab.status in ("served", "overdue"):
                self.settle(tab)

        # -- rules: customers and tabs -----------------------------------------

        @initialize(target=customers)
        def first_customer(self) -> str:
            return self.register_customer()

        @rule(target=customers)
        def new_customer(self) -> str:
            return self.register_customer()

        def register_customer(self) -> str:
            with self.uow() as uow:
                customer_id = create_customer(uow, name="Ana Costa").customer_id
                uow.commit()
            self.model_customers[customer_id] = CustomerModel(customer_id)
            return customer_id

        def open_bare_tab(self, customer_id: str) -> str | None:
            pay_after, limit, outstanding = self.limit_of(customer_id)
            expected = REFUSED if not pay_after or outstanding >= limit else accepted()
            tab = self.attempt(
                "open tab", expected, lambda uow: tabs.open_tab(uow, customer_id=customer_id)
            )
            if tab is None:
                return None
            self.model_tabs[tab.tab_id] = TabModel(tab.tab_id, tab.token, customer_id)
            return str(tab.tab_id)

        @rule(
            target=tabs,
            customer_id=customers,
            lines=st.lists(st.integers(0, len(PRICES) - 1), max_size=3),
            serve=st.sampled_from((True, True, False)),
        )
        def open_tab(self, customer_id: str, lines: list[int], serve: bool) -> Any:
            """Open a tab and (usually) give the service and serve it, in one step,
            so random walks reach paying often."""
            tab_id = self.open_bare_tab(customer_id)
            if tab_id is None:
                return multiple()
            for service in lines:
                self.add_line(tab_id, service, 1)
            if serve:
                self.serve(tab_id)
            return tab_id

        @rule(
            tab_id=tabs,
            service=st.integers(0, len(PRICES)),
            quantity=st.sampled_from((1, 1, 2, 3, 0, 1001)),
        )
        def add_line(self, tab_id: str, service: int, quantity: int) -> None:
            tab = self.model_tabs[tab_id]
            retired = service == len(PRICES)
            service_id, price = (self.retired_service, 200) if retired else self.services[service]
            amount = price * quantity
            _, limit, outstanding = self.limit_of(tab.customer_id)
            valid = (
                tab.status == "open"
                and not retired
                and 1 <= quantity <= 1000
                and outstanding + amount <= limit
            )

            def apply() -> None:
                tab.subtotal += amount
                tab.line_count += 1

            self.attempt(
                f"add {quantity} x {price} to a {tab.status} tab",
                accepted(apply) if valid else REFUSED,
                lambda uow: tabs.add_line(uow, tab_id, service_id=service_id, quantity=quantity),
            )

        @rule(tab_id=tabs)
        def serve(self, tab_id: str) -> None:
            tab = self.model_tabs[tab_id]

            def apply() -> None:
                tab.status = "served"
                self.settle_if_covered(tab)

            valid = tab.status == "open" and tab.line_count > 0
            self.attempt(
                f"serve a {tab.status} tab",
                accepted(apply) if valid else REFUSED,
                lambda uow: tabs.serve(uow, tab_id),
            )

        @rule(tab_id=tabs)
        def void(self, tab_id: str) -> None:
            tab = self.model_tabs[tab_id]

            def apply() -> None:
                tab.status = "void"

            valid = tab.status == "open" and tab.paid == 0 and tab.due == 0
            self.attempt(
                f"void a {tab.status} tab owing {tab.due}",
                accepted(apply) if valid else REFUSED,
                lambda uow: tabs.void(uow, tab_id),
            )

        @rule(tab_id=tabs)
        def mark_overdue(self, tab_id: str) -> None:
            tab = self.model_tabs[tab_id]

            def apply() -> None:
                tab.status = "overdue"

            self.attempt(
                f"mark a {tab.status} tab overdue",
                accepted(apply) if tab.status == "served" else REFUSED,
                lambda uow: tabs.mark_overdue(uow, tab_id),
            )

        @rule(tab_id=tabs)
        def write_off(self, tab_id: str) -> None:
            tab = self.model_tabs[tab_id]

            def apply() -> None:
                tab.status = "written_off"
                self.model_customers[tab.customer_id].write_offs += 1

            valid = tab.status in ("served", "overdue")
            self.attempt(
                f"write off a {tab.status} tab",
                accepted(apply) if valid else REFUSED,
                lambda uow: tabs.write_off(uow, tab_id),
            )

        # -- rules: payments ---------------------------------------------------

        def payment_expected(
            self, tab: TabModel, amount: int | None, tip: int, card_ok: bool
        ) -> Expected:
            taken = tab.due if amount is None else amount
            valid = tab.unpaid and tab.due > 0 and 0 < taken <= tab.due and tip >= 0 and card_ok

            def apply() -> None:
                tab.paid += taken
                tab.tips += tip
                self.settle_if_covered(tab)

            return accepted(apply) if valid else REFUSED

        @rule(
            tab_id=tabs,
            kind=st.sampled_from(PAY_KINDS),
            tip=st.sampled_from(TIPS),
        )
        def pay_cash(self, tab_id: str, kind: str, tip: int) -> None:
            tab = self.model_tabs[tab_id]
            amount = amount_for(kind, tab.due)
            self.attempt(
                f"pay {amount} (+{tip} tip) in cash on a {tab.status} tab owing {tab.due}",
                self.payment_expected(tab, amount, tip, card_ok=True),
                lambda uow: payments.pay_tab(uow, tab_id, method="cash", amount=amount, tip=tip),
            )

        @rule(
            tab_id=tabs,
            kind=st.sampled_from((*PAY_KINDS, "none")),
            tip=st.sampled_from(TIPS),
            card=st.sampled_from((*CARDS, None)),
        )
        def pay_card_at_counter(self, tab_id: str, kind: str, tip: int, card: str | None) -> None:
            tab = self.model_tabs[tab_id]
            amount = amount_for(kind, tab.due)
            self.attempt(
                f"charge {amount} (+{tip}) to card {card} on a {tab.status} tab owing {tab.due}",
                self.payment_expected(tab, amount, tip, card_ok=card == GOOD_CARD),
                lambda uow: payments.pay_tab(
                    uow, tab_id, method="card", amount=amount, tip=tip, card=card
                ),
            )

        @rule(tab_id=tabs, tip=st.sampled_from(TIPS), card=st.sampled_from(CARDS))
        def customer_pays_by_card(self, tab_id: str, tip: int, card: str) -> None:
            tab = self.model_tabs[tab_id]
            self.attempt(
                f"customer pays a {tab.status} tab owing {tab.due} with {card} (+{tip})",
                self.payment_expected(tab, None, tip, card_ok=card == GOOD_CARD),
                lambda uow: payments.pay_by_token(uow, tab.token, card=card, tip=tip),
            )

        @rule(tab_id=tabs)
        def pay_a_tab_that_does_not_exist(self, tab_id: str) -> None:
            self.attempt(
                "unknown tab: pay it",
                REFUSED,
                lambda uow: payments.pay_tab(uow, tab_id + "x", method="cash", amount=1),
            )

        # -- rules: the satisfaction guarantee ---------------------------------

        @rule(
            target=concerns,
            tab_id=tabs,
            remedy=st.sampled_from(("redo", "partial", "waive")),
            kind=st.sampled_from(AMOUNT_KINDS),
        )
        def raise_concern(self, tab_id: str, remedy: str, kind: str) -> Any:
            tab = self.model_tabs[tab_id]
            amount = amount_for(kind, tab.due)
            expected, status, requested, grant = self.concern_expected(tab, remedy, amount)

            def apply() -> None:
                if grant:
                    tab.adjustments += grant
                    self.settle_if_covered(tab)

            concern = self.attempt(
                f"{remedy} concern for {amount} on a {tab.status} tab owing {tab.due}",
                accepted(apply) if not expected else REFUSED,
                lambda uow: guarantee.raise_concern(
                    uow, tab.token, reason="Too cold", remedy=remedy, amount=amount
                ),
            )
            if concern is None:
                return multiple()
            assert concern.status == status, (concern.status, status)
            assert concern.approved_amount == grant
            self.model_concerns[concern.concern_id] = ConcernModel(
                concern.concern_id, tab_id, remedy, requested, status
            )
            return concern.concern_id

        def concern_expected(
            self, tab: TabModel, remedy: str, amount: int | None
        ) -> tuple[bool, str, int | None, int]:
            """(refused, status, requested amount, discount granted at once)."""
            if not tab.unpaid or tab.line_count == 0:
                return True, "", None, 0
            if remedy == "redo":
                return False, "approved", None, 0
            if remedy == "partial" and amount is None:
                return True, "", None, 0
            asked = tab.due if amount is None else amount
            if asked <= 0 or asked > tab.due:
                return True, "", None, 0
            if remedy == "waive":
                return False, "pending", asked, 0
            ceiling = Money(tab.total, "EUR").percent(AUTO_APPROVE_PERCENT).amount
            if asked <= ceiling:
                return False, "approved", asked, asked
            return False, "pending", asked, 0

        @rule(
            concern_id=concerns,
            decision=st.sampled_from(("approve", "approve", "reject", "maybe")),
            kind=st.sampled_from(("none", "none", "part", "over", "negative")),
            unfounded=st.booleans(),
        )
        def resolve(self, concern_id: str, decision: str, kind: str, unfounded: bool) -> None:
            concern = self.model_concerns[concern_id]
            tab = self.model_tabs[concern.tab_id]
            amount = amount_for(kind, tab.due)
            refused, grant = self.resolution_expected(concern, tab, decision, amount)

            def apply() -> None:
                customer = self.model_customers[tab.customer_id]
                if decision == "reject":
                    concern.status = "rejected"
                    customer.rejected_concerns += int(unfounded)
                    return
                concern.status = "approved"
                if grant:
                    tab.adjustments += grant
                    self.settle_if_covered(tab)

            self.attempt(
                f"{decision} a {concern.status} {concern.remedy} concern with {amount} "
                f"on a {tab.status} tab owing {tab.due}",
                REFUSED if refused else accepted(apply),
                lambda uow: guarantee.resolve(
                    uow,
                    tab.tab_id,
                    concern_id,
                    decision=decision,
                    amount=amount,
                    unfounded=unfounded,
                ),
            )

        @rule(concern_id=concerns, tab_id=tabs)
        def resolve_on_another_tab(self, concern_id: str, tab_id: str) -> None:
            concern = self.model_concerns[concern_id]
            if tab_id == concern.tab_id:
                return
            self.attempt(
                "resolve a concern through another tab",
                REFUSED,
                lambda uow: guarantee.resolve(uow, tab_id, concern_id, decision="reject"),
            )

        def resolution_expected(
            self, concern: ConcernModel, tab: TabModel, decision: str, amount: int | None
        ) -> tuple[bool, int]:
            """(refused, discount granted)."""
            if concern.status != "pending":
                return True, 0
            if decision == "reject":
                return False, 0
            if decision != "approve" or not tab.unpaid:
                return True, 0
            granted = amount if amount is not None else (concern.requested or 0)
            if concern.remedy == "waive" and amount is None:
                granted = tab.due
            if granted < 0 or granted > tab.due:
                return True, 0
            return False, granted

        # -- invariants --------------------------------------------------------

        @invariant()
        def books_balance_and_agree_with_the_tabs(self) -> None:
            with runtime.uow(self.merchant_id, write=False) as uow:
                check_books(uow, self.model_tabs)

        @invariant()
        def customers_history_matches(self) -> None:
            books = self.books()
            for customer in self.model_customers.values():
                assert books.customers[customer.customer_id] == (
                    customer.paid_visits,
                    customer.late_payments,
                    customer.write_offs,
                    customer.rejected_concerns,
                )
            for concern in self.model_concerns.values():
                assert books.concerns[concern.concern_id][0] == concern.status

    return LedgerMachine


def _service_fields(price: int) -> dict[str, Any]:
    return {
        "name": f"Service at {price}",
        "price": price,
        "duration_minutes": 15,
        "expected_results": ["Done as described"],
        "limits": ["Nothing beyond the description"],
    }


def check_books(uow: UnitOfWork, model: dict[str, TabModel]) -> None:
    """Every ledger invariant, read from the database."""
    result = ledger.balances(uow, "EUR")
    assert result.total == 0, {a: r.balance for a, r in result.accounts.items()}
    for row in result.accounts.values():
        assert row.balance == row.debits - row.credits, row.account
    audit = ledger.audit(uow)
    assert audit.ok, audit
    assert audit.accounts_checked == len(Account)

    merchant = uow.merchant
    rows = {
        t.tab_id: t for t in uow.session.scalars(select(Tab).where(Tab.merchant_id == merchant))
    }
    paid_by_tab: dict[str, int] = {}
    tips_by_tab: dict[str, int] = {}
    by_method: dict[str, int] = {}
    succeeded = select(Payment).where(
        Payment.merchant_id == merchant, Payment.status == "succeeded"
    )
    for p in uow.session.scalars(succeeded):
        paid_by_tab[p.tab_id] = paid_by_tab.get(p.tab_id, 0) + p.amount
        tips_by_tab[p.tab_id] = tips_by_tab.get(p.tab_id, 0) + p.tip
        by_method[p.method] = by_method.get(p.method, 0) + p.amount + p.tip
        assert p.amount > 0, "a payment towards the bill is never empty"

    assert set(rows) == set(model)
    for tab_id, tab in rows.items():
        due = tab.subtotal - tab.adjustments - tab.paid - tab.deposit_applied
        assert due >= 0, f"{tab_id} is overpaid"
        assert tab.paid == paid_by_tab.get(tab_id, 0), f"{tab_id}: payments != paid"
        assert tab.tips == tips_by_tab.get(tab_id, 0), f"{tab_id}: payments' tips != tips"
        if tab.status == "paid":
            assert due == 0, f"{tab_id} is paid but owes {due}"
        if tab.status in ("served", "overdue"):
            assert due > 0, f"{tab_id} owes nothing but is still {tab.status}"
        expected = model[tab_id]
        assert (
            tab.status,
            tab.subtotal,
            tab.adjustments,
            tab.paid,
            tab.tips,
            tab.line_count,
        ) == (
            expected.status,
            expected.subtotal,
            expected.adjustments,
            expected.paid,
            expected.tips,
            expected.line_count,
        ), tab_id

    def owed(t: Tab) -> int:
        return t.subtotal - t.adjustments - t.paid - t.deposit_applied

    tabs_ = list(rows.values())
    written_off = [t for t in tabs_ if t.status == "written_off"]
    assert result.balance(Account.REVENUE) == -sum(t.subtotal for t in tabs_)
    assert result.balance(Account.SATISFACTION_ADJUSTMENTS) == sum(t.adjustments for t in tabs_)
    assert result.balance(Account.TIPS_PAYABLE) == -sum(t.tips for t in tabs_)
    assert result.balance(Account.WRITE_OFFS) == sum(owed(t) for t in written_off)
    assert result.balance(Account.RECEIVABLES) == sum(
        owed(t) for t in tabs_ if t.status != "written_off"
    )
    assert result.balance(Account.CASH) == by_method.get("cash", 0)
    assert result.balance(Account.CARD_CLEARING) == by_method.get("card", 0)
    assert result.balance(Account.CARD_TERMINAL) == by_method.get("card_terminal", 0)


def test_random_tab_histories_keep_the_books_balanced(runtime: Runtime) -> None:
    run_state_machine_as_test(
        ledger_machine(runtime),
        settings=settings(
            max_examples=25,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
