"""Staff sign-in against a real ``servefirst serve`` process: parallel guesses
and forwarded addresses.

Each server is the real command in a subprocess on the test database, so the
uvicorn options are the product's own (``server.serving.uvicorn_options``). Passwords
checked are counted by the attempts log: a try is recorded there once its
password has been checked (``staff.signing_in``), and a refused try never is.

One server believes ``X-Forwarded-For`` from loopback
(``SERVEFIRST_TRUSTED_PROXIES=127.0.0.1``): the tests run against it each
come from an address of their own, so no test's failures count against
another's. The other server trusts no proxy, as by default.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import select

from servefirst.kit.ids import hash_secret
from servefirst.runtime import Runtime
from servefirst.staff import service as staff
from servefirst.staff.models import SignInAttempt
from servefirst.staff.rules import EMAIL_FAILURE_LIMIT, IP_FAILURE_LIMIT
from tests.patience import SERVER_START_SECONDS
from tests.ports import free_port

PASSWORD = "steamed milk 42"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TIMEOUT = 60.0


def _serve(database_url: str, trusted_proxies: str) -> Iterator[str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SERVEFIRST_")}
    env |= {"SERVEFIRST_DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"}
    if trusted_proxies:
        env["SERVEFIRST_TRUSTED_PROXIES"] = trusted_proxies
    proc = subprocess.Popen(
        [sys.executable, "-m", "servefirst", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else "exited"
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "servefirst serve never answered /healthz"
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def behind_proxy(runtime: Runtime, database_url: str) -> Iterator[str]:
    """A server that believes forwarded addresses from loopback (a proxy on the machine)."""
    yield from _serve(database_url, "127.0.0.1")


@pytest.fixture(scope="module")
def exposed(runtime: Runtime, database_url: str) -> Iterator[str]:
    """A server with the default settings: no proxy is trusted."""
    yield from _serve(database_url, "")


def _address() -> str:
    return f"198.18.{secrets.randbelow(250)}.{secrets.randbelow(250)}"


def _new_login(runtime: Runtime, merchant_id: str) -> str:
    email = f"ana.{secrets.token_hex(4)}@azul.example"
    with runtime.uow(merchant_id) as uow:
        staff.create_staff(uow, email=email, password=PASSWORD, name="Ana Sousa")
        uow.commit()
    return email


def _attempts(runtime: Runtime, email: str) -> list[SignInAttempt]:
    with runtime.uow(write=False) as uow:
        return list(
            uow.session.scalars(
                select(SignInAttempt).where(SignInAttempt.email_hash == hash_secret(email))
            )
        )


def _try_together(
    base: str, tries: list[tuple[str, str]], headers: dict[str, str]
) -> list[httpx.Response]:
    """Every (email, password) tried at once, each from its own browser."""
    barrier = threading.Barrier(len(tries))

    def attempt(pair: tuple[str, str]) -> httpx.Response:
        email, password = pair
        with httpx.Client(base_url=base, timeout=TIMEOUT, headers=headers) as browser:
            page = browser.get("/staff")
            token = CSRF.search(page.text)
            assert token, page.text
            # The sign-in cookie is Secure: sent back here by hand (plain http).
            cookie = page.cookies["sf_sign_in"]
            barrier.wait(timeout=TIMEOUT)
            return browser.post(
                "/staff/sign-in",
                data={"email": email, "password": password, "csrf_token": token.group(1)},
                headers={"Cookie": f"sf_sign_in={cookie}"},
            )

    with ThreadPoolExecutor(max_workers=len(tries)) as pool:
        return list(pool.map(attempt, tries))


def _check_refusals(responses: list[httpx.Response]) -> Counter[int]:
    seen = Counter(r.status_code for r in responses)
    assert set(seen) <= {401, 429}, seen
    for refused in (r for r in responses if r.status_code == 429):
        assert int(refused.headers["Retry-After"]) > 0
        assert "Too many failed sign-ins" in refused.text
    return seen


def test_forty_parallel_guesses_at_one_email_check_at_most_five_passwords(
    runtime: Runtime, merchant_id: str, behind_proxy: str
) -> None:
    email = _new_login(runtime, merchant_id)
    guesses = [(email, f"guess number {n}") for n in range(40)]
    responses = _try_together(behind_proxy, guesses, {"X-Forwarded-For": _address()})
    seen = _check_refusals(responses)
    checked = _attempts(runtime, email)
    assert len(checked) == seen[401] <= EMAIL_FAILURE_LIMIT, (seen, len(checked))
    assert seen[429] >= 40 - EMAIL_FAILURE_LIMIT
    assert not any(a.succeeded for a in checked)


def test_forty_parallel_guesses_from_one_address_check_at_most_twenty_passwords(
    runtime: Runtime, merchant_id: str, behind_proxy: str
) -> None:
    emails = [_new_login(runtime, merchant_id) for _ in range(2)]
    guesses = [(emails[n % 2] if n < 2 else f"x{n}.{emails[0]}", "a wrong one") for n in range(40)]
    responses = _try_together(behind_proxy, guesses, {"X-Forwarded-For": _address()})
    seen = _check_refusals(responses)
    assert seen[401] <= IP_FAILURE_LIMIT, seen
    checked = sum(len(_attempts(runtime, email)) for email, _ in set(guesses))
    assert checked == seen[401]


def test_a_forged_forwarded_address_is_ignored_unless_loopback_is_a_trusted_proxy(
    runtime: Runtime, merchant_id: str, exposed: str, behind_proxy: str
) -> None:
    claimed = _address()
    forged = _new_login(runtime, merchant_id)
    [answer] = _try_together(exposed, [(forged, "a wrong one")], {"X-Forwarded-For": claimed})
    assert answer.status_code == 401
    assert [a.client_ip for a in _attempts(runtime, forged)] == ["127.0.0.1"]

    proxied = _new_login(runtime, merchant_id)
    [answer] = _try_together(behind_proxy, [(proxied, "a wrong one")], {"X-Forwarded-For": claimed})
    assert answer.status_code == 401
    assert [a.client_ip for a in _attempts(runtime, proxied)] == [claimed]
