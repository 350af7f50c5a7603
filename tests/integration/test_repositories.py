"""The repositories the unit of work hands out: what they remember holds for one
transaction, and a second lock of a row already held costs no round trip."""

from __future__ import annotations

from servefirst.payments.service import pay_tab
from servefirst.runtime import Runtime
from servefirst.tabs.service import tab_in_hand
from tests.conftest import statements_sent
from tests.integration.test_direct_rows import _served_tab


def test_a_tab_locked_twice_in_one_transaction_is_read_once_and_kept_in_hand(
    runtime: Runtime,
) -> None:
    merchant_id, tab_id = _served_tab(runtime)
    with runtime.uow(merchant_id) as uow:
        tab = uow.tabs.lock(tab_id)
        customer = uow.customers.lock(tab.customer_id)
        with statements_sent(uow) as statements:
            assert uow.customers.lock(tab.customer_id) is customer
            assert tab_in_hand(uow, tab_id) is tab
        assert statements == []


def test_a_unit_of_work_committed_in_phases_sees_the_tab_as_the_next_phase_finds_it(
    runtime: Runtime,
) -> None:
    merchant_id, tab_id = _served_tab(runtime)
    with runtime.uow(merchant_id) as uow:
        assert uow.tabs.lock(tab_id).status == "served"
        uow.commit()  # the first phase: nothing is held any more
        with runtime.uow(merchant_id) as other:
            pay_tab(other, tab_id, method="cash", amount=None)
            other.commit()
        assert tab_in_hand(uow, tab_id).status == "paid"
        assert uow.tabs.lock(tab_id).status == "paid"
