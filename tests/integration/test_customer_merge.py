"""Duplicate customers at the counter: found however their name or phone was
typed, warned about before a second one is registered, and merged into one."""

from __future__ import annotations

from servefirst.customers.service import likely_duplicates
from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.integration.test_bookings_api import booked


def found(merchant: Merchant, q: str) -> list[str]:
    response = merchant.get("/v1/customers", params={"q": q})
    assert response.status_code == 200, response.text
    return [c["name"] for c in response.json()["data"]]


def test_a_name_is_found_without_its_accents_case_or_spaces(merchant: Merchant) -> None:
    merchant.customer("José  da Conceição")
    merchant.customer("Beatriz Lima")
    for typed in ("jose da conceicao", "JOSÉ DACONCEIÇÃO", "conceicao", "Jose Da"):
        assert found(merchant, typed) == ["José  da Conceição"], typed


def test_a_phone_is_found_by_its_digits_however_it_was_written(merchant: Merchant) -> None:
    merchant.customer("Ana Costa", phone="+351 912-345 678")
    merchant.customer("Bea", phone="(21) 000 1111")
    for typed in ("912345678", "912 345 678", "+351912345678", "345 678"):
        assert found(merchant, typed) == ["Ana Costa"], typed


def test_a_search_takes_percent_and_underscore_literally(merchant: Merchant) -> None:
    merchant.customer("Ana Costa")
    assert found(merchant, "%") == []
    assert found(merchant, "_") == []


def test_the_same_email_or_phone_is_a_likely_duplicate(
    merchant: Merchant, runtime: Runtime
) -> None:
    ana = merchant.customer("Ana Costa", email="Ana@Example.com", phone="+351 912 345 678")
    merchant.customer("Ana Silva", email="silva@example.com")
    with runtime.uow(merchant.id, write=False) as uow:
        by_email = likely_duplicates(uow, email=" ana@example.COM ", phone=None)
        by_phone = likely_duplicates(uow, email=None, phone="912345678")
        by_both = likely_duplicates(uow, email="ana@example.com", phone="+351912345678")
        nobody = likely_duplicates(uow, email="new@example.com", phone="999")
    assert [(c.customer_id, why) for c, why in by_email] == [(ana["id"], ["email"])]
    assert [(c.customer_id, why) for c, why in by_phone] == [(ana["id"], ["phone"])]
    assert [why for _, why in by_both] == [["email", "phone"]]
    assert nobody == []


def test_a_merge_moves_tabs_bookings_and_history_and_the_duplicate_answers_404(
    merchant: Merchant, clock: TestClock
) -> None:
    kept = merchant.customer("Ana Costa", email="ana@example.com")
    twin = merchant.customer("Ana C.", phone="+351 912 345 678")
    friend = merchant.customer("Carla", referral_code=twin["referral_code"])
    svc = merchant.service(price=500)
    paid = merchant.tab(twin["id"])
    merchant.post(f"/v1/tabs/{paid['id']}/lines", {"service_id": svc["id"]})
    merchant.post(f"/v1/tabs/{paid['id']}/serve")
    assert merchant.post(f"/v1/tabs/{paid['id']}/payments", {"method": "cash"}).status_code == 201
    open_tab = merchant.tab(twin["id"])
    booking = booked(merchant, clock, customer_id=twin["id"])
    before = merchant.get(f"/v1/customers/{kept['id']}").json()["trust"]

    response = merchant.post(f"/v1/customers/{twin['id']}/merge", {"into": kept["id"]})

    assert response.status_code == 200, response.text
    merged = response.json()
    assert merged["id"] == kept["id"]
    assert (merged["email"], merged["phone"]) == ("ana@example.com", "+351 912 345 678")
    assert merged["trust"]["factors"] == ["1 visit paid on time"]
    assert merged["trust"]["score"] > before["score"]
    assert merchant.get(f"/v1/customers/{twin['id']}").status_code == 404
    assert merchant.get(f"/v1/tabs/{open_tab['id']}").json()["customer_id"] == kept["id"]
    assert merchant.get(f"/v1/tabs/{paid['id']}").json()["customer_id"] == kept["id"]
    assert merchant.get(f"/v1/bookings/{booking['id']}").json()["customer_id"] == kept["id"]
    history = merchant.get(f"/v1/customers/{kept['id']}/trust/history").json()["data"]
    assert [e["event"] for e in history] == ["paid_visits"]
    assert merchant.get(f"/v1/customers/{friend['id']}").json()["referred_by"] == kept["id"]
    # The phone the duplicate had now finds the customer kept.
    assert found(merchant, "912345678") == ["Ana Costa"]


def test_the_same_merge_asked_again_answers_the_same(merchant: Merchant) -> None:
    kept = merchant.customer("Ana")
    twin = merchant.customer("Ana 2")
    first = merchant.post(f"/v1/customers/{twin['id']}/merge", {"into": kept["id"]})
    again = merchant.post(f"/v1/customers/{twin['id']}/merge", {"into": kept["id"]})
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    elsewhere = merchant.customer("Bea")
    gone = merchant.post(f"/v1/customers/{twin['id']}/merge", {"into": elsewhere["id"]})
    assert gone.status_code == 404


def test_a_merge_into_oneself_or_an_unknown_customer_changes_nothing(merchant: Merchant) -> None:
    ana = merchant.customer("Ana")
    itself = merchant.post(f"/v1/customers/{ana['id']}/merge", {"into": ana["id"]})
    assert itself.status_code == 422
    assert itself.json()["error"]["param"] == "into"
    unknown = merchant.post(f"/v1/customers/{ana['id']}/merge", {"into": "cus_nobody"})
    assert unknown.status_code == 404
    assert merchant.get(f"/v1/customers/{ana['id']}").status_code == 200


def test_another_merchants_customer_cannot_be_merged_into(
    merchant: Merchant, new_merchant: object
) -> None:
    other = new_merchant("Other café")  # type: ignore[operator]
    theirs = other.customer("Zé")
    ours = merchant.customer("Ana")
    response = merchant.post(f"/v1/customers/{ours['id']}/merge", {"into": theirs["id"]})
    assert response.status_code == 404
    assert other.get(f"/v1/customers/{theirs['id']}").status_code == 200
