"""Migrations that move data, run over data: down a step and up again.

Each test builds its own database (a SQLite file, or a fresh database on the
PostgreSQL server under test), so going down a revision never disturbs the
database the other tests share.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, insert, inspect, select, text
from sqlalchemy.engine import make_url

from servefirst.bookings.models import CardHold
from servefirst.config import Settings
from servefirst.customers.service import create_customer
from servefirst.db.engine import normalize_url
from servefirst.db.migrate import alembic_config
from servefirst.merchants.service import create_merchant, get_merchant, update_merchant
from servefirst.payments.models import Dispute
from servefirst.runtime import Runtime
from servefirst.tabs.models import Tab
from servefirst.tabs.service import open_tab


@pytest.fixture
def own_database(tmp_path: Path) -> Iterator[str]:
    server = os.environ.get("SERVEFIRST_TEST_DATABASE_URL")
    if not server:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    server = normalize_url(server)
    name = f"sf_migrate_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_0006_marks_the_tabs_that_already_have_a_card_hold(own_database: str) -> None:
    runtime = Runtime.create(Settings(database_url=own_database))
    try:
        runtime.migrate()
        with runtime.uow() as uow:
            merchant_id = create_merchant(uow, name="Lume", currency="EUR").merchant.merchant_id
            uow.merchant_id = merchant_id
            customer_id = create_customer(uow, name="Rita").customer_id
            held = open_tab(uow, customer_id=customer_id, secured=True).tab_id
            plain = open_tab(uow, customer_id=customer_id, secured=True).tab_id
            now = datetime.now(UTC)
            uow.session.execute(
                insert(CardHold).values(
                    merchant_id=merchant_id,
                    hold_id="hold_migration",
                    booking_id=None,
                    tab_id=held,
                    status="active",
                    currency="EUR",
                    amount=2000,
                    captured=0,
                    reference="auth_migration",
                    payment_method="pm_migration",
                    card_last4="4242",
                    expires_at=now + timedelta(days=7),
                    created_at=now,
                )
            )
            uow.commit()

        config = alembic_config(runtime.engine)
        command.downgrade(config, "0005")  # the column is gone
        command.upgrade(config, "head")  # and comes back from the holds

        with runtime.uow(merchant_id, write=False) as uow:
            flags = dict(
                uow.session.execute(
                    select(Tab.tab_id, Tab.card_held).where(Tab.merchant_id == merchant_id)
                ).all()
            )
        assert flags == {held: True, plain: False}
    finally:
        runtime.dispose()


_BALANCE_CHECK_SOURCE = text(
    "SELECT prosrc FROM pg_proc WHERE proname = 'journal_entry_must_balance'"
)


def test_0007_swaps_the_balance_check_and_gives_the_old_one_back(own_database: str) -> None:
    runtime = Runtime.create(Settings(database_url=own_database))
    try:
        runtime.migrate()
        if runtime.engine.dialect.name != "postgresql":
            return  # SQLite has no trigger: the audit checks balance there

        def balance_check() -> str:
            with runtime.engine.connect() as conn:
                return str(conn.scalar(_BALANCE_CHECK_SOURCE))

        cheaper = balance_check()
        config = alembic_config(runtime.engine)
        command.downgrade(config, "0006")
        assert "UNION" in balance_check()  # 0003's function, as it was
        command.upgrade(config, "head")
        assert balance_check() == cheaper
        assert "UNION" not in cheaper
    finally:
        runtime.dispose()


def test_0017_gives_the_customers_already_there_their_search_keys(own_database: str) -> None:
    runtime = Runtime.create(Settings(database_url=own_database))
    try:
        runtime.migrate()
        with runtime.uow() as uow:
            uow.merchant_id = create_merchant(uow, name="Lume", currency="EUR").merchant.merchant_id
            create_customer(
                uow, name="José  Conceição", email=" Ze@Example.com", phone="+351 912-345 678"
            )
            uow.commit()
        config = alembic_config(runtime.engine)
        command.downgrade(config, "0017")
        command.downgrade(config, "-1")  # the keys are gone
        command.upgrade(config, "head")  # and are made from what was typed
        with runtime.engine.connect() as conn:
            keys = conn.execute(text("SELECT name_key, phone_key, email_key FROM customers")).one()
        assert tuple(keys) == ("joseconceicao", "351912345678", "ze@example.com")
    finally:
        runtime.dispose()


def test_0014_gives_every_existing_merchant_the_refunds_account(own_database: str) -> None:
    from alembic.script import ScriptDirectory

    runtime = Runtime.create(Settings(database_url=own_database))
    try:
        runtime.migrate()
        with runtime.uow() as uow:
            merchant_id = create_merchant(uow, name="Lume", currency="EUR").merchant.merchant_id
            uow.commit()
        config = alembic_config(runtime.engine)
        before = ScriptDirectory.from_config(config).get_revision("0014").down_revision
        command.downgrade(config, str(before))  # a merchant made before refunds existed
        with runtime.engine.connect() as conn:
            accounts = conn.execute(
                text("SELECT account FROM account_balances WHERE merchant_id = :m"),
                {"m": merchant_id},
            ).scalars()
            assert "refunds" not in set(accounts)
        command.upgrade(config, "head")
        with runtime.engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT debits, credits, balance FROM account_balances"
                    " WHERE merchant_id = :m AND account = 'refunds'"
                ),
                {"m": merchant_id},
            ).one()
        assert tuple(row) == (0, 0, 0)
    finally:
        runtime.dispose()


def test_0020_gives_every_existing_merchant_tax_payable_and_tax_inclusive_prices(
    own_database: str,
) -> None:
    runtime = Runtime.create(Settings(database_url=own_database))
    try:
        runtime.migrate()
        with runtime.uow() as uow:
            merchant_id = create_merchant(uow, name="Lume", currency="EUR").merchant.merchant_id
            uow.commit()
        config = alembic_config(runtime.engine)
        command.downgrade(config, "0019")  # a merchant made before taxes existed
        command.upgrade(config, "head")
        with runtime.engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT debits, credits, balance FROM account_balances"
                    " WHERE merchant_id = :m AND account = 'tax_payable'"
                ),
                {"m": merchant_id},
            ).one()
            settings = conn.execute(
                text(
                    "SELECT prices_include_tax, tax_rounding FROM merchants WHERE merchant_id = :m"
                ),
                {"m": merchant_id},
            ).one()
        assert tuple(row) == (0, 0, 0)
        assert (bool(settings[0]), settings[1]) == (True, "line")
    finally:
        runtime.dispose()


def test_0025_gives_bookings_their_service_buffer_unless_another_starts_in_it(
    own_database: str,
) -> None:
    from servefirst.bookings import service as bookings
    from servefirst.catalog.service import create_service
    from servefirst.staff.service import create_member

    runtime = Runtime.create(Settings(database_url=own_database))
    try:
        runtime.migrate()
        day = (datetime.now(UTC) + timedelta(days=3)).replace(hour=10, minute=0, second=0)
        with runtime.uow() as uow:
            uow.merchant_id = create_merchant(uow, name="Lume", currency="EUR").merchant.merchant_id
            customer_id = create_customer(uow, name="Rita").customer_id
            cut = create_service(
                uow,
                name="Cut",
                price=0,
                duration_minutes=45,
                buffer_minutes=15,
                expected_results=["A cut"],
                limits=[],
            )[0].service_id
            maria = create_member(uow, name="Maria").staff_id
            ids = [
                bookings.book_in_turn(
                    uow,
                    bookings.begin_booking(
                        uow, customer_id=customer_id, service_id=cut, starts_at=at, staff_id=maria
                    ),
                ).booking_id
                for at in (day, day + timedelta(hours=5), day + timedelta(hours=2))
            ]
            uow.commit()
        config = alembic_config(runtime.engine)
        command.downgrade(config, "0019")  # buffers were not kept, nor checked by staff
        with runtime.engine.begin() as conn:
            # Staff once booked a time inside the first booking's buffer (10:45-11:00).
            conn.execute(
                text("UPDATE bookings SET starts_at = :s, ends_at = :e WHERE booking_id = :b"),
                {
                    "s": day + timedelta(minutes=50),
                    "e": day + timedelta(minutes=95),
                    "b": ids[1],
                },
            )
        command.upgrade(config, "head")
        with runtime.engine.connect() as conn:
            kept = dict(conn.execute(text("SELECT booking_id, buffer_minutes FROM bookings")).all())
            anyone = set(conn.execute(text("SELECT any_staff FROM bookings")).scalars())
        postgresql = runtime.engine.dialect.name == "postgresql"
        # PostgreSQL's constraint now covers buffers: the one a booking starts in
        # is given up (never a booking); SQLite keeps it (its check is the code's).
        assert kept == {ids[0]: 0 if postgresql else 15, ids[1]: 15, ids[2]: 15}
        assert anyone == {False}
    finally:
        runtime.dispose()


def test_0029_leaves_refunds_booked_before_it_printed_as_they_were_posted(
    own_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from servefirst.catalog.service import create_service
    from servefirst.kit import apportion
    from servefirst.payments import service as payments
    from servefirst.payments.refunds import refund_in_phases
    from servefirst.receipts.document import document_for_tab
    from servefirst.tabs import service as tabs
    from servefirst.taxes import service as taxes

    runtime = Runtime.create(Settings(database_url=own_database))
    try:
        runtime.migrate()
        # Booked as before 0029: reductions shared by largest remainder.
        monkeypatch.setattr(apportion, "share", apportion.largest_remainder)
        with runtime.uow() as uow:
            merchant_id = create_merchant(uow, name="Lume", currency="EUR").merchant.merchant_id
            uow.merchant_id = merchant_id
            customer = create_customer(uow, name="Ana Costa").customer_id
            tab_id = open_tab(uow, customer_id=customer).tab_id
            for price, percent in ((1230, "23"), (245, "6"), (999, "13")):
                rate = taxes.create_rate(uow, name=f"IVA {percent}%", percent=percent).rate_id
                service = create_service(
                    uow,
                    name=f"Dish {percent}",
                    price=price,
                    duration_minutes=10,
                    expected_results="Served",
                    limits="None",
                    tax_rate_id=rate,
                )[0].service_id
                tabs.add_line(uow, tab_id, service_id=service)
            tabs.serve(uow, tab_id)
            paid = payments.pay_tab(uow, tab_id, method="cash", amount=2474).payment_id
            for amount in (150, 100):
                refund_in_phases(uow, paid, amount=amount, tip=None, reason="Sorry")
            uow.commit()
            posted = [r.taxes for r in document_for_tab(uow, tab_id).refunds]  # their entries'
        monkeypatch.undo()
        config = alembic_config(runtime.engine)
        command.downgrade(config, "0028")  # refunds as they were: no entry kept
        command.upgrade(config, "head")
        with runtime.engine.connect() as conn:
            assert set(conn.execute(text("SELECT entry_id FROM refunds")).scalars()) == {None}
        with runtime.uow(merchant_id, write=False) as uow:
            printed = [r.taxes for r in document_for_tab(uow, tab_id).refunds]
    finally:
        runtime.dispose()
    assert printed == posted
    # 1.50 back: 0.53 net at 13 % and 0.61 at 23 % as posted (today's rule: 0.54, 0.60).
    assert sorted((p.percent, p.net, p.tax) for p in printed[0]) == [
        ("13", 53, 7),
        ("23", 61, 14),
        ("6", 14, 1),
    ]


def test_0036_keeps_a_dispute_lost_before_it_as_marked_by_the_owner(own_database: str) -> None:
    """Before 0036 only the owner's mark made a dispute lost, so each lost one
    was counted against its customer: it reads as marked then. An open one is
    not marked; the way back drops both columns."""
    runtime = Runtime.create(Settings(database_url=own_database))
    try:
        runtime.migrate()
        with runtime.uow() as uow:
            merchant_id = create_merchant(uow, name="Lume", currency="EUR").merchant.merchant_id
            uow.commit()
        config = alembic_config(runtime.engine)
        command.downgrade(config, "0035")
        lost_at = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
        with runtime.engine.begin() as conn:
            for dispute_id, status, when in (
                ("dp_lost", "lost", lost_at),
                ("dp_open", "open", None),
            ):
                conn.execute(
                    text(
                        "INSERT INTO disputes (merchant_id, dispute_id, charge, amount, currency,"
                        " reason, status, created_at, lost_at, bill_lost, tip_lost)"
                        " VALUES (:m, :d, 'ch_x', 900, 'EUR', 'general', :s, :c, :l, 0, 0)"
                    ),
                    {"m": merchant_id, "d": dispute_id, "s": status, "c": lost_at, "l": when},
                )
        command.upgrade(config, "head")
        with runtime.uow(merchant_id) as uow:
            found = {d.dispute_id: d for d in uow.session.scalars(select(Dispute))}
            assert found["dp_lost"].marked_lost_at == lost_at
            assert found["dp_open"].marked_lost_at is None
            assert found["dp_lost"].booking_id is None
        command.downgrade(config, "0035")
        with runtime.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM disputes")).scalar_one() == 2
    finally:
        runtime.dispose()


def test_0040_gives_a_business_a_phone_and_takes_it_back(own_database: str) -> None:
    """A café made before 0040 has no number until its owner gives one; the
    way back drops the column and keeps the café."""
    runtime = Runtime.create(Settings(database_url=own_database))
    try:
        runtime.migrate()
        config = alembic_config(runtime.engine)
        command.downgrade(config, "0039")
        with runtime.engine.connect() as conn:
            columns = {c["name"] for c in inspect(conn).get_columns("merchants")}
        assert "phone" not in columns
        command.upgrade(config, "head")
        with runtime.uow() as uow:
            merchant_id = create_merchant(uow, name="Lume", currency="EUR").merchant.merchant_id
            uow.commit()
        with runtime.uow(merchant_id) as uow:
            assert update_merchant(uow, phone="+351 213 000 202").phone == "+351 213 000 202"
            uow.commit()
        command.downgrade(config, "0039")
        with runtime.engine.connect() as conn:
            names = conn.execute(text("SELECT name FROM merchants")).scalars().all()
            assert names == ["Lume"]
            assert "phone" not in {c["name"] for c in inspect(conn).get_columns("merchants")}
        command.upgrade(config, "head")
        with runtime.uow(merchant_id) as uow:
            assert get_merchant(uow).phone is None
    finally:
        runtime.dispose()
