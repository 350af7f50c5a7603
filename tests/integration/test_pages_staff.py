"""The staff console over HTTP: sign-in, CSRF, sessions and every counter action.

The client speaks https (``Secure`` cookies are only sent over it) and each
test comes from its own address, so the per-address sign-in limit of one test
never spills into another.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from servefirst.customers.models import Customer
from servefirst.runtime import Runtime
from servefirst.staff import service as staff
from servefirst.staff.models import StaffAccount, StaffSession
from servefirst.staff.rules import EMAIL_FAILURE_LIMIT, IP_FAILURE_LIMIT
from tests.conftest import Merchant, TestClock

PASSWORD = "steamed milk 42"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Staff:
    """A browser at the counter: a client with its own address and cookie jar."""

    def __init__(self, client: TestClient, merchant: Merchant, email: str) -> None:
        self.client = client
        self.merchant = merchant
        self.email = email
        self.csrf = ""

    def sign_in(self, password: str = PASSWORD, **extra: str) -> Any:
        page = self.client.get("/staff")
        token = CSRF.search(page.text)
        assert token, page.text
        response = self.client.post(
            "/staff/sign-in",
            data={"email": self.email, "password": password, "csrf_token": token.group(1), **extra},
        )
        found = CSRF.search(response.text)
        if response.status_code == 200 and found:
            self.csrf = found.group(1)
        return response

    def post(self, path: str, data: dict[str, str] | None = None, **kwargs: Any) -> Any:
        return self.client.post(path, data={"csrf_token": self.csrf, **(data or {})}, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, **kwargs)


@pytest.fixture
def https_client(app: Any) -> Callable[[], TestClient]:
    opened: list[TestClient] = []

    def make() -> TestClient:
        address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
        client = TestClient(
            app, base_url="https://testserver", raise_server_exceptions=False, client=(address, 5)
        )
        opened.append(client)
        return client

    yield make  # type: ignore[misc]
    for client in opened:
        client.close()


@pytest.fixture
def new_staff(
    runtime: Runtime, https_client: Callable[[], TestClient]
) -> Callable[[Merchant], Staff]:
    def make(merchant: Merchant, role: str = "staff", access: str | None = None) -> Staff:
        email = f"ana.{secrets.token_hex(4)}@azul.example"
        with runtime.uow(merchant.id) as uow:
            staff.create_staff(
                uow, email=email, password=PASSWORD, name="Ana Sousa", role=role, access=access
            )
            uow.commit()
        return Staff(https_client(), merchant, email)

    return make


@pytest.fixture
def at_counter(merchant: Merchant, new_staff: Callable[[Merchant], Staff]) -> Iterator[Staff]:
    """A staff member of ``merchant``, signed in."""
    person = new_staff(merchant)
    response = person.sign_in()
    assert response.status_code == 200, response.text
    yield person


@pytest.fixture
def manager_at_counter(merchant: Merchant, new_staff: Callable[..., Staff]) -> Iterator[Staff]:
    """A manager of ``merchant``, signed in: may also decide concerns."""
    person = new_staff(merchant, role="head barista", access="manager")
    assert person.sign_in().status_code == 200
    yield person


def tab_status(text: str) -> str:
    found = re.search(r'id="tab-status">(\w+)<', text)
    assert found, text
    return found.group(1)


def amount_due(text: str) -> str:
    found = re.search(r'id="amount-due">([^<]+)<', text)
    assert found, text
    return found.group(1)


# --- signing in -------------------------------------------------------------


def test_sign_in_sets_a_secure_httponly_session_cookie_and_opens_the_console(
    merchant: Merchant, new_staff: Callable[[Merchant], Staff]
) -> None:
    person = new_staff(merchant)
    form = person.get("/staff")
    assert form.status_code == 200
    assert 'action="/staff/sign-in"' in form.text
    token = CSRF.search(form.text)
    assert token
    response = person.client.post(
        "/staff/sign-in",
        data={"email": person.email.upper(), "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/today?done=signed_in"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("sf_staff="))
    assert cookie.split(";")[0].removeprefix("sf_staff=").startswith(merchant.id + ".")
    flags = cookie.lower()
    for flag in ("httponly", "secure", "samesite=lax", "path=/staff", "max-age=43200"):
        assert flag in flags, cookie
    console = person.get("/staff")
    assert console.status_code == 200
    assert "Café Azul" in console.text and "Ana Sousa" in console.text
    assert "Signed in." not in console.text  # the notice was for the redirect only
    assert "Today's bookings" in console.text


@pytest.mark.parametrize("which", ["wrong password", "unknown email"])
def test_a_failed_sign_in_answers_401_without_a_session(
    which: str, merchant: Merchant, new_staff: Callable[[Merchant], Staff], runtime: Runtime
) -> None:
    person = new_staff(merchant)
    if which == "unknown email":
        person.email = "nobody." + person.email
    password = "not the password" if which == "wrong password" else PASSWORD
    response = person.sign_in(password)
    assert response.status_code == 401
    assert "do not match" in response.text
    assert "sf_staff" not in person.client.cookies
    assert _sessions(runtime, merchant.id) == 0


def test_sign_in_is_refused_with_429_after_five_failures_then_opens_again(
    merchant: Merchant, new_staff: Callable[[Merchant], Staff], clock: TestClock
) -> None:
    person = new_staff(merchant)
    for attempt in range(EMAIL_FAILURE_LIMIT):
        assert person.sign_in(f"guess number {attempt}").status_code == 401
    refused = person.sign_in()  # the right password, but too late
    assert refused.status_code == 429
    assert "Too many failed sign-ins" in refused.text
    assert "sf_staff" not in person.client.cookies
    clock.advance(minutes=16)
    assert person.sign_in().status_code == 200
    assert "Ana Sousa" in person.get("/staff").text


def test_one_address_guessing_many_emails_is_refused_with_429(
    merchant: Merchant, new_staff: Callable[[Merchant], Staff], clock: TestClock
) -> None:
    person = new_staff(merchant)
    real = person.email
    for n in range(IP_FAILURE_LIMIT):
        person.email = f"guess{n}.{real}"
        assert person.sign_in("whatever it is").status_code == 401
    person.email = real
    assert person.sign_in().status_code == 429
    clock.advance(minutes=16)
    assert person.sign_in().status_code == 200


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_sign_in_without_the_forms_csrf_token_is_403(
    token: str | None, merchant: Merchant, new_staff: Callable[[Merchant], Staff], runtime: Runtime
) -> None:
    person = new_staff(merchant)
    person.get("/staff")  # the browser has the sign-in cookie, the attacker's form not
    data = {"email": person.email, "password": PASSWORD}
    if token:
        data["csrf_token"] = token
    response = person.client.post("/staff/sign-in", data=data)
    assert response.status_code == 403
    assert _sessions(runtime, merchant.id) == 0


def test_sign_out_ends_the_session_for_good(at_counter: Staff, runtime: Runtime) -> None:
    cookie = at_counter.client.cookies.get("sf_staff")
    assert cookie and _sessions(runtime, at_counter.merchant.id) == 1
    response = at_counter.post("/staff/sign-out", follow_redirects=False)
    assert response.status_code == 303
    assert _sessions(runtime, at_counter.merchant.id) == 0
    assert 'action="/staff/sign-in"' in at_counter.get("/staff").text
    # A copy of the old cookie opens nothing.
    at_counter.client.cookies.set("sf_staff", cookie, domain="testserver", path="/staff")
    assert 'action="/staff/sign-in"' in at_counter.get("/staff").text


def test_a_session_ends_after_twelve_hours(at_counter: Staff, clock: TestClock) -> None:
    customer = at_counter.merchant.customer("Rui Lopes")
    assert at_counter.get(f"/staff/customers/{customer['id']}").status_code == 200
    clock.advance(hours=12, minutes=1)
    page = at_counter.get(f"/staff/customers/{customer['id']}", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/staff"
    assert 'action="/staff/sign-in"' in at_counter.get("/staff").text
    refused = at_counter.post(f"/staff/customers/{customer['id']}/tabs")
    assert refused.status_code == 401
    assert at_counter.merchant.get(f"/v1/tabs?customer_id={customer['id']}").json()["data"] == []


def test_console_pages_without_a_session_send_to_sign_in(
    merchant: Merchant, https_client: Callable[[], TestClient]
) -> None:
    client = https_client()
    tab = merchant.tab()
    page = client.get(f"/staff/tabs/{tab['id']}", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/staff"
    assert client.post(f"/staff/tabs/{tab['id']}/serve").status_code == 401


# --- CSRF on every change ---------------------------------------------------


@pytest.mark.parametrize("token", ["", "wrong-token"])
def test_changes_without_the_sessions_csrf_token_are_403_and_change_nothing(
    token: str, at_counter: Staff, runtime: Runtime
) -> None:
    tab = at_counter.merchant.tab()
    service = at_counter.merchant.service()
    at_counter.csrf = token
    added = at_counter.post(
        f"/staff/tabs/{tab['id']}/lines", {"service_id": service["id"], "quantity": "1"}
    )
    assert added.status_code == 403
    assert "Nothing was changed" in added.text
    created = at_counter.post("/staff/customers", {"name": "Forged Customer"})
    assert created.status_code == 403
    assert at_counter.merchant.get(f"/v1/tabs/{tab['id']}").json()["lines"] == []
    with runtime.uow(at_counter.merchant.id, write=False) as uow:
        forged = uow.session.scalar(
            select(func.count()).where(
                Customer.merchant_id == at_counter.merchant.id, Customer.name == "Forged Customer"
            )
        )
    assert forged == 0
    assert at_counter.post("/staff/sign-out").status_code == 403
    assert _sessions(runtime, at_counter.merchant.id) == 1


def test_another_sessions_csrf_token_does_not_pass(
    at_counter: Staff, new_staff: Callable[[Merchant], Staff]
) -> None:
    other = new_staff(at_counter.merchant)
    assert other.sign_in().status_code == 200
    assert other.csrf and other.csrf != at_counter.csrf
    at_counter.csrf = other.csrf
    assert at_counter.post("/staff/customers", {"name": "Mixed Up"}).status_code == 403


def test_htmx_may_send_the_csrf_token_as_a_header(at_counter: Staff) -> None:
    response = at_counter.client.post(
        "/staff/customers",
        data={"name": "Header Person"},
        headers={"X-CSRF-Token": at_counter.csrf},
    )
    assert response.status_code == 200
    assert "Header Person" in response.text


# --- the counter: customers -------------------------------------------------


def test_search_finds_customers_by_name_email_or_phone(at_counter: Staff) -> None:
    shop = at_counter.merchant
    shop.customer("Beatriz Nunes", email="bia@example.com", phone="+351 912 000 111")
    shop.customer("Carlos Dias")
    for query in ("beatriz", "BIA@EXAMPLE", "912 000"):
        page = at_counter.get("/staff/customers", params={"q": query})
        assert page.status_code == 200
        assert "Beatriz Nunes" in page.text and "Carlos Dias" not in page.text
    partial = at_counter.get(
        "/staff/customers", params={"q": "carlos"}, headers={"HX-Request": "true"}
    )
    assert partial.status_code == 200
    assert "Carlos Dias" in partial.text and "<html" not in partial.text
    none = at_counter.get("/staff/customers", params={"q": "zzz-nobody"})
    assert "No customer matches" in none.text


def test_a_page_pasted_into_the_customer_search_is_quoted_short(at_counter: Staff) -> None:
    """Quoted whole, 5,000 letters without a space made the page 47,000 px wide on a phone."""
    pasted = "x" * 5000
    page = at_counter.get("/staff/customers", params={"q": pasted})
    assert page.status_code == 200
    assert "No customer matches “xxxxxxxxxxxxxxxxxxxx…”" in page.text
    assert page.text.count(pasted) <= 1  # at most in the search field, as typed


def test_adding_a_customer_shows_their_trust(at_counter: Staff) -> None:
    page = at_counter.post(
        "/staff/customers", {"name": "Duarte Pires", "email": "duarte@example.com", "phone": ""}
    )
    assert page.status_code == 200
    assert "Customer added." in page.text
    assert "Duarte Pires" in page.text and "duarte@example.com" in page.text
    assert "tier-new" in page.text
    assert "New customer: no history here yet" in page.text


@pytest.mark.parametrize(
    ("fields", "shown"),
    [({"name": "   "}, "name"), ({"name": "Eva", "email": "not-an-email"}, "e-mail")],
)
def test_a_bad_new_customer_is_shown_with_422(
    fields: dict[str, str], shown: str, at_counter: Staff
) -> None:
    page = at_counter.post("/staff/customers", fields)
    assert page.status_code == 422
    assert f"Check {shown}" in page.text
    assert 'role="alert"' in page.text


def test_a_restricted_customer_cannot_open_a_tab_402_on_the_page(at_counter: Staff) -> None:
    shop = at_counter.merchant
    customer = shop.customer("Filipe Gomes")
    service = shop.service(price=500)
    for _ in range(2):  # two bills never paid: the tier says prepay
        tab = shop.tab(customer["id"])
        shop.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": service["id"]})
        shop.post(f"/v1/tabs/{tab['id']}/serve")
        assert shop.post(f"/v1/tabs/{tab['id']}/write-off").status_code == 200
    page = at_counter.post(f"/staff/customers/{customer['id']}/tabs")
    assert page.status_code == 402
    assert "may not pay after" in page.text
    assert "tier-restricted" in page.text
    assert "2 unpaid tabs written off" in page.text  # the factors say why


# --- the counter: a tab from open to paid -----------------------------------


def test_open_add_serve_and_take_cash_until_paid(at_counter: Staff) -> None:
    shop = at_counter.merchant
    coffee = shop.service("Flat white", price=380)
    cake = shop.service("Pastel de nata", price=150)
    customer = shop.customer("Gabriela Reis")

    opened = at_counter.post(f"/staff/customers/{customer['id']}/tabs")
    assert opened.status_code == 200 and "Tab opened." in opened.text
    tab_id = opened.url.path.rsplit("/", 1)[1]
    assert tab_status(opened.text) == "open"
    assert "tier-new" in opened.text  # the customer's tier is on the tab

    at_counter.post(f"/staff/tabs/{tab_id}/lines", {"service_id": coffee["id"], "quantity": "2"})
    added = at_counter.post(f"/staff/tabs/{tab_id}/lines", {"service_id": cake["id"]})
    assert added.status_code == 200 and "Line added." in added.text
    assert amount_due(added.text) == "€9.10"

    served = at_counter.post(f"/staff/tabs/{tab_id}/serve")
    assert served.status_code == 200 and tab_status(served.text) == "served"
    assert 'value="9.10"' in served.text  # the cash form offers what is due

    part = at_counter.post(f"/staff/tabs/{tab_id}/cash", {"amount": "5", "tip": ""})
    assert part.status_code == 200 and tab_status(part.text) == "served"
    assert amount_due(part.text) == "€4.10"
    paid = at_counter.post(f"/staff/tabs/{tab_id}/cash", {"amount": "4,10", "tip": "0.90"})
    assert paid.status_code == 200
    assert tab_status(paid.text) == "paid" and amount_due(paid.text) == "€0.00"
    assert "Record cash" not in paid.text

    api = shop.get(f"/v1/tabs/{tab_id}").json()
    assert api["status"] == "paid"
    assert [(line["quantity"], line["amount"]) for line in api["lines"]] == [(2, 760), (1, 150)]
    assert api["paid"] == 910 and api["tips"] == 90
    balances = shop.balances()
    assert balances["cash"] == 1000 and balances["receivables"] == 0


def test_the_staff_member_is_recorded_on_the_lines_they_add(
    at_counter: Staff, runtime: Runtime
) -> None:
    from servefirst.tabs.models import TabLine

    tab = at_counter.merchant.tab()
    service = at_counter.merchant.service()
    at_counter.post(f"/staff/tabs/{tab['id']}/lines", {"service_id": service["id"]})
    with runtime.uow(at_counter.merchant.id, write=False) as uow:
        staff_ids = list(
            uow.session.scalars(
                select(TabLine.staff_id).where(
                    TabLine.merchant_id == at_counter.merchant.id, TabLine.tab_id == tab["id"]
                )
            )
        )
    assert len(staff_ids) == 1 and staff_ids[0] is not None and staff_ids[0].startswith("stf_")


@pytest.mark.parametrize(
    ("path", "fields", "status", "message"),
    [
        ("serve", {}, 409, "Add what was served"),
        ("lines", {"service_id": "svc_nope"}, 404, "There is no such service."),
        ("lines", {"service_id": "", "quantity": "1"}, 422, "Choose what was served"),
        ("lines", {"service_id": "{service}", "quantity": "two"}, 422, "whole number"),
        ("lines", {"service_id": "{service}", "quantity": "0"}, 422, "quantity"),
        ("cash", {"amount": "1.00"}, 409, "Nothing is owed"),
    ],
)
def test_refusals_on_a_tab_are_shown_on_the_tab_with_their_status(
    path: str, fields: dict[str, str], status: int, message: str, at_counter: Staff
) -> None:
    tab = at_counter.merchant.tab()
    service = at_counter.merchant.service()
    data = {k: v.replace("{service}", service["id"]) for k, v in fields.items()}
    page = at_counter.post(f"/staff/tabs/{tab['id']}/{path}", data)
    assert page.status_code == status, page.text
    assert message in page.text
    assert tab_status(page.text) == "open"  # the tab is shown again, unchanged
    assert at_counter.merchant.get(f"/v1/tabs/{tab['id']}").json()["lines"] == []


@pytest.mark.parametrize(
    ("amount", "tip", "message"),
    [
        ("9.99", "", "more than the"),
        ("abc", "", "not an amount"),
        ("1.005", "", "decimals"),
        ("1", "-1", "negative"),
    ],
)
def test_bad_cash_is_refused_with_422_and_nothing_is_taken(
    amount: str, tip: str, message: str, at_counter: Staff
) -> None:
    tab = at_counter.merchant.served_tab(380)
    page = at_counter.post(f"/staff/tabs/{tab['id']}/cash", {"amount": amount, "tip": tip})
    assert page.status_code == 422
    assert message in page.text
    assert at_counter.merchant.get(f"/v1/tabs/{tab['id']}").json()["paid"] == 0


def test_an_empty_tab_can_be_voided(at_counter: Staff) -> None:
    tab = at_counter.merchant.tab()
    page = at_counter.get(f"/staff/tabs/{tab['id']}")
    assert "Void tab" in page.text
    voided = at_counter.post(f"/staff/tabs/{tab['id']}/void")
    assert voided.status_code == 200 and tab_status(voided.text) == "void"
    assert at_counter.merchant.get(f"/v1/tabs/{tab['id']}").json()["status"] == "void"


def test_a_tab_with_lines_offers_no_void(at_counter: Staff) -> None:
    tab = at_counter.merchant.served_tab(380)
    assert "Void tab" not in at_counter.get(f"/staff/tabs/{tab['id']}").text
    refused = at_counter.post(f"/staff/tabs/{tab['id']}/void")
    assert refused.status_code == 409


def test_find_a_tab_by_its_short_code(at_counter: Staff) -> None:
    tab = at_counter.merchant.tab()
    found = at_counter.get("/staff/find", params={"code": tab["short_code"].lower()})
    assert found.status_code == 200
    assert found.url.path == f"/staff/tabs/{tab['id']}"
    missing = at_counter.get("/staff/find", params={"code": "ZZZZZZ"})
    assert missing.status_code == 404
    assert "No tab has the code" in missing.text


def test_finding_a_tab_with_no_code_typed_asks_for_the_code(at_counter: Staff) -> None:
    at_counter.merchant.tab()
    for typed in ("", "   "):
        empty = at_counter.get("/staff/find", params={"code": typed})
        assert empty.status_code == 422
        assert "Type the tab&#39;s code" in empty.text
        assert "No tab has the code" not in empty.text


def test_running_tabs_are_listed_on_the_console(at_counter: Staff) -> None:
    shop = at_counter.merchant
    served = shop.served_tab(380)
    home = at_counter.get("/staff")
    assert served["short_code"] in home.text
    assert "€3.80 due" in home.text


# --- concerns -----------------------------------------------------------------


def _pending_concern(shop: Merchant) -> tuple[dict[str, Any], dict[str, Any]]:
    tab = shop.served_tab(1000)
    raised = shop.client.post(
        f"/v1/public/tabs/{tab['token']}/concerns",
        json={"reason": "The hair colour is not what we agreed", "remedy": "waive"},
    )
    assert raised.status_code == 201, raised.text
    concern = raised.json()
    assert concern["status"] == "pending"
    return tab, concern


def test_a_pending_concern_is_listed_and_approved_with_an_amount(manager_at_counter: Staff) -> None:
    tab, concern = _pending_concern(manager_at_counter.merchant)
    home = manager_at_counter.get("/staff")
    assert "Concerns waiting" in home.text and "hair colour" in home.text
    page = manager_at_counter.post(
        f"/staff/tabs/{tab['id']}/concerns/{concern['id']}",
        {"decision": "approve", "amount": "4.00"},
    )
    assert page.status_code == 200
    assert "Concern approved" in page.text
    assert amount_due(page.text) == "€6.00"
    after = manager_at_counter.merchant.get(f"/v1/tabs/{tab['id']}").json()
    assert after["adjustments"] == 400
    assert "hair colour" not in manager_at_counter.get("/staff").text  # no longer waiting


def test_a_discount_refused_stays_typed_beside_its_field(manager_at_counter: Staff) -> None:
    """The discount field sits at the foot of a long tab page: its refusal is said
    there, with what was typed, not above the page out of sight."""
    tab, concern = _pending_concern(manager_at_counter.merchant)
    field = f"concern-{concern['id']}-amount"
    for typed, words in (("99", "more than the"), ("abc", "is not an amount")):
        page = manager_at_counter.post(
            f"/staff/tabs/{tab['id']}/concerns/{concern['id']}",
            {"decision": "approve", "amount": typed},
        )
        assert page.status_code == 422, typed
        beside = re.search(
            rf'<p class="field-error" role="alert" id="{field}-error">([^<]*)</p>', page.text
        )
        assert beside and words in beside.group(1), (typed, page.text[-2000:])
        assert f'value="{typed}" aria-invalid="true" aria-describedby="{field}-error"' in page.text
        assert 'class="flash flash-error"' not in page.text
    assert manager_at_counter.merchant.get(f"/v1/tabs/{tab['id']}").json()["adjustments"] == 0


def test_a_concern_rejected_as_unfounded_lowers_trust(manager_at_counter: Staff) -> None:
    tab, concern = _pending_concern(manager_at_counter.merchant)
    page = manager_at_counter.post(
        f"/staff/tabs/{tab['id']}/concerns/{concern['id']}",
        {"decision": "reject", "unfounded": "on"},
    )
    assert page.status_code == 200 and "Concern rejected" in page.text
    assert amount_due(page.text) == "€10.00"
    customer = manager_at_counter.merchant.get(f"/v1/customers/{tab['customer_id']}").json()
    assert any("rejected" in factor for factor in customer["trust"]["factors"])
    again = manager_at_counter.post(
        f"/staff/tabs/{tab['id']}/concerns/{concern['id']}", {"decision": "approve"}
    )
    assert again.status_code == 409 and "already rejected" in again.text


def test_a_concern_decision_must_be_approve_or_reject(manager_at_counter: Staff) -> None:
    tab, concern = _pending_concern(manager_at_counter.merchant)
    page = manager_at_counter.post(
        f"/staff/tabs/{tab['id']}/concerns/{concern['id']}", {"decision": "maybe"}
    )
    assert page.status_code == 422
    assert manager_at_counter.merchant.get(f"/v1/tabs/{tab['id']}").json()["adjustments"] == 0


def test_staff_see_a_concern_but_a_manager_decides_it(
    at_counter: Staff, manager_at_counter: Staff
) -> None:
    tab, concern = _pending_concern(at_counter.merchant)
    page = at_counter.get(f"/staff/tabs/{tab['id']}")
    assert "hair colour" in page.text and "Waiting for a manager" in page.text
    assert f"/concerns/{concern['id']}" not in page.text
    refused = at_counter.post(
        f"/staff/tabs/{tab['id']}/concerns/{concern['id']}", {"decision": "approve"}
    )
    assert refused.status_code == 403
    assert "Not allowed" in refused.text and "needs manager access" in refused.text
    assert at_counter.merchant.get(f"/v1/tabs/{tab['id']}").json()["adjustments"] == 0
    assert "Approve" in manager_at_counter.get(f"/staff/tabs/{tab['id']}").text


# --- another merchant's things ----------------------------------------------


def test_another_merchants_tab_and_customer_are_404_and_untouched(
    at_counter: Staff, new_merchant: Callable[..., Merchant]
) -> None:
    other = new_merchant("Salão Rosa")
    tab = other.tab()
    service = other.service()
    for path in (f"/staff/tabs/{tab['id']}", f"/staff/customers/{tab['customer_id']}"):
        page = at_counter.get(path)
        assert page.status_code == 404, path
        assert "Not found" in page.text
    assert at_counter.get("/staff/find", params={"code": tab["short_code"]}).status_code == 404
    for path, data in (
        (f"/staff/tabs/{tab['id']}/lines", {"service_id": service["id"]}),
        (f"/staff/tabs/{tab['id']}/void", {}),
        (f"/staff/customers/{tab['customer_id']}/tabs", {}),
    ):
        assert at_counter.post(path, data).status_code == 404, path
    after = other.get(f"/v1/tabs/{tab['id']}").json()
    assert after["status"] == "open" and after["lines"] == []
    assert len(other.get(f"/v1/tabs?customer_id={tab['customer_id']}").json()["data"]) == 1


def _sessions(runtime: Runtime, merchant_id: str) -> int:
    with runtime.uow(merchant_id, write=False) as uow:
        return int(
            uow.session.scalar(select(func.count()).where(StaffSession.merchant_id == merchant_id))
            or 0
        )


def test_what_customers_type_is_shown_as_text_never_as_markup(at_counter: Staff) -> None:
    page = at_counter.post("/staff/customers", {"name": "<script>alert(1)</script> Hugo"})
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Hugo" in page.text
    nul = at_counter.post("/staff/customers", {"name": "Ivo\x00"})
    assert nul.status_code == 422


def test_a_customer_s_trust_reads_in_portuguese_on_the_console_and_in_english_in_the_api(
    at_counter: Staff,
) -> None:
    shop = at_counter.merchant
    assert shop.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    tab = shop.served_tab(380)
    assert shop.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash"}).status_code == 201
    customer_id = tab["customer_id"]
    page = at_counter.get(f"/staff/customers/{customer_id}")
    assert page.status_code == 200
    assert "1 visita paga a tempo" in page.text
    assert "visit paid on time" not in page.text
    # The API (and the events integrators read) keep their English words.
    said = shop.get(f"/v1/customers/{customer_id}").json()["trust"]["factors"]
    assert said == ["1 visit paid on time"]
    stranger = at_counter.post("/staff/customers", {"name": "Duarte Pires"})
    assert "Cliente novo: ainda sem histórico aqui" in stranger.text


def test_the_console_speaks_the_merchants_language_unless_the_member_chose(
    runtime: Runtime, at_counter: Staff
) -> None:
    tab, concern = _pending_concern(at_counter.merchant)
    assert at_counter.merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    path = f"/staff/tabs/{tab['id']}/concerns/{concern['id']}"
    refused = at_counter.post(path, {"decision": "approve"})
    assert refused.status_code == 403
    assert '<html lang="pt">' in refused.text and "Não permitido" in refused.text
    with runtime.uow(at_counter.merchant.id) as uow:
        uow.session.execute(
            update(StaffAccount)
            .where(StaffAccount.merchant_id == uow.merchant, StaffAccount.email == at_counter.email)
            .values(language="en")
        )
        uow.commit()
    refused = at_counter.post(path, {"decision": "approve"})
    assert '<html lang="en">' in refused.text and "Not allowed" in refused.text
