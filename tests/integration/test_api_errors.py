"""Every failure an integrator can cause answers the contract's error shape with a
fitting status, and never a 500. Another merchant's ids are simply 404."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servefirst.kit.money import MAX_AMOUNT
from tests.conftest import Merchant


def assert_error(
    response: Any, status: int, code: str | None = None, param: str | None = None
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert {"type", "code", "message", "param"} <= set(error), error
    assert isinstance(error["type"], str) and error["type"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    assert error["param"] is None or isinstance(error["param"], str)
    if code is not None:
        assert error["code"] == code, error
    if param is not None:
        assert error["param"] == param, error
    return error


def api_routes(app: Any) -> list[tuple[str, str]]:
    """(method, path) of every JSON API operation under /v1, from the schema."""
    return sorted(
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/v1/")
        for method in operations
        if method in ("get", "post")
    )


def fill(path: str, ids: dict[str, str]) -> str | None:
    """The path with its ids filled in, or None if it needs an id we do not make."""
    names = re.findall(r"{(\w+)}", path)
    if any(name not in ids for name in names):
        return None
    return path.format(**{name: ids[name] for name in names})


# ---------------------------------------------------------------- authentication


def test_every_staff_route_needs_an_api_key(app: Any, merchant: Merchant) -> None:
    client = merchant.client
    wrong_keys = [
        "nonsense",
        "sk_mer_aaaaaaaa_" + "x" * 43,
        merchant.api_key[:-1] + ("A" if merchant.api_key[-1] != "A" else "B"),
    ]
    checked = 0
    for method, path in api_routes(app):
        # Public routes, and the processor's events (signed by the processor, not keyed).
        if path.startswith(("/v1/public/", "/v1/webhooks/stripe/")):
            continue
        url = re.sub(r"{\w+}", "x_nope", path)
        answer = client.request(method, url, json={} if method == "POST" else None)
        assert_error(answer, 401, "api_key_missing")
        assert answer.json()["error"]["type"] == "authentication_error"
        for key in wrong_keys:
            answer = client.request(
                method,
                url,
                json={} if method == "POST" else None,
                headers={"Authorization": f"Bearer {key}"},
            )
            assert_error(answer, 401, "unauthenticated")
        basic = client.request(method, url, headers={"Authorization": "Basic dXNlcjpwYXNz"})
        assert_error(basic, 401)
        checked += 1
    assert checked >= 20


def test_a_revoked_looking_key_of_the_right_shape_for_a_real_merchant_is_401(
    merchant: Merchant,
) -> None:
    forged = f"sk_{merchant.id}_" + "A" * 43
    response = merchant.client.get("/v1/tabs", headers={"Authorization": f"Bearer {forged}"})
    assert_error(response, 401, "unauthenticated")


# ---------------------------------------------------------------- unreadable requests


@pytest.mark.parametrize(
    "path", ["/v1/services", "/v1/customers", "/v1/tabs"], ids=["services", "customers", "tabs"]
)
def test_invalid_json_is_400(merchant: Merchant, path: str) -> None:
    for raw in (b"{", b'{"name": "x",}', b"{'name': 'x'}", b"\xff\xfe"):
        response = merchant.post(path, content=raw, headers={"Content-Type": "application/json"})
        assert_error(response, 400, "invalid_json")


def test_a_body_that_is_not_an_object_is_422(merchant: Merchant) -> None:
    for body in ([1, 2], "name", 5, None):
        response = merchant.post("/v1/customers", body)
        assert_error(response, 422)


def test_an_integer_too_long_to_read_is_refused(merchant: Merchant) -> None:
    raw = b'{"name": "x", "price": 1' + b"0" * 5000 + b', "duration_minutes": 1}'
    response = merchant.post(
        "/v1/services", content=raw, headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "invalid_json")


def test_unknown_route_and_wrong_method(merchant: Merchant) -> None:
    assert_error(merchant.get("/v1/nothing-here"), 404, "resource_missing")
    assert_error(merchant.client.delete("/v1/services", headers=merchant.headers), 405)


# ---------------------------------------------------------------- parameters


@dataclass
class World:
    """One merchant's objects to aim requests at."""

    merchant: Merchant
    service: dict[str, Any]
    customer: dict[str, Any]
    tab: dict[str, Any]  # served, 1000 due, a pending concern
    concern: dict[str, Any]

    @property
    def ids(self) -> dict[str, str]:
        return {
            "service_id": self.service["id"],
            "customer_id": self.customer["id"],
            "tab_id": self.tab["id"],
            "concern_id": self.concern["id"],
            "token": self.tab["token"],
            "line_no": "1",
        }

    def snapshot(self) -> dict[str, Any]:
        m, tab_id = self.merchant, self.tab["id"]
        tab = m.get(f"/v1/tabs/{tab_id}").json()
        return {
            "service": m.get(f"/v1/services/{self.service['id']}").json(),
            "tab": tab,
            "concerns": m.get(f"/v1/tabs/{tab_id}/concerns").json(),
            "payments": m.get(f"/v1/tabs/{tab_id}/payments").json(),
            "public": m.client.get(f"/v1/public/tabs/{self.tab['token']}").json(),
            "balances": m.balances(),
            "tabs": len(m.get("/v1/tabs").json()["data"]),
        }


def make_world(merchant: Merchant) -> World:
    service = merchant.service(price=1000)
    customer = merchant.customer()
    tab = merchant.tab(customer["id"])
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": service["id"]})
    tab = merchant.post(f"/v1/tabs/{tab['id']}/serve").json()
    concern = merchant.client.post(
        f"/v1/public/tabs/{tab['token']}/concerns", json={"reason": "Cold", "remedy": "waive"}
    ).json()
    assert concern["status"] == "pending"
    return World(merchant, service, customer, tab, concern)


def body_for(method: str, path: str, caller: World | None) -> Any:
    """A body that would succeed if the ids in the path were the caller's own."""
    if method != "POST":
        return None
    bodies: dict[str, Any] = {
        "/v1/services/{service_id}": {"price": 999},
        "/v1/tabs/{tab_id}/lines": {
            "service_id": caller.service["id"] if caller else "svc_nope",
            "quantity": 1,
        },
        "/v1/tabs/{tab_id}/payments": {"method": "cash"},
        "/v1/tabs/{tab_id}/concerns/{concern_id}/resolve": {"decision": "approve"},
        "/v1/public/tabs/{token}/pay": {"card": "4242424242424242"},
        "/v1/public/tabs/{token}/concerns": {"reason": "Cold", "remedy": "waive"},
        "/v1/public/tabs/{token}/review": {"rating": 1},
        "/v1/payments/{payment_id}/refunds": {"reason": "Charged twice"},
        "/v1/tabs/{tab_id}/lines/{line_no}/void": {"reason": "Rung up by mistake"},
        "/v1/bookings/{booking_id}/reschedule": {"starts_at": "2099-01-05T10:00:00+00:00"},
        "/v1/customers/{customer_id}/merge": {
            "into": caller.customer["id"] if caller else "cus_other"
        },
    }
    return bodies.get(path, {})


def test_unknown_ids_are_404_on_every_route(app: Any, merchant: Merchant) -> None:
    unknown = {
        "service_id": "svc_nope",
        "customer_id": "cus_nope",
        "tab_id": "tab_nope",
        "concern_id": "con_nope",
        "staff_id": "stf_nope",
        "booking_id": "bkg_nope",
        "token": f"{merchant.id}.nope",
        "endpoint_id": "we_nope",
        "delivery_id": "whd_nope",
        "message_id": "msg_nope",
        "slug": "no-such-business",
        "date": "2001-01-01",
        "payment_id": "pay_nope",
        "line_no": "1",
        "dispute_id": "dp_nope",
        "merchant_id": "mer_nope",
        "code_id": "bcd_nope",
    }
    checked, left = 0, []
    for method, path in api_routes(app):
        url = fill(path, unknown)
        if url is None:
            left.append(path)
            continue
        if "{" not in path:
            continue
        response = merchant.client.request(
            method, url, json=body_for(method, path, None), headers=merchant.headers
        )
        assert_error(response, 404)
        checked += 1
    assert checked >= 15
    assert not left, left


def test_another_merchants_ids_are_404_and_change_nothing(
    app: Any, new_merchant: Callable[..., Merchant]
) -> None:
    theirs = make_world(new_merchant("Theirs"))
    ours = make_world(new_merchant("Ours"))
    before = theirs.snapshot()
    # Their tab token with our merchant prefix: routed to our shard, unknown there.
    ids = {**theirs.ids, "token": ours.merchant.id + "." + theirs.tab["token"].split(".", 1)[1]}
    checked = 0
    for method, path in api_routes(app):
        url = fill(path, ids)
        if url is None or "{" not in path:
            continue
        response = ours.merchant.client.request(
            method, url, json=body_for(method, path, ours), headers=ours.merchant.headers
        )
        assert_error(response, 404)
        checked += 1
    assert checked >= 15
    assert theirs.snapshot() == before


def test_another_merchants_ids_in_bodies_and_filters_are_not_found(
    new_merchant: Callable[..., Merchant],
) -> None:
    theirs = make_world(new_merchant("Theirs"))
    ours = make_world(new_merchant("Ours"))
    m = ours.merchant
    assert_error(
        m.post("/v1/tabs", {"customer_id": theirs.customer["id"]}), 404, param="customer_id"
    )
    line = m.post(f"/v1/tabs/{ours.tab['id']}/lines", {"service_id": theirs.service["id"]})
    assert_error(line, 409)  # our tab is served: refused before the service is looked up
    fresh = m.tab(ours.customer["id"])
    line = m.post(f"/v1/tabs/{fresh['id']}/lines", {"service_id": theirs.service["id"]})
    assert_error(line, 404, param="service_id")
    crossed = m.post(
        f"/v1/tabs/{ours.tab['id']}/concerns/{theirs.concern['id']}/resolve",
        {"decision": "approve"},
    )
    assert_error(crossed, 404, param="concern_id")
    assert m.get("/v1/tabs", params={"customer_id": theirs.customer["id"]}).json()["data"] == []
    assert_error(m.get("/v1/tabs", params={"short_code": theirs.tab["short_code"]}), 404)
    assert m.get("/v1/ledger/entries", params={"tab_id": theirs.tab["id"]}).json()["data"] == []
    referral = m.post(
        "/v1/customers", {"name": "X", "referral_code": theirs.customer["referral_code"]}
    )
    assert_error(referral, 422, "referral_code_invalid")


MISSING_OR_INVALID: list[tuple[str, dict[str, Any], str, str]] = [
    # (route, body, param, code)
    (
        "/v1/services",
        {"price": 1, "duration_minutes": 1, "expected_results": [], "limits": []},
        "name",
        "parameter_missing",
    ),
    (
        "/v1/services",
        {"name": "X", "duration_minutes": 1, "expected_results": [], "limits": []},
        "price",
        "parameter_missing",
    ),
    (
        "/v1/services",
        {"name": "X", "price": 1, "expected_results": [], "limits": []},
        "duration_minutes",
        "parameter_missing",
    ),
    (
        "/v1/services",
        {"name": "X", "price": 1, "duration_minutes": 0, "expected_results": [], "limits": []},
        "duration_minutes",
        "parameter_invalid",
    ),
    (
        "/v1/services",
        {"name": "X", "price": 1, "duration_minutes": 1, "expected_results": 5, "limits": []},
        "expected_results",
        "parameter_invalid",
    ),
    (
        "/v1/services",
        {
            "name": "X" * 201,
            "price": 1,
            "duration_minutes": 1,
            "expected_results": [],
            "limits": [],
        },
        "name",
        "parameter_invalid",
    ),
    (
        "/v1/services",
        {
            "name": "Nul\x00",
            "price": 1,
            "duration_minutes": 1,
            "expected_results": [],
            "limits": [],
        },
        "name",
        "parameter_invalid",
    ),
    ("/v1/customers", {"name": ""}, "name", "parameter_invalid"),
    ("/v1/customers", {"name": "A\x00B"}, "name", "parameter_invalid"),
    ("/v1/customers", {"name": "A", "email": "a\x00@b"}, "email", "parameter_invalid"),
    ("/v1/tabs", {}, "customer_id", "parameter_missing"),
    ("/v1/tabs", {"customer_id": 42}, "customer_id", "parameter_invalid"),
]


@pytest.mark.parametrize(("path", "body", "param", "code"), MISSING_OR_INVALID)
def test_missing_and_invalid_fields_name_the_param(
    merchant: Merchant, path: str, body: dict[str, Any], param: str, code: str
) -> None:
    assert_error(merchant.post(path, body), 422, code, param)


def test_missing_and_invalid_fields_on_tab_routes(merchant: Merchant) -> None:
    tab = merchant.served_tab(500)
    base = f"/v1/tabs/{tab['id']}"
    assert_error(merchant.post(f"{base}/payments", {}), 422, "parameter_missing", "method")
    assert_error(merchant.post(f"{base}/payments", {"method": "iou"}), 422, param="method")
    assert_error(
        merchant.post(f"{merchant.tab()['id'] and base}/lines", {}), 422, param="service_id"
    )
    public = f"/v1/public/tabs/{tab['token']}"
    assert_error(
        merchant.client.post(f"{public}/review", json={}), 422, "parameter_missing", "rating"
    )
    assert_error(merchant.client.post(f"{public}/pay", json={}), 422, "parameter_missing", "card")
    assert_error(
        merchant.client.post(f"{public}/pay", json={"method": "cash", "card": "4242424242424242"}),
        422,
        param="method",
    )
    assert_error(
        merchant.client.post(f"{public}/concerns", json={"reason": "x", "remedy": "refund"}),
        422,
        param="remedy",
    )
    assert merchant.get(f"{base}/payments").json()["data"] == []


def test_a_nul_in_an_id_is_not_found_never_a_server_or_busy_error(merchant: Merchant) -> None:
    for response in (
        merchant.get("/v1/tabs/tab_%00x"),
        merchant.post("/v1/tabs", {"customer_id": "cus_\x00"}),
        merchant.post("/v1/customers", {"name": "A", "referral_code": "AB\x00"}),
    ):
        # SQLite finds nothing (404); PostgreSQL cannot even hold the value (422).
        assert response.status_code in (404, 422), response.text
        assert_error(response, response.status_code)


# ---------------------------------------------------------------- money


FLOATS = [4.5, 450.0, "450", True, None, [450], {"amount": 450}]


@pytest.mark.parametrize("price", FLOATS, ids=repr)
def test_a_price_must_be_an_integer_of_minor_units(merchant: Merchant, price: Any) -> None:
    body = {
        "name": "X",
        "price": price,
        "duration_minutes": 1,
        "expected_results": [],
        "limits": [],
    }
    assert_error(merchant.post("/v1/services", body), 422, "parameter_invalid", "price")


@pytest.mark.parametrize("price", [-1, MAX_AMOUNT + 1, 10**30], ids=["negative", "max+1", "huge"])
def test_a_price_out_of_range_is_refused(merchant: Merchant, price: int) -> None:
    body = {
        "name": "X",
        "price": price,
        "duration_minutes": 1,
        "expected_results": [],
        "limits": [],
    }
    assert_error(merchant.post("/v1/services", body), 422, "parameter_invalid", "price")
    assert merchant.get("/v1/services").json()["data"] == []


@pytest.mark.parametrize("quantity", [0, -1, 1001, 10**20, 1.0, 2.5, "2"], ids=repr)
def test_bad_quantities_are_refused(merchant: Merchant, quantity: Any) -> None:
    svc = merchant.service(price=100)
    tab = merchant.tab()
    response = merchant.post(
        f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"], "quantity": quantity}
    )
    assert_error(response, 422, "parameter_invalid", "quantity")
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["lines"] == []


def test_a_line_larger_than_servefirst_accepts_is_refused(merchant: Merchant) -> None:
    svc = merchant.service(price=MAX_AMOUNT)
    tab = merchant.tab()
    response = merchant.post(
        f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"], "quantity": 2}
    )
    assert response.status_code in (402, 422), response.text  # past the tab limit too
    assert_error(response, response.status_code)
    assert merchant.balances()["receivables"] == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", 1.5),
        ("amount", 100.0),
        ("amount", "100"),
        ("amount", -1),
        ("amount", 0),
        ("amount", MAX_AMOUNT + 1),
        ("amount", 10**40),
        ("tip", 0.5),
        ("tip", -1),
        ("tip", 10**40),
        ("tip", "10"),
    ],
    ids=repr,
)
def test_bad_payment_amounts_are_refused_and_nothing_is_paid(
    merchant: Merchant, field: str, value: Any
) -> None:
    tab = merchant.served_tab(500)
    response = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", field: value})
    assert_error(response, 422, param=field)
    assert merchant.get(f"/v1/tabs/{tab['id']}/payments").json()["data"] == []
    assert merchant.balances()["cash"] == 0


@pytest.mark.parametrize("tip", [-1, 0.5, 10**40, "5"], ids=repr)
def test_bad_tips_from_the_customer_are_refused(merchant: Merchant, tip: Any) -> None:
    tab = merchant.served_tab(500)
    response = merchant.client.post(
        f"/v1/public/tabs/{tab['token']}/pay", json={"card": "4242424242424242", "tip": tip}
    )
    assert_error(response, 422, param="tip")
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["status"] == "served"


@pytest.mark.parametrize("amount", [-5, 2.5, "100", 10**40], ids=repr)
def test_bad_concern_and_resolution_amounts_are_refused(merchant: Merchant, amount: Any) -> None:
    tab = merchant.served_tab(1000)
    raised = merchant.client.post(
        f"/v1/public/tabs/{tab['token']}/concerns",
        json={"reason": "Cold", "remedy": "partial", "amount": amount},
    )
    assert_error(raised, 422, param="amount")
    pending = merchant.client.post(
        f"/v1/public/tabs/{tab['token']}/concerns", json={"reason": "Cold", "remedy": "waive"}
    ).json()
    resolved = merchant.post(
        f"/v1/tabs/{tab['id']}/concerns/{pending['id']}/resolve",
        {"decision": "approve", "amount": amount},
    )
    assert_error(resolved, 422, param="amount")
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["amount_due"] == 1000


# ---------------------------------------------------------------- policy and cards


def restricted_customer(merchant: Merchant) -> dict[str, Any]:
    """Two tabs written off: Beta(3, 1 + 2*2) = 3/8 < 0.5, restricted."""
    customer = merchant.customer("Rui")
    for _ in range(2):
        tab = merchant.tab(customer["id"])
        svc = merchant.service(price=100)
        merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
        merchant.post(f"/v1/tabs/{tab['id']}/serve")
        assert merchant.post(f"/v1/tabs/{tab['id']}/write-off").status_code == 200
    return customer


def test_a_restricted_customer_must_prepay(merchant: Merchant) -> None:
    customer = restricted_customer(merchant)
    assert merchant.get(f"/v1/customers/{customer['id']}").json()["trust"]["tier"] == "restricted"
    before = len(merchant.get("/v1/tabs").json()["data"])
    error = assert_error(
        merchant.post("/v1/tabs", {"customer_id": customer["id"]}), 402, "prepayment_required"
    )
    assert error["type"] == "policy_error"
    assert error["tier"] == "restricted"
    assert len(merchant.get("/v1/tabs").json()["data"]) == before


def test_the_tab_limit_of_a_new_customer(merchant: Merchant) -> None:
    # A new customer may owe up to 100.00 EUR.
    customer = merchant.customer()
    tab = merchant.tab(customer["id"])
    big = merchant.service(price=10_001)
    over = merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": big["id"]})
    error = assert_error(over, 402, "tab_limit_exceeded")
    assert (error["tab_limit"], error["outstanding"], error["requested"]) == (10_000, 0, 10_001)
    # Said in money, as staff read it aloud; the numbers above stay in minor units.
    assert "€100.00 with €0.00 already owed, €100.00 available" in error["message"]
    assert "Or take €100.01 before serving" in error["message"]
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["lines"] == []
    exact = merchant.service(price=10_000)
    assert (
        merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": exact["id"]}).status_code == 200
    )
    another = merchant.post("/v1/tabs", {"customer_id": customer["id"]})
    assert_error(another, 402, "tab_limit_exceeded")
    assert merchant.balances()["receivables"] == 10_000


@pytest.mark.parametrize(
    ("card", "code"),
    [
        ("4000000000000002", "card_declined"),
        ("4000000000009995", "insufficient_funds"),
        ("4000 0000 0000 9995", "insufficient_funds"),
        ("1234123412341234", "incorrect_number"),
    ],
)
@pytest.mark.parametrize("who", ["customer", "staff"])
def test_a_declined_card_writes_nothing(merchant: Merchant, card: str, code: str, who: str) -> None:
    tab = merchant.served_tab(450, 380)
    balances = merchant.balances()
    events = merchant.get("/v1/events").json()["data"]
    if who == "customer":
        response = merchant.client.post(
            f"/v1/public/tabs/{tab['token']}/pay", json={"card": card, "tip": 100}
        )
    else:
        response = merchant.post(
            f"/v1/tabs/{tab['id']}/payments", {"method": "card", "card": card, "tip": 100}
        )
    error = assert_error(response, 402, code, "card")
    assert error["type"] == "card_error"
    assert card.replace(" ", "") not in response.text
    after = merchant.get(f"/v1/tabs/{tab['id']}").json()
    assert (after["status"], after["paid"], after["tips"], after["amount_due"]) == (
        "served",
        0,
        0,
        830,
    )
    assert merchant.get(f"/v1/tabs/{tab['id']}/payments").json()["data"] == []
    assert merchant.balances() == balances
    assert merchant.get("/v1/events").json()["data"] == events
    # The same tab is then paid with a good card.
    good = merchant.client.post(
        f"/v1/public/tabs/{tab['token']}/pay", json={"card": "4242424242424242"}
    )
    assert good.status_code == 201


def test_paying_a_paid_tab_is_409(merchant: Merchant) -> None:
    tab = merchant.served_tab(500)
    assert merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash"}).status_code == 201
    balances = merchant.balances()
    assert_error(
        merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash"}), 409, "tab_already_paid"
    )
    assert_error(
        merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 1}),
        409,
        "tab_already_paid",
    )
    assert_error(
        merchant.client.post(
            f"/v1/public/tabs/{tab['token']}/pay", json={"card": "4242424242424242"}
        ),
        409,
        "tab_already_paid",
    )
    assert merchant.balances() == balances
    assert len(merchant.get(f"/v1/tabs/{tab['id']}/payments").json()["data"]) == 1


def test_nothing_owed_and_closed_tabs_take_no_payment(merchant: Merchant) -> None:
    empty = merchant.tab()
    assert_error(
        merchant.post(f"/v1/tabs/{empty['id']}/payments", {"method": "cash"}), 409, "nothing_to_pay"
    )
    merchant.post(f"/v1/tabs/{empty['id']}/void")
    assert_error(
        merchant.post(f"/v1/tabs/{empty['id']}/payments", {"method": "cash"}),
        409,
        "tab_state_invalid",
    )
    written = merchant.served_tab(300)
    merchant.post(f"/v1/tabs/{written['id']}/write-off")
    assert_error(
        merchant.post(f"/v1/tabs/{written['id']}/payments", {"method": "cash"}),
        409,
        "tab_state_invalid",
    )


# ---------------------------------------------------------------- fuzzing

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)

FIELDS = [
    "name", "price", "duration_minutes", "expected_results", "limits", "email", "phone",
    "referral_code", "customer_id", "service_id", "quantity", "staff_id", "method", "amount",
    "tip", "card", "reason", "remedy", "decision", "unfounded", "rating", "comment", "active",
]  # fmt: skip

bodies = (
    st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), json_values, max_size=6)
    | json_values
)

FUZZED = [
    "/v1/services",
    "/v1/services/{service_id}",
    "/v1/customers",
    "/v1/tabs",
    "/v1/tabs/{tab_id}/lines",
    "/v1/tabs/{tab_id}/payments",
    "/v1/tabs/{tab_id}/concerns/{concern_id}/resolve",
    "/v1/public/tabs/{token}/concerns",
    "/v1/public/tabs/{token}/review",
    "/v1/public/tabs/{token}/pay",
]


@pytest.mark.parametrize("path", FUZZED)
def test_fuzzed_bodies_never_cause_a_server_error(merchant: Merchant, path: str) -> None:
    world = make_world(merchant)
    url = path.format(**world.ids)

    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(body=bodies)
    def check(body: Any) -> None:
        raw = json.dumps(body).encode()
        response = merchant.post(url, content=raw, headers={"Content-Type": "application/json"})
        assert response.status_code < 500, (body, response.text)
        if response.status_code >= 400:
            assert_error(response, response.status_code)

    check()
    assert world.merchant.balances()["receivables"] >= 0
