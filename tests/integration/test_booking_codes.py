"""A returning customer says "I have been here before", gets a one-time code
by e-mail (a real SMTP server), types it, and books as the customer the salon
knows: their trust decides the deposit. Nothing tells a stranger whether an
e-mail is a customer's; codes expire, run out of tries, are used once, are
limited per e-mail and per address, and are never stored."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from servefirst.app import create_app
from servefirst.config import Settings
from servefirst.messages.transport import Transports, mailer_for
from servefirst.messages.worker import Worker
from servefirst.runtime import Runtime
from tests import delivery_servers
from tests.conftest import PUBLIC_URL, Merchant, TestClock
from tests.delivery_servers import Mailbox
from tests.integration.test_availability_api import Salon
from tests.integration.test_bookings_api import GOOD, make_trusted, salon

smtp_server = delivery_servers.smtp_server  # the session's SMTP server (a fixture)

GUARD = re.compile(r'name="csrf_token" value="([^"]+)"')
CODE_ID = re.compile(r'name="code_id" value="([^"]+)"')
ATTEMPT = re.compile(r'name="attempt" value="[^"]*"')
CODE = re.compile(r"\b(\d{3} \d{3})\b")
SECRET = "a-test-secret-key-of-the-server"


@pytest.fixture(scope="module")
def mailing(
    database_url: str, clock: TestClock, runtime: Runtime, smtp_server: tuple[str, Mailbox]
) -> Iterator[Runtime]:
    """The server as configured to send e-mail, on the tests' database."""
    settings = Settings(
        database_url=database_url,
        public_url=PUBLIC_URL,
        smtp_url=smtp_server[0],
        secret_key=SECRET,
    )
    rt = Runtime.create(settings, clock=clock)
    yield rt
    rt.dispose()


class Page:
    """The booking page of a salon on the mailing server, and its outbox."""

    def __init__(self, rt: Runtime, shop: Salon, mailbox: Mailbox, smtp_url: str) -> None:
        self.rt, self.shop, self.mailbox = rt, shop, mailbox
        self.client = TestClient(create_app(rt), raise_server_exceptions=False)
        self.worker = Worker(
            rt, transports=Transports(mailer_for(smtp_url)), merchants=[shop.merchant.id]
        )
        self.when = shop.at(shop.day(3), "10:00")

    def guard(self) -> str:
        page = self.client.get(f"/b/{self.shop.slug}", params={"service": self.shop.cut["id"]})
        found = GUARD.search(page.text)
        assert found, page.text
        return found.group(1)

    def form(self, email: str, **extra: str) -> dict[str, str]:
        return {
            "csrf_token": self.guard(),
            "service": self.shop.cut["id"],
            "staff": "",
            "starts_at": self.when,
            "name": "Ana Costa",
            "email": email,
            "phone": "",
            **extra,
        }

    def ask(self, email: str) -> Any:
        return self.client.post(f"/b/{self.shop.slug}/book", data=self.form(email, returning="1"))

    def type(self, email: str, code_id: str, code: str) -> Any:
        data = self.form(email, code_id=code_id, code=code)
        return self.client.post(f"/b/{self.shop.slug}/code", data=data)

    def confirm(self, email: str, code_id: str, **extra: str) -> Any:
        data = self.form(email, confirm="1", code_id=code_id, **extra)
        return self.client.post(f"/b/{self.shop.slug}/book", data=data, follow_redirects=False)

    def code_sent_to(self, email: str) -> str:
        self.worker.drain()
        mails = self.mailbox.to(email)
        assert mails, f"no e-mail to {email}"
        body = str(mails[-1].get_body(preferencelist=("plain",)).get_content())
        found = CODE.search(body)
        assert found, body
        return found.group(1)


@pytest.fixture
def page(
    mailing: Runtime, merchant: Merchant, clock: TestClock, smtp_server: tuple[str, Mailbox]
) -> Iterator[Page]:
    shop = Salon(merchant, clock)
    salon(merchant)  # new customers leave a deposit
    made = Page(mailing, shop, smtp_server[1], smtp_server[0])
    with made.client:
        yield made


def code_id_of(answer: Any) -> str:
    found = CODE_ID.search(answer.text)
    assert found, answer.text
    return found.group(1)


def trusted_customer(runtime: Runtime, merchant: Merchant, email: str) -> str:
    customer = merchant.customer("Ana Costa", email=email)
    make_trusted(runtime, merchant, customer["id"])
    return str(customer["id"])


def bookings_of(merchant: Merchant) -> list[dict[str, Any]]:
    found = merchant.get("/v1/bookings", params={"from": "2000-01-01T00:00:00Z"})
    return found.json()["data"]  # type: ignore[no-any-return]


def test_a_returning_customer_books_as_themselves_and_their_trust_decides_the_deposit(
    page: Page, runtime: Runtime, merchant: Merchant
) -> None:
    ana = trusted_customer(runtime, merchant, "ana.back@example.com")
    asked = page.ask("Ana.Back@example.com ")
    assert asked.status_code == 200, asked.text
    # Until the code is back, the deposit is a newcomer's.
    assert "A deposit of €6.00 is needed" in asked.text
    assert 'data-testid="code-sent"' in asked.text
    code_id = code_id_of(asked)
    code = page.code_sent_to("Ana.Back@example.com")
    [mail] = page.mailbox.to("Ana.Back@example.com")
    assert mail["Subject"] == "Your booking code for Café Azul"
    assert "List-Unsubscribe" not in mail
    confirmed = page.type("Ana.Back@example.com", code_id, code)
    assert confirmed.status_code == 200, confirmed.text
    assert 'data-testid="code-confirmed"' in confirmed.text
    assert "No deposit needed" in confirmed.text
    done = page.confirm("Ana.Back@example.com", code_id_of(confirmed))
    assert done.status_code == 303, done.text
    [booked] = bookings_of(merchant)
    assert booked["customer_id"] == ana
    assert booked["deposit"]["required"] is False
    assert [c["id"] for c in merchant.get("/v1/customers").json()["data"]] == [ana]


def test_asking_for_a_code_looks_the_same_for_a_customer_and_a_stranger(
    page: Page, runtime: Runtime, merchant: Merchant
) -> None:
    trusted_customer(runtime, merchant, "known@example.com")
    known = page.ask("known@example.com")
    stranger = page.ask("stranger@example.com")
    assert known.status_code == stranger.status_code == 200

    def shape(answer: Any, email: str) -> str:
        html = answer.text.replace(email, "EMAIL")
        html = CODE_ID.sub('name="code_id" value="ID"', html)
        html = ATTEMPT.sub('name="attempt" value="KEY"', html)  # a fresh one per page
        return GUARD.sub('name="csrf_token" value="GUARD"', html)

    assert shape(known, "known@example.com") == shape(stranger, "stranger@example.com")
    page.worker.drain()
    [to_known] = page.mailbox.to("known@example.com")
    [to_stranger] = page.mailbox.to("stranger@example.com")
    assert to_known["Subject"] == to_stranger["Subject"]

    def body(mail: Any) -> str:
        return CODE.sub("CODE", str(mail.get_body(preferencelist=("plain",)).get_content()))

    assert body(to_known) == body(to_stranger)


def test_a_stranger_who_confirms_books_as_a_new_customer_with_that_email(
    page: Page, merchant: Merchant
) -> None:
    code_id = code_id_of(page.ask("new.here@example.com"))
    confirmed = page.type(
        "new.here@example.com", code_id, page.code_sent_to("new.here@example.com")
    )
    assert "A deposit of €6.00 is needed" in confirmed.text  # a newcomer still
    done = page.confirm("new.here@example.com", code_id, card=GOOD)
    assert done.status_code == 303, done.text
    [customer] = merchant.get("/v1/customers").json()["data"]
    assert customer["email"] == "new.here@example.com"
    assert bookings_of(merchant)[0]["customer_id"] == customer["id"]


def test_five_wrong_codes_spend_it_and_the_right_one_then_fails(page: Page) -> None:
    code_id = code_id_of(page.ask("ana.typo@example.com"))
    right = page.code_sent_to("ana.typo@example.com")
    wrong = "000 000" if right != "000 000" else "111 111"
    first = page.type("ana.typo@example.com", code_id, wrong)
    assert first.status_code == 422
    assert "You can try 4 more times." in first.text
    for _ in range(4):
        last = page.type("ana.typo@example.com", code_id, wrong)
    assert "This code no longer works. Ask for a new one." in last.text
    again = page.type("ana.typo@example.com", code_id, right)
    assert 'data-testid="code-confirmed"' not in again.text
    assert "This code no longer works." in again.text


def test_a_code_sent_empty_is_asked_for_and_spends_no_try(page: Page) -> None:
    code_id = code_id_of(page.ask("ana.blank@example.com"))
    for blank in ("", "   "):
        for _ in range(5):  # as many as the tries a code has
            asked = page.type("ana.blank@example.com", code_id, blank)
            assert asked.status_code == 422
            assert "Type the code from the e-mail." in asked.text
            assert 'name="code_id" value="' + code_id + '"' in asked.text  # still to type
    right = page.code_sent_to("ana.blank@example.com")
    data = page.form("ana.blank@example.com", code_id=code_id, code="")
    portuguese = page.client.post(
        f"/b/{page.shop.slug}/code", data=data, headers={"Accept-Language": "pt-PT"}
    )
    assert "Escreva o código que recebeu por e-mail." in portuguese.text
    confirmed = page.type("ana.blank@example.com", code_id, right)
    assert 'data-testid="code-confirmed"' in confirmed.text


def test_a_code_expires_after_ten_minutes(page: Page, clock: TestClock) -> None:
    code_id = code_id_of(page.ask("ana.late@example.com"))
    code = page.code_sent_to("ana.late@example.com")
    clock.advance(minutes=11)
    late = page.type("ana.late@example.com", code_id, code)
    assert "This code no longer works." in late.text
    assert 'data-testid="code-confirmed"' not in late.text


def test_a_confirmed_code_makes_one_booking_only(
    page: Page, runtime: Runtime, merchant: Merchant
) -> None:
    trusted_customer(runtime, merchant, "ana.once@example.com")
    code_id = code_id_of(page.ask("ana.once@example.com"))
    page.type("ana.once@example.com", code_id, page.code_sent_to("ana.once@example.com"))
    assert page.confirm("ana.once@example.com", code_id).status_code == 303
    page.when = page.shop.at(page.shop.day(5), "10:00")
    again = page.confirm("ana.once@example.com", code_id)
    assert again.status_code == 200, again.text
    assert "confirmation ran out. Ask for a new code." in again.text
    assert len(bookings_of(merchant)) == 1


def test_a_confirmation_counts_only_for_the_email_it_was_sent_to(page: Page) -> None:
    code_id = code_id_of(page.ask("ana.mine@example.com"))
    page.type("ana.mine@example.com", code_id, page.code_sent_to("ana.mine@example.com"))
    swapped = page.confirm("someone.else@example.com", code_id)
    assert swapped.status_code == 200
    assert "confirmation ran out." in swapped.text


def test_codes_are_limited_per_email_the_same_for_anyone(
    page: Page, runtime: Runtime, merchant: Merchant
) -> None:
    trusted_customer(runtime, merchant, "ana.many@example.com")
    for email in ("ana.many@example.com", "nobody.many@example.com"):
        for _ in range(3):
            assert page.ask(email).status_code == 200
        refused = page.ask(email)
        assert refused.status_code == 429, refused.text
        assert "Too many codes were asked for just now." in refused.text
    page.worker.drain()
    assert len(page.mailbox.to("ana.many@example.com")) == 3
    assert len(page.mailbox.to("nobody.many@example.com")) == 3


def test_codes_are_limited_per_address(page: Page) -> None:
    for n in range(10):
        assert page.ask(f"guest{n}@example.com").status_code == 200
    refused = page.ask("guest10@example.com")
    assert refused.status_code == 429
    page.worker.drain()
    assert page.mailbox.to("guest10@example.com") == []


def test_the_code_is_stored_nowhere(page: Page) -> None:
    code_id = code_id_of(page.ask("ana.secret@example.com"))
    code = page.code_sent_to("ana.secret@example.com").replace(" ", "")
    with page.rt.engine.connect() as conn:
        rows = [
            *conn.execute(
                text("SELECT * FROM booking_codes WHERE merchant_id = :m"),
                {"m": page.shop.merchant.id},
            ),
            *conn.execute(
                text("SELECT * FROM messages WHERE merchant_id = :m"),
                {"m": page.shop.merchant.id},
            ),
        ]
    assert rows and code_id in str(rows)
    assert code not in str(rows)


def test_without_email_the_option_is_not_offered(merchant: Merchant, clock: TestClock) -> None:
    shop = Salon(merchant, clock)
    page = shop.merchant.client.get(f"/b/{shop.slug}", params={"service": shop.cut["id"]})
    assert 'name="returning"' not in page.text
    guard = GUARD.search(page.text)
    assert guard
    forged = shop.merchant.client.post(
        f"/b/{shop.slug}/book",
        data={
            "csrf_token": guard.group(1),
            "service": shop.cut["id"],
            "starts_at": shop.at(shop.day(3), "10:00"),
            "name": "Ana Costa",
            "email": "ana.forged@example.com",
            "returning": "1",
        },
    )
    assert forged.status_code == 200
    assert 'name="code"' not in forged.text
    assert merchant.get("/v1/messages").json()["data"] == []


def test_the_option_is_offered_with_email(page: Page) -> None:
    shown = page.client.get(f"/b/{page.shop.slug}", params={"service": page.shop.cut["id"]})
    assert 'name="returning"' in shown.text
    assert "I have been here before" in shown.text


def test_the_code_email_speaks_the_merchants_language(page: Page, merchant: Merchant) -> None:
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    page.ask("ana.pt@example.com")
    page.worker.drain()
    [mail] = page.mailbox.to("ana.pt@example.com")
    assert mail["Subject"] == "Café Azul: o seu código de marcação"
    body = str(mail.get_body(preferencelist=("plain",)).get_content())
    assert "Funciona durante 10 minutos, uma vez." in body


def test_staff_see_the_code_email_among_the_messages_but_cannot_turn_it_off(
    page: Page, merchant: Merchant
) -> None:
    page.ask("ana.listed@example.com")
    page.worker.drain()
    [listed] = merchant.get("/v1/messages").json()["data"]
    assert (listed["kind"], listed["status"]) == ("booking_code", "sent")
    kinds = merchant.get("/v1/merchant/messages").json()["kinds"]
    assert "booking_code" not in kinds
    refused = merchant.post("/v1/merchant/messages", {"kinds": {"booking_code": False}})
    assert refused.status_code == 422


def test_a_confirmed_code_is_not_confirmed_again_by_a_wrong_one(page: Page) -> None:
    code_id = code_id_of(page.ask("ana.twice@example.com"))
    right = page.code_sent_to("ana.twice@example.com")
    assert 'data-testid="code-confirmed"' in page.type("ana.twice@example.com", code_id, right).text
    wrong = "000 000" if right != "000 000" else "111 111"
    again = page.type("ana.twice@example.com", code_id, wrong)
    assert 'data-testid="code-confirmed"' not in again.text
    assert again.status_code == 422


def test_a_declined_card_leaves_the_confirmation_to_book_again(
    page: Page, merchant: Merchant
) -> None:
    code_id = code_id_of(page.ask("ana.card@example.com"))
    page.type("ana.card@example.com", code_id, page.code_sent_to("ana.card@example.com"))
    declined = page.confirm("ana.card@example.com", code_id, card="4000000000000002")
    assert declined.status_code == 402, declined.text
    assert 'data-testid="code-confirmed"' in declined.text
    assert [b for b in bookings_of(merchant) if b["status"] == "confirmed"] == []
    done = page.confirm("ana.card@example.com", code_id, card=GOOD)
    assert done.status_code == 303, done.text
    assert [b["status"] for b in bookings_of(merchant)].count("confirmed") == 1
