"""Rows inserted with plain SQL and held by the session as if loaded (``db.direct``)."""

from __future__ import annotations

from servefirst.catalog.service import create_service
from servefirst.customers.service import create_customer
from servefirst.db.direct import update_object
from servefirst.merchants.service import create_merchant
from servefirst.payments.models import Payment
from servefirst.payments.service import pay_tab
from servefirst.runtime import Runtime
from servefirst.tabs.models import Tab
from servefirst.tabs.service import add_line, open_tab, serve
from tests.conftest import statements_sent


def _served_tab(runtime: Runtime) -> tuple[str, str]:
    with runtime.uow() as uow:
        merchant_id = create_merchant(uow, name="Inserted", currency="EUR").merchant.merchant_id
        uow.merchant_id = merchant_id
        service_id = create_service(
            uow,
            name="Tea",
            price=250,
            duration_minutes=5,
            expected_results=["Hot"],
            limits=["One pot"],
        )[0].service_id
        customer_id = create_customer(uow, name="Inês").customer_id
        tab_id = open_tab(uow, customer_id=customer_id).tab_id
        add_line(uow, tab_id, service_id=service_id)
        serve(uow, tab_id)
        uow.commit()
    return merchant_id, tab_id


def test_an_inserted_object_is_found_without_a_query_and_its_changes_are_kept(
    runtime: Runtime,
) -> None:
    merchant_id, tab_id = _served_tab(runtime)
    with runtime.uow(merchant_id) as uow:
        payment = pay_tab(uow, tab_id, method="cash", amount=None)
        tab = uow.session.get(Tab, (merchant_id, tab_id))
        with statements_sent(uow) as statements:
            # In the identity map, every column loaded: no query for either.
            assert uow.session.get(Payment, (merchant_id, payment.payment_id)) is payment
            assert (payment.amount, payment.tip, payment.gateway) == (250, 0, "manual")
            assert tab is not None and tab.served_at is not None and tab.closed_at is not None
        assert statements == []
        payment.card_last4 = "0000"  # a later change is flushed as an UPDATE
        uow.commit()
    with runtime.uow(merchant_id, write=False) as uow:
        stored = uow.session.get(Payment, (merchant_id, payment.payment_id))
        assert stored is not None
        assert (stored.amount, stored.status, stored.card_last4) == (250, "succeeded", "0000")


def test_an_object_updated_directly_has_nothing_left_to_flush(runtime: Runtime) -> None:
    merchant_id, tab_id = _served_tab(runtime)
    with runtime.uow(merchant_id) as uow:
        tab = uow.session.get(Tab, (merchant_id, tab_id))
        assert tab is not None
        with statements_sent(uow) as statements:
            update_object(uow, tab, tips=30, line_count=tab.line_count)
            assert (tab.tips, tab.line_count) == (30, 1)
            assert tab not in uow.session.dirty
            uow.session.flush()  # nothing to write: the one UPDATE is all
        assert [s.split()[0] for s in statements] == ["UPDATE"]
        uow.commit()
    with runtime.uow(merchant_id, write=False) as uow:
        stored = uow.session.get(Tab, (merchant_id, tab_id))
        assert stored is not None and (stored.tips, stored.status) == (30, "served")
