"""A NUL character typed into a page form (or sent by a bot) is refused like
any other bad entry: the form's page again, the refusal said in the reader's
language, nothing written. Never the API's JSON; on SQLite never stored.

Each console form and the sign-in page (the customer's tab page and the
booking pages: ``test_customer_pages_nul``); and, should a value still reach
the database and be refused there under a page's address, a page in the
reader's language."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from functools import cached_property
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DataError

from servefirst.customers import service as customers_service
from servefirst.db.base import Base
from servefirst.runtime import Runtime
from servefirst.staff import console
from servefirst.staff import service as staff
from servefirst.web import customer as customer_page
from tests.conftest import Merchant
from tests.integration.test_pages_staff import PASSWORD, Staff, https_client, new_staff

__all__ = ["https_client", "new_staff"]  # the console's fixtures

NUL = "\x00"
SAID = (
    "Something sent with this form holds a character that cannot be kept (a NUL character). "
    "Nothing was changed: type it again and send it."
)
SAID_PT = (
    "Algo enviado com este formulário contém um carácter que não pode ser guardado (um carácter "
    "NUL). Nada foi alterado: escreva-o de novo e envie."
)


def everything_of(runtime: Runtime, merchant_id: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row the merchant has, table by table (the staff's signed-in
    sessions left out: a page view touches them)."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with runtime.uow(merchant_id, write=False) as uow:
        for table in Base.metadata.sorted_tables:
            if "merchant_id" not in table.c or table.name in {"staff_sessions"}:
                continue
            found = uow.session.execute(select(table).where(table.c.merchant_id == merchant_id))
            rows[table.name] = sorted((tuple(map(repr, row)) for row in found), key=repr)
    return rows


class Cafe:
    """A café with its owner signed in; what a form is about is made when asked for."""

    def __init__(self, runtime: Runtime, merchant: Merchant, owner: Staff) -> None:
        self.runtime = runtime
        self.merchant = merchant
        self.owner = owner

    @cached_property
    def service(self) -> str:
        return str(self.merchant.service("Flat white", price=380)["id"])

    @cached_property
    def customer(self) -> str:
        return str(self.merchant.customer("Rita Lopes", email="rita@example.com")["id"])

    @cached_property
    def other_customer(self) -> str:
        return str(self.merchant.customer("Rita M. Lopes")["id"])

    @cached_property
    def open(self) -> str:
        tab = self.merchant.tab(self.customer)
        added = self.merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": self.service})
        assert added.status_code == 200, added.text
        return str(tab["id"])

    @cached_property
    def served_tab(self) -> dict[str, Any]:
        return self.merchant.served_tab(1000)

    @cached_property
    def served(self) -> str:
        return str(self.served_tab["id"])

    @cached_property
    def concern(self) -> str:
        raised = self.merchant.client.post(
            f"/v1/public/tabs/{self.served_tab['token']}/concerns",
            json={"reason": "The milk was cold", "remedy": "waive"},
        )
        assert raised.status_code == 201, raised.text
        return str(raised.json()["id"])

    @cached_property
    def paid(self) -> str:
        tab = self.merchant.served_tab(500)
        cash = self.merchant.post(
            f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 500}
        )
        assert cash.status_code in (200, 201), cash.text
        return str(tab["id"])

    @cached_property
    def payment(self) -> str:
        tab = self.merchant.get(f"/v1/tabs/{self.paid}/payments").json()
        return str(tab["data"][0]["id"])

    @cached_property
    def member(self) -> str:
        with self.runtime.uow(self.merchant.id) as uow:
            made = staff.create_member(uow, name="Sofia Marques", commission_bps=0)
            uow.commit()
            return str(made.staff_id)

    @cached_property
    def booking(self) -> str:
        # The runtime's clock, not the wall's: other tests move the shared test clock.
        starts = self.runtime.clock.now().replace(microsecond=0) + timedelta(days=2)
        made = self.merchant.post(
            "/v1/bookings",
            {
                "customer_id": self.customer,
                "service_id": self.service,
                "starts_at": starts.isoformat(),
                "staff_id": self.member,
            },
        )
        assert made.status_code == 201, made.text
        return str(made.json()["id"])

    def address(self, path: str) -> str:
        """``path`` with its ``{...}`` made: ``/staff/tabs/{open}/lines``."""
        names = [part.split("}")[0] for part in path.split("{")[1:]]
        return path.format(**{name: getattr(self, name) for name in names})


@pytest.fixture
def cafe(runtime: Runtime, merchant: Merchant, new_staff: Callable[..., Staff]) -> Iterator[Cafe]:
    owner = new_staff(merchant, role="owner", access="owner")
    assert owner.sign_in().status_code == 200
    yield Cafe(runtime, merchant, owner)


#: Each console form that takes text, what it is sent with, and the fields a
#: NUL is put in (one at a time).
CONSOLE_FORMS: list[tuple[str, dict[str, str], list[str]]] = [
    (
        "/staff/customers",
        {"name": "Eva", "email": "eva@example.com"},
        ["name", "email", "phone", "attempt"],
    ),
    (
        "/staff/customers/{customer}/merge",
        {"into": "{other_customer}", "confirm": "yes", "q": "Rita"},
        ["into", "q"],
    ),
    (
        "/staff/tabs/{served}/concerns/{concern}",
        {"decision": "approve", "amount": "1.00", "reason": "Fair"},
        ["decision", "amount", "reason", "unfounded"],
    ),
    (
        "/staff/tabs/{served}/cash",
        {"amount": "1.00", "tip": "0"},
        ["amount", "tip", "payments_seen"],
    ),
    (
        "/staff/tabs/{served}/invoice",
        {"terms": "Within a week", "due_date": "2030-01-31"},
        ["terms", "due_date"],
    ),
    (
        "/staff/tabs/{open}/lines",
        {"service_id": "{service}", "quantity": "1"},
        ["service_id", "quantity", "staff_id"],
    ),
    ("/staff/tabs/{open}/lines/1/void", {"reason": "Rang up twice"}, ["reason"]),
    (
        "/staff/tabs/{paid}/payments/{payment}/refund",
        {"amount": "1.00", "tip": "", "reason": "Cold coffee"},
        ["amount", "tip", "reason", "refunds_seen"],
    ),
    (
        "/staff/tabs/{open}/counter/prepaid",
        {"service_id": "{service}", "quantity": "1", "method": "cash"},
        ["service_id", "quantity", "method"],
    ),
    (
        "/staff/tabs/{open}/counter/lines",
        {"service_id": "{service}", "quantity": "1"},
        ["service_id", "quantity"],
    ),
    (
        "/staff/tabs/{open}/counter/payment",
        {"amount": "1.00", "method": "cash"},
        ["amount", "method"],
    ),
    (
        "/staff/bookings/day",
        {
            "customer": "Rita Lopes",
            "service_id": "{service}",
            "date": "2030-01-10",
            "time": "10:00",
        },
        ["customer", "service_id", "date", "time", "staff_id", "card"],
    ),
    (
        "/staff/bookings/{booking}/move",
        {"date": "2030-01-11", "time": "11:00"},
        ["date", "time", "staff_id", "back"],
    ),
    ("/staff/bookings/{booking}/cancel-from-day", {"by": "customer"}, ["by", "back"]),
    ("/staff/bookings/{booking}/no-show", {}, ["back"]),
    ("/staff/bookings/{booking}/cancel", {"by": "customer"}, ["by", "back"]),
    (
        "/staff/bookings/hours",
        {"staff": "{member}", "day.mon": "09:00-17:00"},
        ["staff", "day.mon", "exceptions", "services"],
    ),
    (
        "/staff/services",
        {"name": "Cortado", "price": "1.50", "expected_results": "A small coffee", "limits": ""},
        ["name", "price", "duration_minutes", "expected_results", "limits"],
    ),
    (
        "/staff/services/{service}",
        {"name": "Flat white", "price": "3.80", "expected_results": "Double shot"},
        ["name", "limits"],
    ),
    ("/staff/tax-rates", {"name": "IVA reduzido", "percent": "6"}, ["name", "percent"]),
    (
        "/staff/policies/deposit",
        {"enabled": "yes", "percent": "20", "mode": "custom"},
        ["percent", "minimum"],
    ),
    (
        "/staff/policies/guarantee",
        {"auto_approve_percent": "10", "over_limit": "review"},
        ["auto_approve_percent", "claim_limit"],
    ),
    ("/staff/policies/earnings", {"bonus_percent": "5"}, ["bonus_percent"]),
    (
        "/staff/policies/loyalty",
        {"kind": "visits", "visits_per_reward": "10"},
        ["kind", "visits_per_reward", "amount", "service_id", "expires_after_days"],
    ),
    ("/staff/policies/trust", {"trusted_min_paid_visits": "3"}, ["trusted_min_paid_visits"]),
    ("/staff/close-day", {"date": "", "opening_float": "50"}, ["date", "opening_float"]),
    ("/staff/reports/exports/codes", {"account.cash": "1100"}, ["account.cash"]),
    ("/staff/debtors/{served}/overdue", {"reason": "Called twice"}, ["reason"]),
    ("/staff/debtors/{served}/write-off", {"reason": "Moved away", "confirm": "yes"}, ["reason"]),
    (
        "/staff/messages/settings",
        {"sender": "cafe@example.com"},
        ["sender", "reminder_days", "quiet_start"],
    ),
    (
        "/staff/settings/payments/stripe",
        {"publishable_key": "pk_test_1", "secret_key": "sk_test_1", "webhook_secret": "whsec_1"},
        ["publishable_key", "secret_key", "webhook_secret"],
    ),
    ("/staff/settings/language", {"language": "pt"}, ["language"]),
    ("/staff/settings/phone", {"phone": "+351 210 000 000"}, ["phone"]),
    (
        "/staff/settings/password",
        {
            "current_password": PASSWORD,
            "new_password": "green tea at noon 7",
            "confirm_password": "green tea at noon 7",
        },
        ["current_password", "new_password", "confirm_password"],
    ),
    ("/staff/team/{member}/leave", {"confirm": "yes"}, ["confirm"]),
]

#: Forms that mark the refused field, and how the field starts.
MARKED = {
    ("/staff/tabs/{open}/lines/1/void", "reason"): 'name="reason"',
    ("/staff/tabs/{paid}/payments/{payment}/refund", "reason"): '-reason" name="reason"',
    ("/staff/tabs/{paid}/payments/{payment}/refund", "amount"): '-amount" name="amount"',
    ("/staff/messages/settings", "sender"): 'id="sender"',
    ("/staff/messages/settings", "reminder_days"): 'id="reminder_days"',
    ("/staff/settings/payments/stripe", "secret_key"): 'id="secret_key"',
    ("/staff/settings/payments/stripe", "publishable_key"): 'id="publishable_key"',
    ("/staff/settings/phone", "phone"): 'id="phone"',
    ("/staff/settings/password", "current_password"): 'id="current_password"',
    ("/staff/settings/password", "new_password"): 'id="new_password"',
    ("/staff/settings/password", "confirm_password"): 'id="confirm_password"',
}

CASES = [
    pytest.param(path, sent, field, id=f"{path}:{field}")
    for path, sent, fields in CONSOLE_FORMS
    for field in fields
]


def a_refusal(response: Any) -> str:
    """The page again with the refusal: HTML, a 4xx, never JSON."""
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("text/html"), response.text[:300]
    return str(response.text)


@pytest.mark.parametrize(("path", "sent", "field"), CASES)
def test_a_nul_in_a_console_form_gives_the_form_back_and_keeps_nothing(
    cafe: Cafe, path: str, sent: dict[str, str], field: str
) -> None:
    address = cafe.address(path)
    data = {name: cafe.address(value) for name, value in sent.items()}
    before = everything_of(cafe.runtime, cafe.merchant.id)
    page = a_refusal(cafe.owner.post(address, {**data, field: f"a{NUL}b"}))
    assert SAID in page
    if (path, field) in MARKED:  # forms that mark the field refused: it is this one
        assert 'aria-invalid="true"' in page.split(MARKED[path, field], 1)[1].split(">", 1)[0]
    assert everything_of(cafe.runtime, cafe.merchant.id) == before


def test_a_nul_in_the_console_is_refused_in_the_members_portuguese(cafe: Cafe) -> None:
    chosen = cafe.owner.post("/staff/settings/language", {"language": "pt"})
    assert chosen.status_code == 200, chosen.text
    before = everything_of(cafe.runtime, cafe.merchant.id)
    page = a_refusal(cafe.owner.post("/staff/customers", {"name": f"Eva{NUL}"}))
    assert SAID_PT in page and SAID not in page
    assert everything_of(cafe.runtime, cafe.merchant.id) == before


@pytest.mark.parametrize("field", ["email", "password"])
def test_a_nul_at_sign_in_gives_the_sign_in_page_back_without_a_session(
    cafe: Cafe, new_staff: Callable[..., Staff], field: str
) -> None:
    person = new_staff(cafe.merchant)
    typed = {"email": person.email, "password": PASSWORD, field: f"a{NUL}b"}
    answer = person.sign_in(**typed)
    page = a_refusal(answer)
    assert SAID in page and 'name="password"' in page
    assert "sf_staff" not in answer.cookies


# --- the last line of defence ------------------------------------------------


def _refused_by_the_database(*_: Any, **__: Any) -> Any:
    raise DataError("SELECT", {}, ValueError("PostgreSQL text fields cannot contain NUL"))


def test_a_value_the_database_refuses_under_a_page_is_a_page_in_the_readers_language(
    cafe: Cafe, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console, "customer_book", _refused_by_the_database)
    english = cafe.owner.get("/staff/customers")
    assert english.status_code == 422
    assert english.headers["content-type"].startswith("text/html")
    assert "Something sent with this page cannot be kept" in english.text
    assert "Back to the console" in english.text
    # In the member's language, as the console speaks (not the browser's).
    assert cafe.owner.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    portuguese = cafe.owner.get("/staff/customers", headers={"Accept-Language": "en-GB"})
    assert portuguese.status_code == 422
    assert "Algo enviado com esta página não pode ser guardado" in portuguese.text
    # The customer's pages say it in their own layout.
    monkeypatch.setattr(customer_page, "read_tab_and_sale", _refused_by_the_database)
    tab = cafe.merchant.tab()
    on_the_tab = cafe.merchant.client.get(f"/t/{tab['token']}")
    assert on_the_tab.status_code == 422
    assert "Something sent with this page cannot be kept" in on_the_tab.text
    # The API keeps its contract's answer.
    monkeypatch.setattr(customers_service, "search_customers", _refused_by_the_database)
    api = cafe.merchant.get("/v1/customers?q=Rita")
    assert api.status_code == 422
    assert api.json()["error"]["code"] == "parameter_invalid"


def test_a_nul_in_a_console_search_is_answered_with_a_page(cafe: Cafe) -> None:
    found = cafe.owner.get("/staff/customers", params={"q": f"Rita{NUL}"})
    assert found.headers["content-type"].startswith("text/html"), found.text[:300]
