"""Loyalty on the pages: the customer reads their progress in words (English
and Portuguese) and uses a reward when paying; the console shows a reward
waiting on the customer's tab and takes it off at the counter; the owner
sets the programme on its own page (an expired form given back as typed, in
the words every console form uses); a customer with too many movements in a
day is flagged."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from servefirst.loyalty import service as loyalty
from servefirst.runtime import Runtime
from tests.conftest import Merchant
from tests.integration.test_customer_form_kept import EXPIRED
from tests.integration.test_loyalty_api import card, paid_tab, stamp_card
from tests.integration.test_pages_staff import CSRF, Staff

GOOD_CARD = "4242424242424242"


def with_reward(merchant: Merchant) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A regular holding a free flat white, and their next tab (flat white and croissant)."""
    flat_white = stamp_card(merchant, visits_per_reward=2)
    ana = merchant.customer()
    paid_tab(merchant, ana["id"], flat_white["id"])
    paid_tab(merchant, ana["id"], flat_white["id"])
    croissant = merchant.service("Croissant", price=220)
    tab = merchant.tab(ana["id"])
    for svc in (flat_white, croissant):
        merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
    assert merchant.post(f"/v1/tabs/{tab['id']}/serve").status_code == 200
    return ana, tab, card(merchant, ana["id"])["rewards_available"][0]


def test_the_customer_reads_progress_in_words_in_their_language(merchant: Merchant) -> None:
    flat_white = stamp_card(merchant)
    ana = merchant.customer()
    paid_tab(merchant, ana["id"], flat_white["id"])
    tab = merchant.tab(ana["id"])
    english = merchant.client.get(f"/t/{tab['token']}", headers={"Accept-Language": "en-GB"})
    assert "2 more visits to a free flat white" in english.text
    portuguese = merchant.client.get(f"/t/{tab['token']}", headers={"Accept-Language": "pt-PT"})
    assert "Faltam 2 visitas para ganhar flat white grátis" in portuguese.text


def test_the_customer_uses_their_reward_when_paying_by_card(merchant: Merchant) -> None:
    ana, tab, reward = with_reward(merchant)
    page = merchant.client.get(f"/t/{tab['token']}")
    assert f'name="reward_id" value="{reward["id"]}"' in page.text
    assert "a free flat white" in page.text
    paid = merchant.client.post(
        f"/t/{tab['token']}/pay",
        data={"card": GOOD_CARD, "tip": "0", "reward_id": reward["id"], "expected_due": "600"},
        follow_redirects=False,
    )
    assert paid.status_code == 303, paid.text
    after = merchant.get(f"/v1/tabs/{tab['id']}").json()
    assert after["status"] == "paid"
    payments = merchant.get(f"/v1/tabs/{tab['id']}/payments").json()["data"]
    assert [p["amount"] for p in payments] == [220]
    assert card(merchant, ana["id"])["rewards"][0]["status"] == "redeemed"


def test_staff_see_a_reward_waiting_and_apply_it_at_the_counter(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    _, tab, reward = with_reward(merchant)
    person = signed_in(merchant, "staff")
    page = person.get(f"/staff/tabs/{tab['id']}")
    assert "A reward is waiting" in page.text and "a free flat white" in page.text
    applied = person.post(f"/staff/tabs/{tab['id']}/rewards/{reward['id']}", follow_redirects=True)
    assert applied.status_code == 200, applied.text
    assert "Reward taken off the bill." in applied.text
    assert "A reward is waiting" not in applied.text
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["amount_due"] == 220
    again = person.post(f"/staff/tabs/{tab['id']}/rewards/{reward['id']}")
    assert again.status_code == 409, again.text


def test_the_owner_sets_a_points_programme_on_its_page(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, "owner")
    assert "No programme yet" in owner.get("/staff/policies/loyalty").text
    form = {
        "kind": "points",
        "points_per_unit": "2",
        "points_per_reward": "200",
        "reward_type": "amount_off",
        "amount": "5,00",
        "expires_after_days": "180",
    }
    saved = owner.post("/staff/policies/loyalty", form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    told = owner.get(saved.headers["location"]).text
    assert told.count("Loyalty programme saved.") == 1  # said once, not twice
    program = merchant.get("/v1/merchant/loyalty-program").json()
    assert (program["kind"], program["points_per_unit"], program["reward"]["amount"]) == (
        "points",
        2,
        500,
    )
    refused = owner.post("/staff/policies/loyalty", {**form, "points_per_reward": "0"})
    assert refused.status_code == 422
    assert 'value="0"' in refused.text  # given back as typed
    assert merchant.get("/v1/merchant/loyalty-program").json() == program
    assert signed_in(merchant, "staff").get("/staff/policies/loyalty").status_code == 403


def test_more_than_five_movements_in_a_day_flag_the_customer_for_staff(
    merchant: Merchant, signed_in: Callable[..., Staff], runtime: Runtime
) -> None:
    flat_white = stamp_card(merchant, visits_per_reward=1)
    ana = merchant.customer()
    for _ in range(2):  # each visit: a stamp and its reward (2 movements)
        paid_tab(merchant, ana["id"], flat_white["id"])
    owner = signed_in(merchant, "owner")
    assert "more than usual" not in owner.get(f"/staff/customers/{ana['id']}").text
    paid_tab(merchant, ana["id"], flat_white["id"])  # the 5th and 6th movements
    assert card(merchant, ana["id"])["flagged"] is True
    page = owner.get(f"/staff/customers/{ana['id']}")
    assert "6 loyalty movements today: more than usual, worth a look." in page.text
    assert ana["id"] in owner.get("/staff/policies/loyalty").text
    with runtime.uow(merchant.id, write=False) as uow:
        assert loyalty.busy_customers_today(uow) == {ana["id"]: 6}


def test_a_stamp_card_with_letters_for_its_visits_is_refused_in_portuguese(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, "owner")
    assert owner.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    form = {
        "kind": "visits",
        "visits_per_reward": "dez",
        "reward_type": "amount_off",
        "amount": "5,00",
        "expires_after_days": "180",
    }
    # Counts are written the business's way (an English-speaking place here).
    for field, typed, words in [
        ("visits_per_reward", "dez", "Escolha um número inteiro de 1 a 1.000."),
        ("expires_after_days", "-1", "Escolha um número inteiro de 1 a 3.650."),
    ]:
        refused = owner.post(
            "/staff/policies/loyalty", {**form, "visits_per_reward": "10", field: typed}
        )
        assert refused.status_code == 422, field
        assert refused.text.count(words) == 1, field  # said once, not twice
        assert "must be a whole number" not in refused.text
    assert merchant.get("/v1/merchant/loyalty-program").json()["active"] is False


def test_a_percentage_off_out_of_range_is_refused_in_the_owners_words(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, "owner")
    assert owner.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    form = {"kind": "visits", "visits_per_reward": "10", "reward_type": "percent_off"}
    for typed in ("150", "abc", "0"):
        refused = owner.post("/staff/policies/loyalty", {**form, "percent": typed})
        assert refused.status_code == 422, typed
        assert "Escreva uma percentagem acima de 0 e no máximo 100." in refused.text, typed
        assert "decimal string" not in refused.text
    assert merchant.get("/v1/merchant/loyalty-program").json()["active"] is False


def beside(page: str, field: str) -> str:
    """The refusal said beside the form's ``field`` ('' if none)."""
    found = re.search(rf'<span class="field-error" role="alert" id="{field}-error">([^<]*)<', page)
    return found.group(1) if found else ""


@pytest.mark.parametrize(
    ("field", "typed", "words"),
    [
        ("percent", "150", "Escreva uma percentagem acima de 0 e no máximo 100."),
        ("visits_per_reward", "0", "Escolha um número inteiro de 1 a 1.000."),
        ("amount", "-2", ""),
        ("expires_after_days", "9999", "Escolha um número inteiro de 1 a 3.650."),
    ],
)
def test_a_refused_programme_says_why_beside_the_field_it_is_about(
    merchant: Merchant, signed_in: Callable[..., Staff], field: str, typed: str, words: str
) -> None:
    owner = signed_in(merchant, "owner")
    assert owner.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    reward = "amount_off" if field == "amount" else "percent_off"
    form = {
        "kind": "visits",
        "visits_per_reward": "10",
        "reward_type": reward,
        "percent": "10",
        "amount": "2,00",
    }
    refused = owner.post("/staff/policies/loyalty", {**form, field: typed})
    assert refused.status_code == 422
    said = beside(refused.text, field)
    assert said, refused.text
    if words:
        assert said == words
    assert refused.text.count(said) == 1  # beside the field, not also above the page
    assert f'aria-describedby="{field}-error"' in refused.text
    assert merchant.get("/v1/merchant/loyalty-program").json()["active"] is False


@pytest.mark.parametrize("language", ["en", "pt"])
def test_an_expired_loyalty_form_comes_back_as_typed_in_the_words_of_every_form(
    merchant: Merchant, signed_in: Callable[..., Staff], language: str
) -> None:
    """The owner signed in again elsewhere, so the page's form token is stale:
    the programme comes back as typed, nothing is kept, and the owner reads the
    same words as on any other console form (here the tax rate's)."""
    owner = signed_in(merchant, "owner")
    if language == "pt":
        assert owner.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    form = {
        "kind": "visits",
        "visits_per_reward": "7",
        "min_spend": "3,50",
        "reward_type": "amount_off",
        "amount": "4,00",
        "expires_after_days": "90",
        "csrf_token": "from-an-earlier-sign-in",
    }
    stale = owner.client.post("/staff/policies/loyalty", data=form)
    assert stale.status_code == 403, stale.text
    assert EXPIRED[language] in stale.text
    for typed in ("7", "3,50", "4,00", "90"):
        assert f'value="{typed}"' in stale.text
    assert merchant.get("/v1/merchant/loyalty-program").json()["active"] is False

    other = owner.client.post(
        "/staff/tax-rates",
        data={"name": "IVA 6%", "percent": "6", "csrf_token": form["csrf_token"]},
    )
    assert other.status_code == 403 and EXPIRED[language] in other.text

    fresh = CSRF.search(stale.text)
    assert fresh and fresh.group(1) == owner.csrf  # the page carries the live token
    again = {**form, "csrf_token": fresh.group(1)}
    saved = owner.client.post("/staff/policies/loyalty", data=again, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    program = merchant.get("/v1/merchant/loyalty-program").json()
    assert (program["visits_per_reward"], program["min_spend"], program["reward"]["amount"]) == (
        7,
        350,
        400,
    )
