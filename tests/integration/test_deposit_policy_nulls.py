"""A deposit-policy field sent as null keeps its default (it answered 500)."""

from __future__ import annotations

import pytest

from servefirst.bookings.rules import DepositPolicy
from servefirst.bookings.schemas import DepositPolicyIn
from tests.conftest import Merchant

DEFAULTS = DepositPolicy().as_dict()
FIELDS = sorted(DepositPolicyIn.model_fields)


def sent_with_null(field: str) -> tuple[dict[str, object], dict[str, object]]:
    """A policy with one other field set and ``field`` null, and the overrides kept."""
    other = {"preset": "strict"} if field != "preset" else {"mode": "hold"}
    kept: dict[str, object] = dict(other)
    if DEFAULTS[field] is None:  # null there is a value: no maximum, no fixed amount, ...
        kept[field] = None
    return {**other, field: None}, kept


def test_every_field_of_the_policy_is_covered() -> None:
    assert set(FIELDS) == set(DEFAULTS)


@pytest.mark.parametrize("field", FIELDS)
def test_a_null_field_in_the_merchants_policy_keeps_the_default(
    merchant: Merchant, field: str
) -> None:
    sent, kept = sent_with_null(field)
    response = merchant.post("/v1/merchant/deposit-policy", {"deposit_policy": sent})
    assert response.status_code == 200, response.text
    policy = response.json()
    assert policy == {**DEFAULTS, **kept}
    assert merchant.get("/v1/merchant/deposit-policy").json() == policy


@pytest.mark.parametrize("field", FIELDS)
def test_a_null_field_in_a_new_services_policy_keeps_the_merchants(
    merchant: Merchant, field: str
) -> None:
    sent, kept = sent_with_null(field)
    service = merchant.service(deposit_policy=sent)
    assert service["deposit_policy"] == kept


@pytest.mark.parametrize("field", FIELDS)
def test_a_null_field_in_a_service_update_keeps_the_merchants(
    merchant: Merchant, field: str
) -> None:
    service = merchant.service()
    sent, kept = sent_with_null(field)
    response = merchant.post(f"/v1/services/{service['id']}", {"deposit_policy": sent})
    assert response.status_code == 200, response.text
    assert response.json()["deposit_policy"] == kept


def test_a_policy_sent_all_null_is_the_default_policy(merchant: Merchant) -> None:
    nulls = {field: None for field in FIELDS}
    response = merchant.post(
        "/v1/merchant/deposit-policy", {"deposit_policy": {**nulls, "enabled": True}}
    )
    assert response.status_code == 200, response.text
    assert response.json() == {**DEFAULTS, "enabled": True}
