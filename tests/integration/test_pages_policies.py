"""The owner's policies in the console: deposits, guarantee and earnings,
each a form with the current values and what each preset means; bad input
comes back in words and nothing of it is kept."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import Merchant
from tests.integration.test_pages_staff import Staff

DEPOSIT = {
    "enabled": "yes",
    "percent": "15",
    "minimum": "2,00",
    "maximum": "20.00",
    "fixed": "",
    "cancel_window_hours": "24",
    "preset": "fair",
    "mode": "capture",
}


def test_the_page_shows_the_current_values_and_what_each_preset_means(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    page = signed_in(merchant, "owner").get("/staff/policies")
    assert page.status_code == 200
    assert "A late cancellation costs 30% of the price, a no-show 50%" in page.text  # moderate
    assert (
        'name="cancel_window_hours" type="number" min="0" max="720" inputmode="numeric" value="24"'
        in page.text
    )
    assert 'name="bonus_min_average" inputmode="decimal" value="4.5"' in page.text


def test_an_owner_sets_the_deposit_policy_in_the_currencys_units(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, "owner")
    saved = owner.post("/staff/policies/deposit", DEPOSIT, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    policy = merchant.get("/v1/merchant/deposit-policy").json()
    assert (policy["enabled"], policy["percent"], policy["minimum"], policy["maximum"]) == (
        True,
        "15",
        200,
        2000,
    )
    assert policy["preset"] == "fair"


def test_the_guarantee_and_earnings_forms_save(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, "owner")
    saved = owner.post(
        "/staff/policies/guarantee",
        {
            "auto_approve_percent": "10",
            "waive_needs_review": "yes",
            "claim_limit": "2",
            "claim_period_days": "60",
            "over_limit": "reject",
            "review_tiers": ["new", "restricted"],
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    kept = merchant.get("/v1/merchant/guarantee-policy").json()
    assert kept["claim_limit"] == 2 and kept["over_limit"] == "reject"
    assert kept["review_tiers"] == ["new", "restricted"]
    paid = owner.post(
        "/staff/policies/earnings",
        {"bonus_min_reviews": "3", "bonus_min_average": "4,2", "bonus_percent": "5"},
        follow_redirects=False,
    )
    assert paid.status_code == 303, paid.text
    earnings = merchant.get("/v1/merchant/earnings-policy").json()
    assert (earnings["bonus_min_reviews"], earnings["bonus_min_average"]) == (3, "4.2")


def test_bad_input_comes_back_in_words_and_nothing_is_kept(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, "owner")
    before = merchant.get("/v1/merchant/deposit-policy").json()
    for field, typed, words in [
        ("percent", "abc", "Write a number from 0 to 100"),
        ("percent", "150", "Write a number from 0 to 100"),
        ("minimum", "-2", "cannot be negative"),
        ("maximum", "1.00", "The maximum is below the minimum."),
        ("cancel_window_hours", "-1", "whole number"),
        ("preset", "lenient", "Choose one of the presets"),
    ]:
        page = owner.post("/staff/policies/deposit", {**DEPOSIT, field: typed})
        assert page.status_code == 422, (field, page.text[-400:])
        assert words in page.text, field
        assert f'value="{typed}"' in page.text or field == "preset"
    stale = owner.post("/staff/policies/deposit", {**DEPOSIT, "percent": "12", "csrf_token": "x"})
    assert stale.status_code == 403 and 'value="12"' in stale.text
    assert merchant.get("/v1/merchant/deposit-policy").json() == before
    refused = owner.post(
        "/staff/policies/earnings",
        {"bonus_min_reviews": "-3", "bonus_min_average": "4", "bonus_percent": "2"},
    )
    assert refused.status_code == 422 and 'value="-3"' in refused.text


def test_managers_cannot_change_policies(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    manager = signed_in(merchant, "manager")
    assert manager.get("/staff/policies").status_code == 403
    assert manager.post("/staff/policies/deposit", DEPOSIT).status_code == 403
    assert merchant.get("/v1/merchant/deposit-policy").json()["enabled"] is False
