"""Signing in to the console when someone else is guessing: who still gets in
(NIST SP 800-63B: the account's owner from a known browser or address), how
long a stranger waits, and what the business chooser never tells.

Each browser is a TestClient with its own address and cookie jar, over https
(the console's cookies are ``Secure``).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from servefirst.runtime import Runtime
from servefirst.staff import service as staff
from servefirst.staff.rules import EMAIL_FAILURE_LIMIT, IP_FAILURE_LIMIT
from servefirst.staff.web import DEVICE_COOKIE
from tests.conftest import Merchant, TestClock

PASSWORD = "steamed milk 42"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

Browser = Callable[..., TestClient]


def _address() -> str:
    return f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"


@pytest.fixture
def browser(app: object) -> Iterator[Browser]:
    """A new browser (empty cookie jar) at ``address`` (a new one by default)."""
    opened: list[TestClient] = []

    def make(address: str | None = None) -> TestClient:
        client = TestClient(
            app,  # type: ignore[arg-type]
            base_url="https://testserver",
            raise_server_exceptions=False,
            client=(address or _address(), 5),
        )
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.close()


def login(runtime: Runtime, merchant_id: str, email: str = "", password: str = PASSWORD) -> str:
    email = email or f"ana.{secrets.token_hex(4)}@azul.example"
    with runtime.uow(merchant_id) as uow:
        staff.create_staff(uow, email=email, password=password, name="Ana Sousa")
        uow.commit()
    return email


def sign_in(client: TestClient, email: str, password: str = PASSWORD, **extra: str) -> Response:
    token = CSRF.search(client.get("/staff").text)
    assert token
    return client.post(
        "/staff/sign-in",
        data={"email": email, "password": password, "csrf_token": token.group(1), **extra},
        follow_redirects=False,
    )


def signed_in(response: Response) -> bool:
    return response.status_code == 303 and "sf_staff" in response.cookies


def lock_out(client: TestClient, email: str) -> Response:
    """Guess until refused; the refusal."""
    for n in range(EMAIL_FAILURE_LIMIT):
        assert sign_in(client, email, f"guess {n}").status_code == 401
    refused = sign_in(client, email, PASSWORD)
    assert refused.status_code == 429
    return refused


# --- the owner of the account is not locked out by someone else -------------


def test_an_attacker_locks_the_email_but_its_owner_signs_in_from_a_known_address(
    runtime: Runtime, merchant: Merchant, browser: Browser
) -> None:
    email = login(runtime, merchant.id)
    shop = _address()
    assert signed_in(sign_in(browser(shop), email))  # the counter tablet, yesterday
    lock_out(browser(), email)  # someone elsewhere, today
    assert signed_in(sign_in(browser(shop), email))  # a fresh browser at the shop
    assert sign_in(browser(), email).status_code == 429  # a stranger is still refused


def test_an_attacker_locks_the_email_but_its_owner_signs_in_with_a_known_browser(
    runtime: Runtime, merchant: Merchant, browser: Browser
) -> None:
    email = login(runtime, merchant.id)
    phone = browser()
    first = sign_in(phone, email)
    assert signed_in(first)
    device = first.cookies[DEVICE_COOKIE]
    assert device and len(device) >= 40
    lock_out(browser(), email)
    travelling = browser()  # the same phone, on another network
    travelling.cookies.set(DEVICE_COOKIE, device, domain="testserver.local", path="/staff")
    assert signed_in(sign_in(travelling, email))
    guessed = browser()
    guessed.cookies.set(
        DEVICE_COOKIE, secrets.token_urlsafe(32), domain="testserver.local", path="/staff"
    )
    assert sign_in(guessed, email).status_code == 429  # an unknown cookie is no key


def test_a_known_browser_guessing_wrong_is_throttled_on_its_own_count(
    runtime: Runtime, merchant: Merchant, browser: Browser
) -> None:
    email = login(runtime, merchant.id)
    tablet = browser()
    assert signed_in(sign_in(tablet, email))
    tablet.cookies.delete("sf_staff")  # the shift ended; the tablet stays known
    lock_out(tablet, email)  # someone at the tablet guessing
    assert signed_in(sign_in(browser(), email))  # the e-mail's own count is untouched


def test_one_address_guessing_locks_strangers_there_not_the_staff_who_sign_in_there(
    runtime: Runtime, merchant: Merchant, browser: Browser
) -> None:
    regular, newcomer = login(runtime, merchant.id), login(runtime, merchant.id)
    shop = _address()
    assert signed_in(sign_in(browser(shop), regular))
    guesser = browser(shop)
    for n in range(IP_FAILURE_LIMIT):
        assert sign_in(guesser, f"guess{n}.{regular}", "whatever it is").status_code == 401
    assert sign_in(browser(shop), newcomer).status_code == 429
    assert signed_in(sign_in(browser(shop), regular))


def test_the_wait_is_in_retry_after_and_doubles_with_each_lockout(
    runtime: Runtime, merchant: Merchant, browser: Browser, clock: TestClock
) -> None:
    email = login(runtime, merchant.id)
    stranger = browser()
    first = int(lock_out(stranger, email).headers["Retry-After"])
    assert 14 * 60 < first <= 15 * 60
    clock.advance(minutes=16)
    second = lock_out(stranger, email)
    assert 29 * 60 < int(second.headers["Retry-After"]) <= 30 * 60
    assert "Wait 30 minutes" in second.text
    clock.advance(minutes=31)
    assert signed_in(sign_in(stranger, email))


# --- the business chooser names only what the password opens -----------------


def test_a_login_made_elsewhere_with_someones_email_reveals_nothing_of_their_business(
    runtime: Runtime, new_merchant: Callable[..., Merchant], browser: Browser
) -> None:
    cafe, rival = new_merchant("Café Azul"), new_merchant("Rival Roasters")
    email = login(runtime, cafe.id)
    login(runtime, rival.id, email, "rival password 9")  # the rival chose Ana's e-mail

    ana = sign_in(browser(), email)
    assert signed_in(ana)  # straight into her café: no chooser
    assert ana.cookies["sf_staff"].startswith(cafe.id)

    rival_owner = browser()
    own = sign_in(rival_owner, email, "rival password 9")
    assert signed_in(own) and own.cookies["sf_staff"].startswith(rival.id)
    console = rival_owner.get("/staff").text
    assert "Rival Roasters" in console
    assert "Café Azul" not in console and cafe.id not in console

    forged = sign_in(browser(), email, "rival password 9", merchant_id=cafe.id)
    assert forged.status_code == 401
    assert "Café Azul" not in forged.text and cafe.id not in forged.text


def test_a_wrong_password_says_nothing_of_which_businesses_the_email_works_at(
    runtime: Runtime, new_merchant: Callable[..., Merchant], browser: Browser
) -> None:
    cafe, salon = new_merchant("Café Azul"), new_merchant("Salão Rosa")
    email = login(runtime, cafe.id)
    login(runtime, salon.id, email)
    wrong = sign_in(browser(), email, "not the password")
    unknown = sign_in(browser(), f"nobody.{email}", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    for page in (wrong.text, unknown.text):
        assert "merchant_id" not in page
        for named in ("Café Azul", cafe.id, "Salão Rosa", salon.id):
            assert named not in page


def test_the_chooser_lists_only_the_businesses_the_password_opens(
    runtime: Runtime, new_merchant: Callable[..., Merchant], browser: Browser
) -> None:
    cafe, salon = new_merchant("Café Azul"), new_merchant("Salão Rosa")
    rival = new_merchant("Rival Roasters")
    email = login(runtime, cafe.id)
    login(runtime, salon.id, email)
    login(runtime, rival.id, email, "rival password 9")
    person = browser()
    chooser = sign_in(person, email)
    assert chooser.status_code == 200
    offered = set(re.findall(r'<option value="([^"]+)">', chooser.text))
    assert offered == {cafe.id, salon.id}
    assert "Rival Roasters" not in chooser.text and rival.id not in chooser.text
    chosen = sign_in(person, email, merchant_id=salon.id)
    assert signed_in(chosen) and chosen.cookies["sf_staff"].startswith(salon.id)
