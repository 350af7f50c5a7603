"""servefirst's side of the peer comparison: balanced two-leg transfers
posted with ``ledger.service.post``, one per unit of work, N clients, each in
its own merchant (its own account plan), as django-hordak's clients each post
between their own pair of accounts.

Both ledgers are measured lived in, not brand new: each client first posts
``history`` transfers and the database is analysed (``lived_in``), as pgbench
measures on a vacuumed, analysed database. On tables that were empty when a
long-lived connection first ran them, PostgreSQL keeps the plans it cached then
(the legs' foreign-key check, the balance trigger's sum): a sequential scan, or
the wrong index, that grows with every row. Seen here: one connection's transfer
went from 0.6 ms to 7.6 ms over 18,000 transfers, while a new connection on the
same tables took 0.7 ms. A running server's autovacuum analyses the tables long
before that, which replans them everywhere; a 15-second run on a new database
never gets there.
"""

from __future__ import annotations

from bench.databases import analyze
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


#: Transfers each client posts before the measured run (see the module's docstring).
HISTORY_PER_CLIENT = 300


def transfer_rate(
    url: str, clients: int, seconds: float, *, history: int = HISTORY_PER_CLIENT
) -> Rate:
    runtime = make_runtime(url)
    try:
        merchants = []
        for no in range(clients):
            with runtime.uow() as uow:
                merchants.append(
                    create_merchant(uow, name=f"Ledger {no}", currency="EUR").merchant.merchant_id
                )
                uow.commit()
        lived_in(runtime, merchants, history)
        return run_clients(clients, seconds, lambda no: post_transfer(runtime, merchants[no]))
    finally:
        runtime.dispose()


def lived_in(runtime: Runtime, merchants: list[str], history: int) -> None:
    """Post ``history`` transfers in each merchant (at least one: the warm-up),
    then analyse the database: every connection replans its cached statements
    on the tables as they are."""
    for merchant_id in merchants:
        for _ in range(max(history, 1)):
            post_transfer(runtime, merchant_id)
    analyze(runtime.engine)
