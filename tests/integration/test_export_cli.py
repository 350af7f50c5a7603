"""``servefirst export ...`` on the command line, and the demo's books through
Beancount: the file on standard output or ``--out``, bad input as one line on
standard error and exit code 2, and ``bean-check`` on what the demo made."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from beancount import loader
from click.testing import CliRunner
from fastapi.testclient import TestClient

from servefirst.cli import main
from servefirst.demo import build_demo
from servefirst.exports.rules import beancount_account
from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.integration.test_exports import scripted_day, today


@pytest.fixture
def runner(database_url: str) -> CliRunner:
    return CliRunner(env={"SERVEFIRST_DATABASE_URL": database_url})


def export(runner: CliRunner, *args: str) -> Any:
    return runner.invoke(main, ["export", *args])


def test_the_journal_goes_to_standard_output_and_to_a_file(
    runner: CliRunner, merchant: Merchant, clock: TestClock, tmp_path: Path
) -> None:
    scripted_day(merchant, clock)
    day = today(merchant, clock).isoformat()
    args = ["--from", day, "--to", day, "--merchant", merchant.id]
    shown = export(runner, "journal", *args)
    assert shown.exit_code == 0, shown.output
    raw = shown.stdout_bytes.decode("utf-8")  # as written: click's .stdout folds CRLF
    found = list(csv.DictReader(io.StringIO(raw, newline="")))
    assert found and raw.startswith("date,entry_id,kind,account,debit,credit")
    assert raw.count("\r\n") == len(found) + 1 and raw.count("\n") == len(found) + 1

    out = tmp_path / "books.beancount"
    written = export(runner, "beancount", *args, "--out", str(out))
    assert written.exit_code == 0, written.output
    assert written.stdout == ""
    _, errors, _ = loader.load_string(out.read_text(encoding="utf-8"))
    assert errors == []
    assert [p.name for p in tmp_path.iterdir()] == ["books.beancount"]  # no temporary left

    for kind in ("quickbooks", "xero", "xero-daily", "zreports"):
        made = export(runner, kind, *args)
        assert made.exit_code == 0, made.output
        assert len(made.stdout.splitlines()) >= 2, kind


@pytest.mark.parametrize(
    ("first", "last", "says"),
    [
        ("2026-03-10", "2026-03-01", "is after 'to'"),
        ("2026-02-30", "2026-03-01", "YYYY-MM-DD"),
        ("last week", "2026-03-01", "YYYY-MM-DD"),
    ],
)
def test_bad_dates_are_one_clear_line_and_exit_code_2(
    runner: CliRunner, merchant: Merchant, tmp_path: Path, first: str, last: str, says: str
) -> None:
    out = tmp_path / "never.csv"
    result = export(
        runner, "journal", "--from", first, "--to", last, "--merchant", merchant.id,
        "--out", str(out),
    )  # fmt: skip
    assert result.exit_code == 2
    assert says in result.stderr and result.stderr.startswith("error:")
    assert "Traceback" not in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_an_unknown_merchant_is_refused(runner: CliRunner) -> None:
    result = export(
        runner, "xero", "--from", "2026-01-01", "--to", "2026-01-31", "--merchant", "mer_nobody"
    )
    assert result.exit_code == 2
    assert "No such merchant: 'mer_nobody'" in result.stderr


def test_bean_check_accepts_the_demo_s_books_with_our_balances(
    runtime: Runtime, client: TestClient, runner: CliRunner, tmp_path: Path
) -> None:
    demo = build_demo(runtime)
    for made in demo.merchants:
        headers = {"Authorization": f"Bearer {made.api_key}"}
        zone = client.get("/v1/merchant", headers=headers).json()["timezone"]
        last: date = runtime.clock.now().astimezone(ZoneInfo(zone)).date()
        first = last - timedelta(days=300)
        out = tmp_path / f"{made.merchant_id}.beancount"
        result = export(
            runner, "beancount", "--from", first.isoformat(), "--to", last.isoformat(),
            "--merchant", made.merchant_id, "--out", str(out),
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        text = out.read_text(encoding="utf-8")
        _, errors, _ = loader.load_string(text)
        assert errors == [], (made.name, errors[:3])
        assert text.count(" * ") > 20  # the demo's story, not an empty file
        asserted = {
            line.split()[2]: Decimal(line.split()[3])
            for line in text.splitlines()
            if " balance " in line
        }
        balances = client.get("/v1/ledger/balances", headers=headers).json()["accounts"]
        for account in balances:
            expected = Decimal(account["balance"]).scaleb(-2)
            assert asserted[beancount_account(account["code"])] == expected, account
