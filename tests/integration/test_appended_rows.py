"""Rows written at commit (``db.appended``): the outbox and the trust history."""

from __future__ import annotations

from servefirst.customers.service import create_customer, record_history
from servefirst.db.uow import UnitOfWork
from servefirst.events.service import emit, recent
from servefirst.merchants.service import create_merchant
from servefirst.runtime import Runtime
from servefirst.trust import service as trust
from tests.conftest import statements_sent


def _shop(runtime: Runtime) -> tuple[str, str]:
    with runtime.uow() as uow:
        merchant_id = create_merchant(uow, name="Appended", currency="EUR").merchant.merchant_id
        uow.merchant_id = merchant_id
        customer_id = create_customer(uow, name="Rui").customer_id
        uow.commit()
    return merchant_id, customer_id


def _no_show(uow: UnitOfWork, customer_id: str) -> None:
    """Two appended rows: one in the trust history, one in the outbox."""
    record_history(uow, customer_id, "no_shows")
    emit(uow, "customer.no_show", customer_id, {})


def test_a_unit_of_work_reads_back_the_history_it_has_not_committed_yet(
    runtime: Runtime,
) -> None:
    merchant_id, customer_id = _shop(runtime)
    with runtime.uow(merchant_id) as uow:
        _no_show(uow, customer_id)
        assert [e.kind for e in trust.history(uow, customer_id)] == ["no_shows"]
        assert "customer.no_show" in {e.type for e in recent(uow)}
        record_history(uow, customer_id, "late_cancellations")  # after the first write
        uow.commit()
    with runtime.uow(merchant_id, write=False) as uow:
        kinds = sorted(e.kind for e in trust.history(uow, customer_id))
    assert kinds == ["late_cancellations", "no_shows"]


def test_rows_appended_by_a_unit_of_work_that_rolls_back_are_not_written(
    runtime: Runtime,
) -> None:
    merchant_id, customer_id = _shop(runtime)
    with runtime.uow(merchant_id) as uow:
        _no_show(uow, customer_id)
        uow.rollback()
    with runtime.uow(merchant_id, write=False) as uow:
        assert trust.history(uow, customer_id) == []
        assert all(e.type != "customer.no_show" for e in recent(uow, limit=100))


def test_every_appended_table_is_written_in_one_statement_on_postgresql(
    runtime: Runtime,
) -> None:
    merchant_id, customer_id = _shop(runtime)
    with runtime.uow(merchant_id) as uow:
        record_history(uow, customer_id, "no_shows")
        for n in range(3):
            emit(uow, "customer.noted", customer_id, {"n": n})
        with statements_sent(uow) as statements:
            uow.commit()
    appending = [s for s in statements if "INSERT INTO events " in s]
    if runtime.engine.dialect.name == "postgresql":
        assert len(appending) == 1 and "INSERT INTO trust_events " in appending[0]
    else:
        assert len(appending) == 1  # three events, one multi-row INSERT
    with runtime.uow(merchant_id, write=False) as uow:
        noted = sorted(e.data["n"] for e in recent(uow, limit=100) if e.type == "customer.noted")
        assert noted == [0, 1, 2]
        assert [e.kind for e in trust.history(uow, customer_id)] == ["no_shows"]
