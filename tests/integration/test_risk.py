"""Deposits decided by measured risk, through the API, the command line and the console."""

from __future__ import annotations

import csv
import io
import json
import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from servefirst.cli import main
from servefirst.risk.features import lead_days
from servefirst.risk.records import write_bookings
from servefirst.risk.schedule import refit_all
from servefirst.risk.service import current_model, history, refit
from servefirst.runtime import Runtime
from servefirst.staff import service as staff
from tests.conftest import Merchant, TestClock
from tests.integration.test_bookings_api import GOOD, SALON, booked, cut, record
from tests.integration.test_pages_staff import PASSWORD, Staff
from tests.unit.test_risk_rules import synthetic


def salon_by_risk(merchant: Merchant, **policy: Any) -> dict[str, Any]:
    """The salon preset, leaving the decision to the model (the default since issue 23)."""
    response = merchant.post("/v1/merchant/deposit-policy", {"deposit_policy": SALON | policy})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


# --- the decision when a booking is made ---------------------------------------------


def test_the_salon_preset_always_asks_only_restricted_customers(merchant: Merchant) -> None:
    policy = salon_by_risk(merchant)
    assert policy["required_for"] == ["restricted"] and policy["ask_share"] == "0.3"


def test_a_same_day_booking_of_a_stranger_is_not_asked_and_says_why(
    merchant: Merchant, clock: TestClock
) -> None:
    salon_by_risk(merchant)
    booking = booked(merchant, clock, hours=3)
    deposit = booking["deposit"]
    assert deposit["required"] is False
    assert deposit["reason"].startswith("No deposit needed: a ")
    assert deposit["model_version"] == "default-1"
    assert 0 < deposit["probability"] < 0.25


def test_a_booking_weeks_ahead_is_asked_with_the_factors_in_words(
    merchant: Merchant, clock: TestClock
) -> None:
    salon_by_risk(merchant)
    response = merchant.post(
        "/v1/bookings",
        {
            "customer_id": merchant.customer()["id"],
            "service_id": cut(merchant)["id"],
            "starts_at": (clock.now() + timedelta(days=35)).isoformat(),
        },
    )
    assert response.status_code == 402, response.text
    assert response.json()["error"]["code"] == "deposit_required"
    booking = booked(merchant, clock, days=35, card=GOOD)
    deposit = booking["deposit"]
    assert deposit["required"] is True and deposit["status"] == "held"
    assert deposit["reason"].startswith("Deposit asked: a ")
    assert "booked 5 weeks ahead: no-shows are" in deposit["reason"]
    assert deposit["model_version"] == "default-1"


def test_the_model_reads_a_bookings_hours_and_days_on_the_merchants_clock(
    merchant: Merchant, clock: TestClock, runtime: Runtime
) -> None:
    """Made at 23:00 in Auckland for 11:00 the next morning: a booking a day ahead,
    though both moments fall on one UTC date."""
    zone = ZoneInfo("Pacific/Auckland")
    assert merchant.post("/v1/merchant", {"timezone": zone.key}).status_code == 200
    salon_by_risk(merchant)
    local = clock.now().astimezone(zone)
    late_evening = (local + timedelta(days=2)).replace(hour=23, minute=0, second=0, microsecond=0)
    clock.advance(seconds=(late_evening - local).total_seconds())
    starts_at = late_evening + timedelta(hours=12)
    assert starts_at.astimezone(UTC).date() == late_evening.astimezone(UTC).date()
    booked(merchant, clock, starts_at=starts_at.isoformat())
    with runtime.uow(merchant.id, write=False) as uow:
        (made,) = history(uow)
    assert (made.created_at.hour, made.starts_at.hour) == (23, 11)
    assert lead_days(made) == 1


def test_restricted_customers_always_leave_a_deposit_even_when_nobody_else_is_asked(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    salon_by_risk(merchant, ask_share="0")
    customer = merchant.customer()
    record(runtime, merchant, customer["id"], "write_offs", 2)
    assert merchant.get(f"/v1/customers/{customer['id']}").json()["trust"]["tier"] == "restricted"
    booking = booked(merchant, clock, customer_id=customer["id"], card=GOOD)
    assert booking["deposit"]["required"] is True
    assert booking["deposit"]["model_version"] is None  # the tier decided, not the model
    stranger = booked(merchant, clock, days=35)
    assert stranger["deposit"]["required"] is False  # asking no one: not even weeks ahead


def test_a_loss_threshold_decides_instead_of_the_share(
    merchant: Merchant, clock: TestClock
) -> None:
    salon_by_risk(merchant, loss_threshold=1)
    asked = booked(merchant, clock, hours=3, card=GOOD)["deposit"]
    assert asked["required"] is True  # any expected loss reaches 0.01
    salon_by_risk(merchant, loss_threshold=4000)
    assert booked(merchant, clock, days=35)["deposit"]["required"] is False
    refused = merchant.post("/v1/merchant/deposit-policy", {"deposit_policy": {"ask_share": 2}})
    assert refused.status_code == 422


def test_a_refit_model_decides_and_its_version_is_stored_on_the_booking(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    salon_by_risk(merchant)
    records = synthetic(30)
    with runtime.uow(merchant.id) as uow:
        from servefirst.risk.service import import_records

        import_records(uow, records)
        fitted = refit(uow)
        uow.commit()
    assert fitted.version.startswith("fit-") and fitted.rows > 0
    booking = booked(merchant, clock, hours=3)
    assert booking["deposit"]["model_version"] == fitted.version
    with runtime.uow(merchant.id, write=False) as uow:
        assert current_model(uow).version == fitted.version


def test_the_server_refits_models_that_are_due_and_leaves_fresh_ones(
    runtime: Runtime, merchant: Merchant
) -> None:
    with runtime.uow(merchant.id) as uow:
        from servefirst.risk.service import import_records

        import_records(uow, synthetic(10))
        uow.commit()
    refit_all(runtime)
    with runtime.uow(merchant.id, write=False) as uow:
        first = current_model(uow).version
    assert first.startswith("fit-")
    # Fresh: nothing to do for this merchant until a day has passed.
    assert first not in refit_all(runtime)
    assert first in refit_all(runtime, every=timedelta(0))


# --- the command line ---------------------------------------------------------------


def write_history(path: Path, n_customers: int = 40) -> None:
    with path.open("w", encoding="utf-8", newline="") as stream:
        write_bookings(synthetic(n_customers), stream)


def test_fit_then_score_gives_each_booking_its_probability(tmp_path: Path) -> None:
    history, model = tmp_path / "history.csv", tmp_path / "model.json"
    write_history(history)
    runner = CliRunner()
    fitted = runner.invoke(main, ["risk", "fit", str(history), "--out", str(model)])
    assert fitted.exit_code == 0, fitted.output
    body = json.loads(model.read_text())
    scored = runner.invoke(
        main,
        ["risk", "score", str(history), "--model", str(model), "--format", "bookings", "--json"],
    )
    assert scored.exit_code == 0, scored.output
    result = json.loads(scored.output)
    assert result["model"] == body["version"]
    ids = [row["booking_id"] for row in csv.DictReader(history.open())]
    assert sorted(r["booking_id"] for r in result["bookings"]) == sorted(ids)
    assert all(0 < r["probability"] < 1 for r in result["bookings"])


def test_evaluate_prints_the_model_and_todays_rule_as_json(tmp_path: Path) -> None:
    history = tmp_path / "history.csv"
    write_history(history)
    result = CliRunner().invoke(
        main, ["risk", "evaluate", str(history), "--format", "bookings", "--share", "0.3", "--json"]
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert set(figures) == {"rows", "no_show_rate", "model", "rule"}
    assert abs(figures["model"]["asked_share"] - 0.3) < 0.01


def test_bad_input_is_a_clear_message_and_exit_code_2(tmp_path: Path) -> None:
    runner = CliRunner()
    good = tmp_path / "good.csv"
    write_history(good, 5)
    missing = tmp_path / "missing.csv"
    missing.write_text("booking_id,customer_id\nb1,c1\n")
    broken = tmp_path / "broken.csv"
    broken.write_text(
        "booking_id,customer_id,created_at,starts_at,outcome\nb1,c1,soon,later,showed\n"
    )
    not_a_model = tmp_path / "model.json"
    not_a_model.write_text("[1, 2]")
    cases = [
        (["risk", "evaluate", str(good), "--format", "excel"], "excel"),
        (["risk", "evaluate", str(missing)], "no column created_at, starts_at, outcome"),
        (["risk", "evaluate", str(broken), "--json"], "line 2: created_at 'soon'"),
        (["risk", "score", str(good), "--model", str(not_a_model)], "not a servefirst risk"),
        (["risk", "fit", str(good)], "give FILE and --out"),
    ]
    for args, words in cases:
        result = runner.invoke(main, args)
        assert result.exit_code == 2, (args, result.output)
        assert words in result.output, (args, result.output)
        assert "Traceback" not in result.output


def test_export_then_import_carries_the_history_to_another_merchant(
    runtime: Runtime,
    database_url: str,
    new_merchant: Callable[..., Merchant],
    merchant: Merchant,
    clock: TestClock,
    tmp_path: Path,
) -> None:
    runner = CliRunner(env={"SERVEFIRST_DATABASE_URL": database_url})
    history = tmp_path / "history.csv"
    write_history(history, 6)
    imported = runner.invoke(main, ["import", "bookings", str(history), "--merchant", merchant.id])
    assert imported.exit_code == 0, imported.output
    again = runner.invoke(main, ["import", "bookings", str(history), "--merchant", merchant.id])
    assert "0 bookings imported" in again.output
    salon_by_risk(merchant)
    booked(merchant, clock, hours=3)  # one of its own, not yet happened
    exported = runner.invoke(main, ["export", "bookings", "--merchant", merchant.id])
    assert exported.exit_code == 0, exported.output
    rows = list(csv.DictReader(io.StringIO(exported.output)))
    assert len(rows) == len(list(csv.DictReader(history.open()))) + 1
    other = new_merchant()
    out = tmp_path / "out.csv"
    out.write_text(exported.output)
    assert (
        runner.invoke(main, ["import", "bookings", str(out), "--merchant", other.id]).exit_code == 0
    )
    back = runner.invoke(main, ["export", "bookings", "--merchant", other.id])
    assert back.output == exported.output
    unknown = runner.invoke(main, ["export", "bookings", "--merchant", "mer_nobody"])
    assert unknown.exit_code == 2 and "No such merchant" in unknown.output


def test_policy_simulate_shows_the_policies_side_by_side(
    runtime: Runtime, database_url: str, merchant: Merchant, tmp_path: Path
) -> None:
    history = tmp_path / "history.csv"
    write_history(history, 30)
    runner = CliRunner(env={"SERVEFIRST_DATABASE_URL": database_url})
    runner.invoke(main, ["import", "bookings", str(history), "--merchant", merchant.id])
    salon_by_risk(merchant)
    result = runner.invoke(main, ["policy", "simulate", "--merchant", merchant.id, "--json"])
    assert result.exit_code == 0, result.output
    sim = json.loads(result.output)
    by_name = {p["policy"].split(" ")[0]: p for p in sim["policies"]}
    assert by_name["everyone"]["covered_share"] == 1.0
    assert by_name["everyone"]["bookings_asked"] == sim["bookings"]
    assert by_name["no"]["bookings_asked"] == 0 and by_name["no"]["fees_kept"] == 0
    share = by_name["ask"]
    assert np.isclose(share["asked_share"], 0.3, atol=0.01)
    assert 0 < share["fees_kept"] <= by_name["everyone"]["fees_kept"]
    assert {"today's", "expected"} <= set(by_name)
    text = runner.invoke(main, ["policy", "simulate", "--merchant", merchant.id])
    assert "today's rule" in text.output and "fees kept" in text.output


# --- the console ----------------------------------------------------------------------


@pytest.fixture
def owner(runtime: Runtime, app: Any, merchant: Merchant) -> Iterator[Staff]:
    email = f"rita.{secrets.token_hex(4)}@lume.example"
    with runtime.uow(merchant.id) as uow:
        staff.create_staff(uow, email=email, password=PASSWORD, name="Rita Sousa")
        uow.commit()
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    with TestClient(app, base_url="https://testserver", client=(address, 5)) as client:
        person = Staff(client, merchant, email)
        assert person.sign_in().status_code == 200
        yield person


def test_the_console_shows_the_simulator_to_signed_in_staff(
    runtime: Runtime, merchant: Merchant, owner: Staff
) -> None:
    assert owner.client.get("/staff/deposits/simulate", follow_redirects=False).status_code == 200
    empty = owner.client.get("/staff/deposits/simulate")
    assert empty.status_code == 200 and "No bookings with an outcome yet" in empty.text
    with runtime.uow(merchant.id) as uow:
        from servefirst.risk.service import import_records

        import_records(uow, synthetic(20))
        uow.commit()
    page = owner.client.get("/staff/deposits/simulate?loss_threshold=500")
    assert page.status_code == 200
    for words in ("ask the riskiest 30%", "expected loss at least 5.00", "today", "no one"):
        assert words in page.text
    assert "Customers asked at least once" in page.text


def test_the_simulator_asks_for_sign_in(client: TestClient) -> None:
    response = client.get("/staff/deposits/simulate", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/staff"
