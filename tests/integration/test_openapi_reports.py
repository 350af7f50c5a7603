"""The cash-flow and satisfaction reports are typed in the schema, and the
typed answer is the same JSON the report builders make."""

from __future__ import annotations

from typing import Any

from servefirst.earnings.period import period_of
from servefirst.reports.service import cash_flow
from servefirst.reviews.service import satisfaction_report
from servefirst.runtime import Runtime
from tests.conftest import Merchant
from tests.integration.test_openapi import resolve


def a_day_of_business(merchant: Merchant) -> None:
    """A paid tab with a tip and a review, a concern approved by policy, an unpaid tab."""
    member = merchant.post("/v1/staff", {"name": "Marta Silva"}).json()
    tab = merchant.tab()
    service = merchant.service("Haircut", price=3000)
    added = merchant.post(
        f"/v1/tabs/{tab['id']}/lines", {"service_id": service["id"], "staff_id": member["id"]}
    )
    assert added.status_code == 200, added.text
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    token = tab["token"]
    assert merchant.client.post(f"/v1/public/tabs/{token}/review", json={"rating": 4}).is_success
    concern = merchant.client.post(
        f"/v1/public/tabs/{token}/concerns",
        json={"remedy": "partial", "reason": "Uneven", "amount": 500},
    )
    assert concern.status_code == 201, concern.text
    assert concern.json()["status"] == "approved"  # small enough for the policy
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "tip": 200})
    assert paid.status_code == 201, paid.text
    merchant.served_tab(450)


def test_the_cash_flow_report_is_typed_and_unchanged(
    app: Any, runtime: Runtime, merchant: Merchant
) -> None:
    a_day_of_business(merchant)
    answered = merchant.get("/v1/reports/cash-flow").json()
    with runtime.uow(merchant.id, write=False) as uow:
        built = cash_flow(uow)
    assert answered.pop("as_of")[-6:] == built.pop("as_of")[-6:] == "+00:00"  # as written
    assert answered == built
    assert answered["collected"]["tips"] == 200
    assert answered["adjustments"]["by_remedy"]["partial"] == {"concerns": 1, "amount": 500}
    report = _answer_schema(app, "/v1/reports/cash-flow")
    assert set(report["required"]) == set(built) | {"as_of"}


def test_the_satisfaction_report_is_typed_and_unchanged(
    app: Any, runtime: Runtime, merchant: Merchant
) -> None:
    a_day_of_business(merchant)
    for query in ({}, {"from": "2000-01-01", "to": "2100-12-31"}):
        answered = merchant.get("/v1/reports/satisfaction", params=query).json()
        with runtime.uow(merchant.id, write=False) as uow:
            period = period_of(query["from"], query["to"], uow.clock.now()) if query else None
            built = satisfaction_report(uow, period)
        assert answered == built
    assert answered["staff"][0]["name"] == "Marta Silva"
    assert answered["from"] == "2000-01-01T00:00:00+00:00"
    report = _answer_schema(app, "/v1/reports/satisfaction")
    assert set(report["required"]) == set(built) - {"object"}


def _answer_schema(app: Any, path: str) -> dict[str, Any]:
    schema = app.openapi()
    content = schema["paths"][path]["get"]["responses"]["200"]["content"]
    return resolve(schema, content["application/json"]["schema"])
