"""servefirst's side of the peer comparison: balanced two-leg transfers
posted with ``ledger.service.post``, one per unit of work, N clients, each in
its own merchant (its own account plan), as django-hordak's clients each post
between their own pair of accounts."""

from __future__ import annotations

from bench.settle import make_runtime
from bench.workers import Rate, run_clients
from servefirst.ledger import service as ledger
from servefirst.ledger.rules import Account, EntryBuilder, EntryKind
from servefirst.merchants.service import create_merchant
from servefirst.runtime import Runtime


def post_transfer(runtime: Runtime, merchant_id: str) -> None:
    with runtime.uow(merchant_id) as uow:
        ledger.post(
            uow,
            EntryBuilder(EntryKind.TRANSFER, "EUR", memo="bench transfer")
            .debit(Account.CASH, 450)
            .credit(Account.REVENUE, 450)
            .build(),
        )
        uow.commit()


def transfer_rate(url: str, clients: int, seconds: float) -> Rate:
    runtime = make_runtime(url)
    try:
        merchants = []
        for no in range(clients):
            with runtime.uow() as uow:
                merchants.append(
                    create_merchant(uow, name=f"Ledger {no}", currency="EUR").merchant.merchant_id
                )
                uow.commit()
        post_transfer(runtime, merchants[0])  # warm up
        return run_clients(clients, seconds, lambda no: post_transfer(runtime, merchants[no]))
    finally:
        runtime.dispose()
