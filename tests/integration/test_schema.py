"""The schema's own rules: sharded by merchant, built only by the migrations,
and (on PostgreSQL) guarding double entry at commit."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import CheckConstraint, Column, Connection, Integer, MetaData, inspect, text
from sqlalchemy.exc import IntegrityError

import servefirst
from servefirst.db.base import NAMING_CONVENTION, Base
from servefirst.db.uow import bind_for
from servefirst.ledger import service as ledger
from servefirst.ledger.rules import Account, EntryBuilder, EntryKind
from servefirst.runtime import Runtime


def complete_metadata() -> MetaData:
    """Base.metadata once every ``models`` module of servefirst is imported,
    so a model that ``db/models.py`` forgot still takes part."""
    for module in pkgutil.walk_packages(servefirst.__path__, "servefirst."):
        if module.name.endswith(".models"):
            importlib.import_module(module.name)
    importlib.import_module("servefirst.db.models")
    return Base.metadata


def schema_differences(conn: Connection, metadata: MetaData) -> list[object]:
    context = MigrationContext.configure(
        conn, opts={"compare_type": True, "compare_server_default": True}
    )
    return list(compare_metadata(context, metadata))


# --- (1) sharding -----------------------------------------------------------


#: The sandbox gateway's own table stands for a processor's database: it is
#: keyed by the processor's idempotency key, and no merchant's data lives in it.
PROCESSOR_TABLES = {"sandbox_charges"}


def test_every_table_is_keyed_by_merchant_first() -> None:
    """No transaction touches two merchants: every row lives under its merchant."""
    tables = complete_metadata().sorted_tables
    assert len(tables) >= 10, [t.name for t in tables]
    for table in tables:
        if table.name in PROCESSOR_TABLES:
            continue
        assert "merchant_id" in table.c, f"{table.name} has no merchant_id"
        key = [column.name for column in table.primary_key.columns]
        assert key and key[0] == "merchant_id", f"{table.name} primary key is {key}"
        assert not table.c.merchant_id.nullable, table.name


def test_every_foreign_key_stays_inside_one_merchant() -> None:
    """A reference to another table carries merchant_id, so it cannot cross tenants."""
    for table in complete_metadata().sorted_tables:
        for fk in table.foreign_key_constraints:
            pairs = {(e.parent.name, e.column.name) for e in fk.elements}
            assert ("merchant_id", "merchant_id") in pairs, (
                f"{table.name} -> {fk.referred_table.name} does not join on merchant_id"
            )


# --- (2) migrations == models ---------------------------------------------------


def test_the_migrations_see_every_model() -> None:
    """Alembic's env.py reads ``db/models.py``: a model it does not import is
    invisible to autogenerate and ships without a migration."""
    models_py = Path(servefirst.__file__).parent / "db" / "models.py"
    imported = {
        node.module
        for node in ast.walk(ast.parse(models_py.read_text()))
        if isinstance(node, ast.ImportFrom) and node.module
    }
    model_modules = {
        module.name
        for module in pkgutil.walk_packages(servefirst.__path__, "servefirst.")
        if module.name.endswith(".models") and module.name != "servefirst.db.models"
    }
    assert model_modules - imported == set()


# --- (2b) the migrated database ---------------------------------------------------


def test_migrations_build_exactly_the_models(runtime: Runtime) -> None:
    metadata = complete_metadata()
    with runtime.engine.connect() as conn:
        assert schema_differences(conn, metadata) == []
        # Autogenerate does not compare CHECK constraints; compare their names.
        inspector = inspect(conn)
        for table in metadata.sorted_tables:
            in_models = {str(c.name) for c in table.constraints if isinstance(c, CheckConstraint)}
            in_database = {str(c["name"]) for c in inspector.get_check_constraints(table.name)}
            assert in_database == in_models, table.name
        assert set(inspector.get_table_names()) == set(metadata.tables) | {"alembic_version"}


def test_the_schema_comparison_sees_a_difference(runtime: Runtime) -> None:
    """The comparison above is not vacuous: a model with one more column differs."""
    changed = MetaData(naming_convention=NAMING_CONVENTION)
    for table in complete_metadata().sorted_tables:
        table.to_metadata(changed)
    changed.tables["tabs"].append_column(Column("loyalty_points", Integer, nullable=True))
    with runtime.engine.connect() as conn:
        differences = schema_differences(conn, changed)
    added = [d for d in differences if isinstance(d, tuple) and d[0] == "add_column"]
    assert [(d[2], d[3].name) for d in added] == [("tabs", "loyalty_points")]


# --- (3) double entry at commit -----------------------------------------------------


@pytest.fixture
def conn(runtime: Runtime) -> Iterator[Connection]:
    with bind_for(runtime.engine, write=True).connect() as connection:
        yield connection


def insert_entry(conn: Connection, merchant_id: str, entry_id: str) -> None:
    conn.execute(
        text(
            "INSERT INTO journal_entries (merchant_id, entry_id, kind, currency, memo, created_at)"
            " VALUES (:m, :e, 'transfer', 'EUR', 'raw SQL', CURRENT_TIMESTAMP)"
        ),
        {"m": merchant_id, "e": entry_id},
    )


def insert_leg(
    conn: Connection, merchant_id: str, entry_id: str, leg_no: int, side: str, amount: int
) -> None:
    conn.execute(
        text(
            "INSERT INTO journal_legs (merchant_id, entry_id, leg_no, account, side, amount)"
            " VALUES (:m, :e, :n, :a, :s, :amount)"
        ),
        {
            "m": merchant_id,
            "e": entry_id,
            "n": leg_no,
            "a": Account.CASH.value if side == "debit" else Account.REVENUE.value,
            "s": side,
            "amount": amount,
        },
    )


def legs_of(runtime: Runtime, merchant_id: str, entry_id: str) -> list[tuple[str, int]]:
    with runtime.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT side, amount FROM journal_legs WHERE merchant_id = :m AND entry_id = :e"
                " ORDER BY leg_no"
            ),
            {"m": merchant_id, "e": entry_id},
        )
        return [(side, int(amount)) for side, amount in rows]


def unbalanced_entries(runtime: Runtime, merchant_id: str) -> list[str]:
    with runtime.uow(merchant_id, write=False) as uow:
        return ledger.audit(uow).unbalanced_entries


def test_an_unbalanced_entry_is_refused_at_commit(
    runtime: Runtime, backend: str, merchant_id: str, conn: Connection
) -> None:
    insert_entry(conn, merchant_id, "je_unbalanced")
    insert_leg(conn, merchant_id, "je_unbalanced", 1, "debit", 500)
    insert_leg(conn, merchant_id, "je_unbalanced", 2, "credit", 450)
    if backend == "postgresql":
        with pytest.raises(IntegrityError, match="does not balance"):
            conn.commit()
        conn.rollback()
        assert legs_of(runtime, merchant_id, "je_unbalanced") == []
        assert unbalanced_entries(runtime, merchant_id) == []
    else:
        # SQLite has no deferred triggers: there the audit is what notices.
        conn.commit()
        assert unbalanced_entries(runtime, merchant_id) == ["je_unbalanced"]


def test_the_legs_of_one_entry_may_arrive_one_by_one(
    runtime: Runtime, merchant_id: str, conn: Connection
) -> None:
    """The check waits for commit (DEFERRABLE INITIALLY DEFERRED), not each row."""
    insert_entry(conn, merchant_id, "je_split")
    insert_leg(conn, merchant_id, "je_split", 1, "debit", 300)
    insert_leg(conn, merchant_id, "je_split", 2, "credit", 100)
    insert_leg(conn, merchant_id, "je_split", 3, "credit", 200)
    conn.commit()
    assert legs_of(runtime, merchant_id, "je_split") == [
        ("debit", 300),
        ("credit", 100),
        ("credit", 200),
    ]
    assert unbalanced_entries(runtime, merchant_id) == []


def test_changing_a_leg_so_its_entry_no_longer_balances_is_refused(
    runtime: Runtime, backend: str, merchant_id: str, conn: Connection
) -> None:
    with runtime.uow(merchant_id) as uow:
        entry_id = ledger.post(
            uow,
            EntryBuilder(EntryKind.TRANSFER, "EUR", memo="float")
            .debit(Account.CASH, 1000)
            .credit(Account.REVENUE, 1000)
            .build(),
        )
        uow.commit()
    conn.execute(
        text(
            "UPDATE journal_legs SET amount = 999"
            " WHERE merchant_id = :m AND entry_id = :e AND leg_no = 2"
        ),
        {"m": merchant_id, "e": entry_id},
    )
    if backend == "postgresql":
        with pytest.raises(IntegrityError, match="does not balance"):
            conn.commit()
        conn.rollback()
        assert legs_of(runtime, merchant_id, entry_id) == [("debit", 1000), ("credit", 1000)]
    else:
        conn.commit()
        assert unbalanced_entries(runtime, merchant_id) == [entry_id]


def test_deleting_a_leg_so_its_entry_no_longer_balances_is_refused(
    runtime: Runtime, backend: str, merchant_id: str, conn: Connection
) -> None:
    with runtime.uow(merchant_id) as uow:
        entry_id = ledger.post(
            uow,
            EntryBuilder(EntryKind.TRANSFER, "EUR", memo="float")
            .debit(Account.CASH, 700)
            .credit(Account.REVENUE, 700)
            .build(),
        )
        uow.commit()
    conn.execute(
        text("DELETE FROM journal_legs WHERE merchant_id = :m AND entry_id = :e AND leg_no = 2"),
        {"m": merchant_id, "e": entry_id},
    )
    if backend == "postgresql":
        with pytest.raises(IntegrityError, match="does not balance"):
            conn.commit()
        conn.rollback()
        assert legs_of(runtime, merchant_id, entry_id) == [("debit", 700), ("credit", 700)]
    else:
        conn.commit()
        assert unbalanced_entries(runtime, merchant_id) == [entry_id]


def test_moving_a_leg_so_the_entry_it_left_no_longer_balances_is_refused(
    runtime: Runtime, backend: str, merchant_id: str, conn: Connection
) -> None:
    """The entry a leg moved to balances again (a matching leg came too), so
    only the check of the entry it left can refuse this."""
    entries = []
    with runtime.uow(merchant_id) as uow:
        for amount in (1000, 400):
            entries.append(
                ledger.post(
                    uow,
                    EntryBuilder(EntryKind.TRANSFER, "EUR", memo="float")
                    .debit(Account.CASH, amount)
                    .credit(Account.REVENUE, amount)
                    .build(),
                )
            )
        uow.commit()
    left, joined = entries
    conn.execute(
        text(
            "UPDATE journal_legs SET entry_id = :joined, leg_no = 3"
            " WHERE merchant_id = :m AND entry_id = :left AND leg_no = 2"
        ),
        {"m": merchant_id, "left": left, "joined": joined},
    )
    insert_leg(conn, merchant_id, joined, 4, "debit", 1000)
    if backend == "postgresql":
        with pytest.raises(IntegrityError, match=f"journal entry {merchant_id}/{left} does not"):
            conn.commit()
        conn.rollback()
        assert legs_of(runtime, merchant_id, left) == [("debit", 1000), ("credit", 1000)]
        assert legs_of(runtime, merchant_id, joined) == [("debit", 400), ("credit", 400)]
    else:
        conn.commit()
        assert unbalanced_entries(runtime, merchant_id) == [left]
