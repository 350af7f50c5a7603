"""``servefirst backup``: a whole, balanced copy of a SQLite database, taken
while tabs are being paid; refusals that write nothing.

Always on SQLite files of its own: the command copies SQLite databases, and
sends PostgreSQL to pg_dump (checked without a server).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from fastapi.testclient import TestClient

from servefirst.app import create_app
from servefirst.cli import main
from servefirst.config import Settings
from servefirst.ledger.service import audit
from servefirst.runtime import Runtime


def _shop(url: str) -> tuple[Runtime, dict[str, str]]:
    made = CliRunner(env={"SERVEFIRST_DATABASE_URL": url}).invoke(
        main, ["merchant", "create", "--name", "Café Azul", "--currency", "eur", "--json"]
    )
    assert made.exit_code == 0, made.output
    created = json.loads(made.stdout)
    runtime = Runtime.ready(Settings(database_url=url))
    return runtime, {"Authorization": f"Bearer {created['api_key']}", **created}


def _paid_tab(client: TestClient, auth: dict[str, str], service_id: str, customer_id: str) -> None:
    headers = {"Authorization": auth["Authorization"]}
    tab = client.post("/v1/tabs", json={"customer_id": customer_id}, headers=headers).json()
    client.post(f"/v1/tabs/{tab['id']}/lines", json={"service_id": service_id}, headers=headers)
    client.post(f"/v1/tabs/{tab['id']}/serve", headers=headers)
    paid = client.post(
        f"/v1/tabs/{tab['id']}/payments", json={"method": "cash", "amount": 450}, headers=headers
    )
    assert paid.status_code == 201, paid.text


def _count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608


def test_a_backup_taken_while_tabs_are_paid_is_whole_and_balanced(tmp_path: Path) -> None:
    live = tmp_path / "servefirst.db"
    runtime, auth = _shop(f"sqlite:///{live}")
    headers = {"Authorization": auth["Authorization"]}
    stop, paying_now = threading.Event(), threading.Event()
    paid_in_thread = 0
    errors: list[BaseException] = []
    with TestClient(create_app(runtime)) as client:
        service = client.post(
            "/v1/services",
            json={
                "name": "Galão",
                "price": 450,
                "duration_minutes": 5,
                "expected_results": ["Hot"],
                "limits": ["One size"],
            },
            headers=headers,
        ).json()
        customer = client.post("/v1/customers", json={"name": "Ana"}, headers=headers).json()
        _paid_tab(client, auth, service["id"], customer["id"])

        def keep_paying() -> None:
            nonlocal paid_in_thread
            try:
                while not stop.is_set():
                    _paid_tab(client, auth, service["id"], customer["id"])
                    paid_in_thread += 1
                    paying_now.set()
            except BaseException as exc:  # reported below, not lost in the thread
                errors.append(exc)

        paying = threading.Thread(target=keep_paying)
        paying.start()
        try:
            assert paying_now.wait(60), errors
            paid_before = 1 + paid_in_thread
            copy = tmp_path / "copy.db"
            done = CliRunner(env={"SERVEFIRST_DATABASE_URL": f"sqlite:///{live}"}).invoke(
                main, ["backup", str(copy)]
            )
        finally:
            stop.set()
            paying.join()
    runtime.dispose()
    assert not errors, errors
    assert done.exit_code == 0, done.output
    assert f"to {copy}" in done.output and "integrity checked" in done.output

    # One file, nothing beside it, nothing half-written left.
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("copy")) == ["copy.db"]
    with sqlite3.connect(copy) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # Every tab paid before the backup began is in it, though the newest of
    # them were still in the live database's write-ahead log.
    assert _count(copy, "tabs") >= paid_before

    # Restored: the copy serves, and its books balance.
    restored = Runtime.ready(Settings(database_url=f"sqlite:///{copy}"))
    try:
        with restored.uow(auth["merchant_id"], write=False) as uow:
            checked = audit(uow)
        assert checked.ok and checked.entries_checked > 0
    finally:
        restored.dispose()


def _invoke(url: str, *args: Any) -> Any:
    return CliRunner(env={"SERVEFIRST_DATABASE_URL": url}).invoke(main, ["backup", *args])


def test_a_backup_never_overwrites_a_file(tmp_path: Path) -> None:
    live = tmp_path / "servefirst.db"
    _shop(f"sqlite:///{live}")[0].dispose()
    kept = tmp_path / "monday.db"
    kept.write_bytes(b"last week's backup")
    refused = _invoke(f"sqlite:///{live}", str(kept))
    assert refused.exit_code == 1
    assert "already exists" in refused.output and "monday.db" in refused.output
    assert kept.read_bytes() == b"last week's backup"


def test_a_backup_into_a_missing_folder_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    live = tmp_path / "servefirst.db"
    _shop(f"sqlite:///{live}")[0].dispose()
    refused = _invoke(f"sqlite:///{live}", str(tmp_path / "nowhere" / "copy.db"))
    assert refused.exit_code == 1 and "no folder" in refused.output
    assert not (tmp_path / "nowhere").exists()


def test_a_database_that_is_not_there_is_not_created_by_a_backup(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    refused = _invoke(f"sqlite:///{missing}", str(tmp_path / "copy.db"))
    assert refused.exit_code == 1 and "no database" in refused.output
    assert list(tmp_path.iterdir()) == []


def test_postgresql_is_backed_up_with_its_own_tool(tmp_path: Path) -> None:
    refused = _invoke("postgresql+psycopg://shop@127.0.0.1:1/books", str(tmp_path / "copy.db"))
    assert refused.exit_code == 1 and "pg_dump" in refused.output
    assert list(tmp_path.iterdir()) == []
