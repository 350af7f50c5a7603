"""Schemathesis against the live app: generated requests, valid and invalid,
on every operation, and every answer checked against the schema. Zero
failures: no 500, no status, content type, header or body the schema does not
declare. Business refusals (402, 409) are answers the schema documents.

Bounded so it runs in the suite on both engines: a few examples an operation
and mode, derandomized (the same requests every run), authenticated as a
merchant with some business behind it; path ids are that merchant's real ones
(a tab, its token, a customer...), so operations reach their work, not only a
404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import Merchant

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 10  # per operation and mode


def real_ids(shop: Merchant) -> dict[str, str]:
    """Some business: staff, a paid tab with a review, a served and an open
    tab, a concern, a booking. Returns an id for each path parameter."""
    member = shop.post("/v1/staff", {"name": "Marta Silva"}).json()
    paid = shop.served_tab(450, 380)
    assert shop.post(f"/v1/tabs/{paid['id']}/payments", {"method": "cash", "tip": 50}).is_success
    assert shop.client.post(f"/v1/public/tabs/{paid['token']}/review", json={"rating": 5})
    served = shop.served_tab(300)
    concern = shop.client.post(
        f"/v1/public/tabs/{served['token']}/concerns",
        json={"reason": "Cold", "remedy": "partial", "amount": 100},
    ).json()
    open_tab = shop.tab()
    booking = shop.post(
        "/v1/bookings",
        {
            "customer_id": open_tab["customer_id"],
            "service_id": open_tab["lines"][0]["service_id"]
            if open_tab["lines"]
            else shop.service("Cut", price=2000)["id"],
            "starts_at": "2100-06-01T10:00:00Z",
        },
    ).json()
    return {
        "tab_id": served["id"],
        "token": served["token"],
        "customer_id": open_tab["customer_id"],
        "service_id": served["lines"][0]["service_id"],
        "staff_id": member["id"],
        "concern_id": concern["id"],
        "booking_id": booking["id"],
    }


def test_every_answer_is_what_the_schema_says(app: Any, merchant: Merchant) -> None:
    ids = real_ids(merchant)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    runs = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        wanted = {p.name for p in operation.path_parameters}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for path_parameters in ({k: v for k, v in ids.items() if k in wanted} or None, None):
                strategy = operation.as_strategy(mode, path_parameters=path_parameters)
                runs += 1
                try:
                    _exercise(strategy, merchant.headers)()
                except Unsatisfiable:
                    pass  # nothing left to make invalid (the only parameter is a real id)
                except (AssertionError, BaseExceptionGroup) as exc:  # every failure, reported
                    failures.append(f"{operation.label} [{mode.value}]: {exc}")
                if not wanted:
                    break
    assert runs >= 100
    assert failures == [], "\n\n".join(failures)


def _exercise(strategy: Any, headers: dict[str, str]) -> Callable[[], None]:
    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is shown as found
        suppress_health_check=list(HealthCheck),
    )
    def exercise(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    return exercise
