"""Test fixtures shared by every tier.

The database under test is chosen by ``SERVEFIRST_TEST_DATABASE_URL``:

* unset: a fresh SQLite file per test session (per xdist worker);
* a PostgreSQL URL (``postgresql://postgres@127.0.0.1/postgres``): a fresh
  database is created on that server per session, built by the Alembic
  migrations, and dropped afterwards. If the server cannot be reached the run
  stops with an error: it never quietly skips.

Tests isolate themselves by merchant (the tenant), exactly as production does,
so no table is ever truncated between tests.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from servefirst.app import create_app
from servefirst.config import Settings
from servefirst.db.engine import normalize_url
from servefirst.db.transactions import OpenTransactions
from servefirst.db.uow import UnitOfWork
from servefirst.merchants.service import create_merchant
from servefirst.runtime import Runtime

# Speed is measured by bench/, never by a test: an example of a property may
# take as long as a loaded machine makes it (CI shares two cores with the
# browser and the HTML checker), so Hypothesis times nothing.
hypothesis_settings.register_profile("servefirst", deadline=None)
hypothesis_settings.load_profile("servefirst")

PUBLIC_URL = "http://testserver"


@contextmanager
def statements_sent(uow: UnitOfWork) -> Iterator[list[str]]:
    """The SQL statements ``uow``'s transaction sends meanwhile. It listens on
    the transaction's connection, not the engine: a listener once on the shared
    engine would send every later ledger posting on SQLAlchemy's path."""
    connection = uow.connection
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", count)


class TestClock:
    """Real time, plus an offset tests can move forward (no sleeps). Every
    test starts it at real time (``clock_from_real_time``)."""

    __test__ = False

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)

    def move_to(self, moment: datetime) -> None:
        """Read ``moment`` now, and run on from there."""
        self.offset = moment - datetime.now(UTC)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = os.environ.get("SERVEFIRST_TEST_DATABASE_URL")
    if not server:
        path: Path = tmp_path_factory.mktemp("db") / f"servefirst-{_worker()}.db"
        yield f"sqlite:///{path}"
        return
    server = normalize_url(server)
    name = f"sf_test_{_worker()}_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001
        pytest.exit(f"PostgreSQL at {server} cannot be reached: {exc}", returncode=3)
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def clock() -> TestClock:
    return TestClock()


@pytest.fixture(autouse=True)
def clock_from_real_time(clock: TestClock) -> Iterator[None]:
    """The session's clock at real time when each test starts and after it
    ends: a test that moved it days ahead (or a module's fixture built between
    tests) would otherwise hand the next test a clock it never asked for, and
    that test would pass or fail by the order the tests ran in."""
    clock.offset = timedelta()
    yield
    clock.offset = timedelta()


@pytest.fixture
def at_noon(clock: TestClock) -> datetime:
    """The session's clock at 12:00 UTC today for one test, running on from
    there: a test that reads the day after acting (as the product does) never
    sees midnight fall between the two, whatever the hour CI runs it. 12:00
    UTC is an hour or more from midnight in every zone people live in
    (UTC-11 to UTC+14): far longer than a test takes."""
    noon = datetime.combine(datetime.now(UTC).date(), time(12), tzinfo=UTC)
    clock.move_to(noon)
    return noon


@pytest.fixture
def wall_clock(clock: TestClock) -> TestClock:
    """The session's clock at real time, for a test whose other process (a
    worker, a server) runs on real time and must find this test's rows due:
    every test starts there, and such a test must not move it."""
    clock.offset = timedelta()
    return clock


@pytest.fixture(scope="session")
def runtime(database_url: str, clock: TestClock) -> Iterator[Runtime]:
    rt = Runtime.create(Settings(database_url=database_url, public_url=PUBLIC_URL), clock=clock)
    rt.migrate()
    # A processor called inside a database transaction fails the test that did it.
    rt.gateways.sandbox.transaction_open = OpenTransactions(rt.engine)
    yield rt
    rt.dispose()


@pytest.fixture
def merchant_id(runtime: Runtime) -> str:
    """A fresh merchant (its account plan open), made through the service
    layer, for tests below the API."""
    with runtime.uow() as uow:
        created = create_merchant(uow, name="Ledger Guard", currency="EUR")
        uow.commit()
    return created.merchant.merchant_id


@pytest.fixture
def backend(runtime: Runtime) -> str:
    return runtime.engine.dialect.name


@pytest.fixture(scope="session")
def app(runtime: Runtime) -> Any:
    return create_app(runtime)


class Merchant:
    """A fresh merchant with its API key, and clients already signed in."""

    def __init__(self, merchant_id: str, api_key: str, client: TestClient) -> None:
        self.id = merchant_id
        self.api_key = api_key
        self.client = client
        self.headers = {"Authorization": f"Bearer {api_key}"}

    def post(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.post(path, json=json, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.get(path, headers=headers, **kwargs)

    # Factories: the shortest way to a believable state.
    def service(self, name: str = "Flat white", price: int = 380, **extra: Any) -> dict[str, Any]:
        body = {
            "name": name,
            "price": price,
            "duration_minutes": 10,
            "expected_results": ["Double shot, steamed milk"],
            "limits": ["Latte art not guaranteed"],
            **extra,
        }
        response = self.post("/v1/services", body)
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    def customer(self, name: str = "Ana Costa", **extra: Any) -> dict[str, Any]:
        response = self.post("/v1/customers", {"name": name, **extra})
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    def tab(self, customer_id: str | None = None) -> dict[str, Any]:
        customer_id = customer_id or self.customer()["id"]
        response = self.post("/v1/tabs", {"customer_id": customer_id})
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    def served_tab(self, *prices: int) -> dict[str, Any]:
        """A tab with one line per price, marked served."""
        tab = self.tab()
        for price in prices or (380,):
            svc = self.service(price=price)
            added = self.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
            assert added.status_code == 200, added.text
        served = self.post(f"/v1/tabs/{tab['id']}/serve")
        assert served.status_code == 200, served.text
        return served.json()  # type: ignore[no-any-return]

    def balances(self) -> dict[str, int]:
        body = self.get("/v1/ledger/balances").json()
        assert body["total"] == 0
        return {a["code"]: a["balance"] for a in body["accounts"]}


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def new_merchant(runtime: Runtime, client: TestClient) -> Callable[..., Merchant]:
    def make(name: str = "Café Azul", currency: str = "EUR") -> Merchant:
        with runtime.uow() as uow:
            created = create_merchant(uow, name=name, currency=currency)
            uow.commit()
        return Merchant(created.merchant.merchant_id, created.api_key, client)

    return make


@pytest.fixture
def merchant(new_merchant: Callable[..., Merchant]) -> Merchant:
    return new_merchant()
