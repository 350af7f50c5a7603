"""A returning customer recognised over the public API, as on the booking
page: ask for a code for an e-mail (the same answer whoever it belongs to,
limited as the page is), confirm it for a proof, and book with the proof as
the customer the business knows, whose trust decides the deposit. Without a
proof the person books as new; every misuse is a clear 4xx."""

from __future__ import annotations

from typing import Any

from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.integration.test_booking_codes import (
    Page,
    mailing,
    page,
    smtp_server,
    trusted_customer,
)
from tests.integration.test_bookings_api import GOOD

__all__ = ["mailing", "page", "smtp_server"]  # fixtures: the page, its mailing server


class Api:
    """The public routes of the page's salon, as an integrator's client calls them."""

    def __init__(self, page: Page) -> None:
        self.page, self.slug = page, page.shop.slug
        self.base = f"/v1/public/merchants/{self.slug}"

    def ask(self, email: str) -> Any:
        return self.page.client.post(f"{self.base}/email-codes", json={"email": email})

    def confirm(self, code_id: str, code: str) -> Any:
        return self.page.client.post(
            f"{self.base}/email-codes/{code_id}/confirm", json={"code": code}
        )

    def proof_for(self, email: str) -> str:
        sent = self.ask(email)
        assert sent.status_code == 201, sent.text
        confirmed = self.confirm(sent.json()["id"], self.page.code_sent_to(email))
        assert confirmed.status_code == 200, confirmed.text
        assert confirmed.json()["status"] == "confirmed"
        return str(confirmed.json()["proof_id"])

    def book(self, email: str, **extra: Any) -> Any:
        body = {
            "service_id": self.page.shop.cut["id"],
            "starts_at": self.page.when,
            "name": "Ana Costa",
            "email": email,
            **extra,
        }
        return self.page.client.post(f"{self.base}/bookings", json=body)


def error(answer: Any) -> tuple[int, str]:
    return answer.status_code, answer.json()["error"]["code"]


def test_a_returning_customer_books_as_themselves_with_a_proof(
    page: Page, runtime: Runtime, merchant: Merchant
) -> None:
    api = Api(page)
    ana = trusted_customer(runtime, merchant, "ana.api@example.com")
    proof = api.proof_for("ana.api@example.com")
    booked = api.book("Ana.API@example.com", email_proof=proof)
    assert booked.status_code == 201, booked.text
    assert booked.json()["customer_id"] == ana
    assert booked.json()["deposit"]["required"] is False  # her trust, not a newcomer's
    again = api.book(
        "ana.api@example.com", email_proof=proof, starts_at=page.shop.at(page.shop.day(5), "10:00")
    )
    assert error(again) == (422, "email_code_expired")  # a proof books once


def test_without_a_proof_the_same_person_books_as_new(
    page: Page, runtime: Runtime, merchant: Merchant
) -> None:
    api = Api(page)
    ana = trusted_customer(runtime, merchant, "ana.new@example.com")
    assert error(api.book("ana.new@example.com")) == (402, "deposit_required")
    booked = api.book("ana.new@example.com", card=GOOD)
    assert booked.status_code == 201, booked.text
    assert booked.json()["customer_id"] != ana
    assert booked.json()["deposit"]["required"] is True


def test_asking_answers_the_same_for_a_customer_and_a_stranger(
    page: Page, runtime: Runtime, merchant: Merchant
) -> None:
    api = Api(page)
    trusted_customer(runtime, merchant, "known.api@example.com")
    known, stranger = api.ask("known.api@example.com"), api.ask("stranger.api@example.com")
    assert known.status_code == stranger.status_code == 201

    def shape(answer: Any) -> dict[str, Any]:
        return {k: v for k, v in answer.json().items() if k not in ("id", "email", "expires_at")}

    assert shape(known) == shape(stranger)
    assert set(known.json()) == set(stranger.json())


def test_a_wrong_code_says_so_and_five_spend_it(page: Page) -> None:
    api = Api(page)
    sent = api.ask("ana.typo.api@example.com").json()["id"]
    right = page.code_sent_to("ana.typo.api@example.com")
    wrong = "000 000" if right != "000 000" else "111 111"
    first = api.confirm(sent, wrong)
    assert error(first) == (422, "email_code_wrong")
    assert first.json()["error"]["tries_left"] == 4
    for _ in range(4):
        api.confirm(sent, wrong)
    assert error(api.confirm(sent, right)) == (422, "email_code_expired")


def test_an_expired_code_is_refused(page: Page, clock: TestClock) -> None:
    api = Api(page)
    sent = api.ask("ana.late.api@example.com").json()["id"]
    code = page.code_sent_to("ana.late.api@example.com")
    clock.advance(minutes=11)
    assert error(api.confirm(sent, code)) == (422, "email_code_expired")


def test_a_proof_for_another_email_books_nothing(page: Page, merchant: Merchant) -> None:
    api = Api(page)
    proof = api.proof_for("ana.mine.api@example.com")
    assert error(api.book("someone.else@example.com", email_proof=proof, card=GOOD)) == (
        422,
        "email_proof_mismatch",
    )
    assert error(api.book("ana.mine.api@example.com", email_proof="bkc_nothing")) == (
        422,
        "email_code_expired",
    )
    found = merchant.get("/v1/bookings", params={"from": "2000-01-01T00:00:00Z"})
    assert found.json()["data"] == []


def test_codes_are_limited_per_email_as_on_the_page(page: Page) -> None:
    api = Api(page)
    for _ in range(3):
        assert api.ask("ana.many.api@example.com").status_code == 201
    assert error(api.ask("ana.many.api@example.com")) == (429, "email_code_rate_limited")


def test_without_email_configured_codes_are_refused_clearly(
    merchant: Merchant, clock: TestClock
) -> None:
    from tests.integration.test_availability_api import Salon

    shop = Salon(merchant, clock)
    base = f"/v1/public/merchants/{shop.slug}"
    asked = merchant.client.post(f"{base}/email-codes", json={"email": "ana@example.com"})
    assert error(asked) == (400, "email_codes_unavailable")
    confirmed = merchant.client.post(f"{base}/email-codes/bkc_x/confirm", json={"code": "1"})
    assert error(confirmed) == (400, "email_codes_unavailable")
    booking = {
        "service_id": shop.cut["id"],
        "starts_at": shop.at(shop.day(3), "10:00"),
        "name": "Ana Costa",
        "email": "ana@example.com",
        "email_proof": "bkc_x",
    }
    booked = merchant.client.post(f"{base}/bookings", json=booking)
    assert error(booked) == (400, "email_codes_unavailable")


def test_a_declined_card_leaves_the_proof_to_book_again(page: Page, merchant: Merchant) -> None:
    api = Api(page)
    proof = api.proof_for("ana.card.api@example.com")  # nobody's yet: a deposit is asked
    declined = api.book("ana.card.api@example.com", email_proof=proof, card="4000000000000002")
    assert declined.status_code == 402, declined.text
    booked = api.book("ana.card.api@example.com", email_proof=proof, card=GOOD)
    assert booked.status_code == 201, booked.text
    found = merchant.get("/v1/bookings", params={"from": "2000-01-01T00:00:00Z"}).json()["data"]
    assert [b["status"] for b in found].count("confirmed") == 1
