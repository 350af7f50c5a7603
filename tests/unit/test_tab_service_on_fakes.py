"""The money path's use cases on fake repositories: no database, the whole story.

A tab is opened, served and paid through the same functions the API calls, on
``tests.unit.fakes``; these tests read what the use cases left in the fakes (the
tab, the ledger's entries, the customer's history, the outbox). The same
stories run on SQLite and PostgreSQL in ``tests/integration``.
"""

from __future__ import annotations

import pytest

from servefirst.customers.service import record_history, record_lost_dispute, record_tab_closed
from servefirst.kit.errors import Conflict, PolicyRefused
from servefirst.kit.money import Money
from servefirst.ledger.rules import Account
from servefirst.payments.gateways import Charge
from servefirst.payments.service import pay_tab
from servefirst.tabs.service import add_line, mark_overdue, open_tab, serve, void, write_off
from tests.unit.fakes import FakeUnitOfWork

CARD = "4242424242424242"


@pytest.fixture
def cafe() -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    uow.add_service("svc_flat_white", "Flat white", 380)
    uow.add_service("svc_brunch", "Brunch", 450)
    uow.add_service("svc_tasting_menu", "Tasting menu", 9_900)
    uow.add_customer("cus_ana", "Ana")
    return uow


def _coffee_and_brunch(cafe: FakeUnitOfWork) -> str:
    uow = cafe.as_uow()
    tab_id = open_tab(uow, customer_id="cus_ana").tab_id
    add_line(uow, tab_id, service_id="svc_flat_white")
    add_line(uow, tab_id, service_id="svc_brunch")
    return tab_id


def test_a_walk_in_pays_by_card_after_coffee_and_brunch(cafe: FakeUnitOfWork) -> None:
    uow = cafe.as_uow()
    tab_id = _coffee_and_brunch(cafe)
    serve(uow, tab_id)
    payment = pay_tab(uow, tab_id, method="card", amount=None, tip=100, card=CARD)

    tab = cafe.tabs.get(tab_id)
    assert (tab.status, tab.subtotal, tab.paid, tab.tips, tab.line_count) == (
        "paid",
        830,
        830,
        100,
        2,
    )
    assert tab.closed_at == cafe.clock.now()
    # The merchant's first receipt of the year, given as the tab became paid.
    assert tab.receipt_number == f"{cafe.clock.now().year}-000001"
    assert (payment.amount, payment.tip, payment.method) == (830, 100, "card")
    # The revenue was earned line by line; the card paid the receivable and the tip.
    assert cafe.ledger.balance(Account.RECEIVABLES) == 0
    assert cafe.ledger.balance(Account.REVENUE) == -830
    assert cafe.ledger.balance(Account.CARD_CLEARING) == 930
    assert cafe.ledger.balance(Account.TIPS_PAYABLE) == -100
    assert all(entry.tab_id == tab_id for entry in cafe.ledger.entries)
    # The customer's history counts the paid visit, with the tab and its total.
    assert cafe.customers.get("cus_ana").paid_visits == 1
    [visit] = cafe.appended_to("trust_events")
    assert (visit["kind"], visit["tab_id"], visit["amount"]) == ("paid_visits", tab_id, 830)
    assert cafe.event_types() == [
        "tab.opened",
        "tab.line_added",
        "tab.line_added",
        "tab.served",
        "payment.succeeded",
        "tab.paid",
    ]


def test_a_card_is_charged_only_once_its_attempt_is_committed(cafe: FakeUnitOfWork) -> None:
    """The processor is asked between two commits, never inside a transaction."""
    uow = cafe.as_uow()
    tab_id = _coffee_and_brunch(cafe)
    serve(uow, tab_id)
    sandbox, seen = cafe.gateways.sandbox, []
    charge = sandbox.charge

    def looking(amount: Money, *, card: str | None, idempotency_key: str) -> Charge:
        (attempt,) = cafe.tabs.payments(tab_id)
        seen.append((cafe.commits, attempt.status, cafe.tabs.get(tab_id).pending_payment_id))
        return charge(amount, card=card, idempotency_key=idempotency_key)

    sandbox.charge = looking  # type: ignore[method-assign]
    commits = cafe.commits
    payment = pay_tab(uow, tab_id, method="card", amount=None, card=CARD)

    assert seen == [(commits + 1, "pending", payment.payment_id)]
    assert payment.status == "succeeded"
    assert cafe.tabs.get(tab_id).pending_payment_id is None


def test_a_part_payment_leaves_the_tab_served_and_the_history_untouched(
    cafe: FakeUnitOfWork,
) -> None:
    uow = cafe.as_uow()
    tab_id = _coffee_and_brunch(cafe)
    serve(uow, tab_id)
    pay_tab(uow, tab_id, method="cash", amount=300)

    tab = cafe.tabs.get(tab_id)
    assert (tab.status, tab.paid, tab.closed_at) == ("served", 300, None)
    assert cafe.ledger.balance(Account.RECEIVABLES) == 530
    assert cafe.customers.get("cus_ana").paid_visits == 0
    assert cafe.appended_to("trust_events") == []

    pay_tab(uow, tab_id, method="cash", amount=None)
    assert cafe.tabs.get(tab_id).status == "paid"
    assert cafe.customers.get("cus_ana").paid_visits == 1


def test_a_line_past_a_new_customers_tab_limit_is_refused_and_nothing_is_added(
    cafe: FakeUnitOfWork,
) -> None:
    uow = cafe.as_uow()
    tab_id = _coffee_and_brunch(cafe)
    entries = len(cafe.ledger.entries)
    with pytest.raises(PolicyRefused) as refused:
        add_line(uow, tab_id, service_id="svc_tasting_menu")
    assert refused.value.code == "tab_limit_exceeded"
    assert refused.value.details["outstanding"] == 830
    tab = cafe.tabs.get(tab_id)
    assert (tab.line_count, tab.subtotal) == (2, 830)
    assert len(cafe.ledger.entries) == entries


def test_a_second_tab_counts_what_the_customer_already_owes(cafe: FakeUnitOfWork) -> None:
    uow = cafe.as_uow()
    first = open_tab(uow, customer_id="cus_ana").tab_id
    for _ in range(9):
        add_line(uow, first, service_id="svc_brunch")  # 4,050 of a 10,000 limit
    second = open_tab(uow, customer_id="cus_ana").tab_id
    for _ in range(13):
        add_line(uow, second, service_id="svc_brunch")  # 9,900 owed in all
    with pytest.raises(PolicyRefused):
        add_line(uow, second, service_id="svc_flat_white")


def test_an_empty_tab_cannot_be_served_or_paid(cafe: FakeUnitOfWork) -> None:
    uow = cafe.as_uow()
    tab_id = open_tab(uow, customer_id="cus_ana").tab_id
    with pytest.raises(Conflict):
        serve(uow, tab_id)
    void(uow, tab_id)
    assert cafe.tabs.get(tab_id).status == "void"
    assert cafe.customers.get("cus_ana").paid_visits == 0


def test_an_overdue_tab_paid_late_counts_as_a_late_payment(cafe: FakeUnitOfWork) -> None:
    uow = cafe.as_uow()
    tab_id = _coffee_and_brunch(cafe)
    serve(uow, tab_id)
    mark_overdue(uow, tab_id)
    pay_tab(uow, tab_id, method="card_terminal", amount=None)

    customer = cafe.customers.get("cus_ana")
    assert (customer.paid_visits, customer.late_payments) == (0, 1)
    assert cafe.tabs.get(tab_id).status == "paid"
    [late] = cafe.appended_to("trust_events")
    assert (late["kind"], late["tab_id"], late["amount"]) == ("late_payments", tab_id, 830)


def test_a_written_off_tab_becomes_a_loss_of_what_was_still_owed(cafe: FakeUnitOfWork) -> None:
    uow = cafe.as_uow()
    tab_id = _coffee_and_brunch(cafe)
    serve(uow, tab_id)
    pay_tab(uow, tab_id, method="cash", amount=200)
    mark_overdue(uow, tab_id)
    write_off(uow, tab_id)

    assert cafe.tabs.get(tab_id).status == "written_off"
    assert cafe.ledger.balance(Account.WRITE_OFFS) == 630
    assert cafe.ledger.balance(Account.RECEIVABLES) == 0
    assert cafe.customers.get("cus_ana").write_offs == 1
    [lost] = cafe.appended_to("trust_events")
    assert (lost["kind"], lost["tab_id"], lost["amount"]) == ("write_offs", tab_id, 630)


def test_a_customer_with_write_offs_must_prepay(cafe: FakeUnitOfWork) -> None:
    uow = cafe.as_uow()
    for _ in range(2):
        tab_id = _coffee_and_brunch(cafe)
        serve(uow, tab_id)
        write_off(uow, tab_id)
    with pytest.raises(PolicyRefused) as refused:
        open_tab(uow, customer_id="cus_ana")
    assert refused.value.code == "prepayment_required"
    assert refused.value.details["tier"] == "restricted"


def test_a_tab_closing_event_is_never_counted_without_its_tab(cafe: FakeUnitOfWork) -> None:
    uow = cafe.as_uow()
    for event in ("paid_visits", "late_payments", "write_offs"):
        with pytest.raises(ValueError, match="record_tab_closed"):
            record_history(uow, "cus_ana", event)
    tab = cafe.tabs.get(_coffee_and_brunch(cafe))
    with pytest.raises(ValueError, match="record_history"):
        record_tab_closed(uow, tab, "no_shows", worth=0)
    record_history(uow, "cus_ana", "no_shows")
    assert cafe.customers.get("cus_ana").no_shows == 1
    assert cafe.appended_to("trust_events")[0]["tab_id"] is None


def test_a_lost_dispute_counts_as_a_write_off_of_the_disputed_tab(cafe: FakeUnitOfWork) -> None:
    uow = cafe.as_uow()
    tab_id = _coffee_and_brunch(cafe)
    serve(uow, tab_id)
    pay_tab(uow, tab_id, method="card", amount=None, card=CARD)
    record_lost_dispute(uow, cafe.tabs.get(tab_id), amount=830)

    assert cafe.customers.get("cus_ana").write_offs == 1
    lost = cafe.appended_to("trust_events")[-1]
    assert (lost["kind"], lost["customer_id"], lost["tab_id"], lost["amount"]) == (
        "write_offs",
        "cus_ana",
        tab_id,
        830,
    )


def test_paying_twice_is_refused_once_the_tab_is_paid(cafe: FakeUnitOfWork) -> None:
    uow = cafe.as_uow()
    tab_id = _coffee_and_brunch(cafe)
    serve(uow, tab_id)
    pay_tab(uow, tab_id, method="cash", amount=None)
    with pytest.raises(Conflict):
        pay_tab(uow, tab_id, method="cash", amount=None)
    assert len(cafe.tabs.payments(tab_id)) == 1
