"""The worker where it runs: in the server's process (the app's lifespan), and
as ``servefirst worker --once``."""

from __future__ import annotations

import time
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from servefirst.app import create_app
from servefirst.cli import main
from servefirst.config import Settings
from servefirst.merchants.service import create_merchant
from servefirst.runtime import Runtime
from tests import delivery_servers
from tests.conftest import PUBLIC_URL, Merchant
from tests.delivery_servers import Mailbox, only_this_merchant_waits

smtp_server = delivery_servers.smtp_server  # a fixture

#: Their worker runs on real time, as the server would.
pytestmark = pytest.mark.usefixtures("wall_clock")


def pay_for_coffee(merchant: Merchant, email: str) -> None:
    person = merchant.customer("Ines", email=email)
    tab = merchant.tab(person["id"])
    svc = merchant.service(price=250)
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 250})
    assert paid.status_code == 201, paid.text


def wait_for(mailbox: Mailbox, address: str, seconds: float = 20) -> list[Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        got = mailbox.to(address)
        if got:
            return got
        time.sleep(0.05)
    return []


@pytest.mark.usefixtures("runtime")  # the database, migrated
def test_the_server_delivers_in_process_while_it_runs(
    database_url: str, smtp_server: tuple[str, Mailbox]
) -> None:
    settings = Settings(
        database_url=database_url,
        public_url=PUBLIC_URL,
        smtp_url=smtp_server[0],
        deliver_in_process=True,
        worker_poll_seconds=0.05,
    )
    runtime = Runtime.create(settings)
    try:
        with runtime.uow() as uow:
            created = create_merchant(uow, name="Café Lume", currency="EUR")
            uow.commit()
        only_this_merchant_waits(runtime, created.merchant.merchant_id)
        with TestClient(create_app(runtime)) as client:  # the lifespan starts the worker
            merchant = Merchant(created.merchant.merchant_id, created.api_key, client)
            pay_for_coffee(merchant, "ines.inprocess@example.com")
            [receipt] = wait_for(smtp_server[1], "ines.inprocess@example.com")
            assert receipt["Subject"] == "Your receipt from Café Lume"
    finally:
        runtime.dispose()


def test_the_worker_command_delivers_what_is_due(
    runtime: Runtime, database_url: str, merchant: Merchant, smtp_server: tuple[str, Mailbox]
) -> None:
    pay_for_coffee(merchant, "ines.cli@example.com")
    only_this_merchant_waits(runtime, merchant.id)
    runner = CliRunner(
        env={"SERVEFIRST_DATABASE_URL": database_url, "SERVEFIRST_SMTP_URL": smtp_server[0]}
    )
    result = runner.invoke(main, ["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "sends tried" in result.output
    assert len(smtp_server[1].to("ines.cli@example.com")) == 1


@pytest.mark.parametrize(("flags", "in_process"), [([], True), (["--no-worker"], False)])
def test_serve_runs_the_worker_unless_told_not_to(
    database_url: str, monkeypatch: pytest.MonkeyPatch, flags: list[str], in_process: bool
) -> None:
    import uvicorn

    started: list[bool] = []
    monkeypatch.setattr(
        uvicorn,
        "run",
        lambda app, **_: started.append(app.state.runtime.settings.deliver_in_process),
    )
    monkeypatch.setattr("servefirst.server.start.tune_process", lambda settings: None)
    result = CliRunner(env={"SERVEFIRST_DATABASE_URL": database_url}).invoke(
        main, ["serve", *flags]
    )
    assert result.exit_code == 0, result.output
    assert started == [in_process]
