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


class ServefirstTransfers:
    """servefirst's clients, set up once (merchants, history, analysed) and
    timed in rounds, taking turns with the peer's (see ``bench.sections.peer``)."""

    def __init__(self, url: str, clients: int, *, history: int = HISTORY_PER_CLIENT) -> None:
        self.clients = clients
        self.runtime = make_runtime(url)
        try:
            self.merchants = []
            for no in range(clients):
                with self.runtime.uow() as uow:
                    created = create_merchant(uow, name=f"Ledger {no}", currency="EUR")
                    self.merchants.append(created.merchant.merchant_id)
                    uow.commit()
            lived_in(self.runtime, self.merchants, history)
        except BaseException:
            self.runtime.dispose()
            raise

    def round(self, seconds: float) -> Rate:
        return run_clients(
            self.clients, seconds, lambda no: post_transfer(self.runtime, self.merchants[no])
        )

    def close(self) -> None:
        self.runtime.dispose()


def transfer_rate(
    url: str, clients: int, seconds: float, *, history: int = HISTORY_PER_CLIENT
) -> Rate:
    """One round on a fresh set-up."""
    transfers = ServefirstTransfers(url, clients, history=history)
    try:
        return transfers.round(seconds)
    finally:
        transfers.close()


def lived_in(runtime: Runtime, merchants: list[str], history: int) -> None:
    """Post ``history`` transfers in each merchant (at least one: the warm-up),
    then analyse the database: every connection replans its cached statements
    on the tables as they are."""
    for merchant_id in merchants:
        for _ in range(max(history, 1)):
            post_transfer(runtime, merchant_id)
    analyze(runtime.engine)
