"""Staff accounts on a real database: Argon2 hashes, sign-in, sessions, CSRF."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from servefirst.kit.errors import Conflict, InvalidRequest, RateLimited
from servefirst.kit.ids import hash_secret
from servefirst.kit.typed import format_amount
from servefirst.kit.typed import parse_amount_or_zero as parse_amount
from servefirst.merchants.service import create_merchant
from servefirst.runtime import Runtime
from servefirst.staff import service as staff
from servefirst.staff import signing_in
from servefirst.staff.models import NO_MERCHANT, SignInAttempt, StaffAccount, StaffSession
from servefirst.staff.rules import (
    EMAIL_FAILURE_LIMIT,
    IP_FAILURE_LIMIT,
    SESSION_LIFETIME,
    password_problem,
)
from tests.conftest import Merchant, TestClock

PASSWORD = "steamed milk 42"


def _email() -> str:
    return f"ana.{secrets.token_hex(4)}@azul.example"


def _ip() -> str:
    return f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"


def make_staff(runtime: Runtime, merchant_id: str, email: str, **extra: Any) -> StaffAccount:
    with runtime.uow(merchant_id) as uow:
        account = staff.create_staff(
            uow,
            email=email,
            password=extra.pop("password", PASSWORD),
            name=extra.pop("name", "Ana"),
            **extra,
        )
        uow.commit()
    return account


def sign_in(runtime: Runtime, email: str, password: str, ip: str, **extra: Any) -> Any:
    return signing_in.sign_in(
        lambda: runtime.uow(write=True), email=email, password=password, client_ip=ip, **extra
    )


def test_the_password_is_stored_as_an_argon2id_hash_never_in_clear(
    runtime: Runtime, merchant: Merchant
) -> None:
    email = _email()
    account = make_staff(runtime, merchant.id, email.upper(), role="owner")
    with runtime.uow(merchant.id, write=False) as uow:
        stored = uow.session.get(StaffAccount, (merchant.id, account.staff_id))
    assert stored is not None
    assert stored.email == email  # lower-cased
    assert stored.role == "owner"
    assert stored.password_hash.startswith("$argon2id$")
    assert PASSWORD not in stored.password_hash
    assert PasswordHasher().verify(stored.password_hash, PASSWORD)
    assert staff.verify_password(stored, PASSWORD)
    assert not staff.verify_password(stored, PASSWORD + "!")


def test_the_same_password_hashes_differently_each_time(
    runtime: Runtime, merchant: Merchant
) -> None:
    one = make_staff(runtime, merchant.id, _email())
    two = make_staff(runtime, merchant.id, _email())
    assert one.password_hash != two.password_hash  # a fresh salt per hash


@pytest.mark.parametrize(
    ("password", "problem"),
    [("short1", "at least 10"), ("aaaaaaaaaaaa", "too easy"), ("x" * 300, "at most 256")],
)
def test_weak_passwords_are_refused(
    runtime: Runtime, merchant: Merchant, password: str, problem: str
) -> None:
    with runtime.uow(merchant.id) as uow, pytest.raises(InvalidRequest) as refused:
        staff.create_staff(uow, email=_email(), password=password, name="Ana")
    assert problem in refused.value.message
    assert refused.value.code == "password_too_weak"


def test_the_password_may_not_be_the_email() -> None:
    assert password_problem("ana@azul.example", "Ana@Azul.example") is not None
    assert password_problem(PASSWORD, "ana@azul.example") is None


def test_an_email_has_one_login_per_merchant_but_may_work_at_two(
    runtime: Runtime, new_merchant: Any
) -> None:
    cafe, salon = new_merchant("Café Azul"), new_merchant("Salão Rosa")
    email = _email()
    make_staff(runtime, cafe.id, email)
    with runtime.uow(cafe.id) as uow, pytest.raises(Conflict) as taken:
        staff.create_staff(uow, email=email, password=PASSWORD, name="Ana again")
    assert taken.value.code == "email_taken"
    make_staff(runtime, salon.id, email, password="other password 7")
    # Each password opens its own business.
    assert sign_in(runtime, email, PASSWORD, _ip()).account.merchant_id == cafe.id
    assert sign_in(runtime, email, "other password 7", _ip()).account.merchant_id == salon.id


def test_one_password_opening_two_businesses_asks_which(
    runtime: Runtime, new_merchant: Any
) -> None:
    cafe, salon = new_merchant("Café Azul"), new_merchant("Salão Rosa")
    email = _email()
    make_staff(runtime, cafe.id, email)
    make_staff(runtime, salon.id, email)
    asked = sign_in(runtime, email, PASSWORD, _ip())
    assert asked.account is None and not asked.failed
    assert sorted(asked.choices) == sorted([(cafe.id, "Café Azul"), (salon.id, "Salão Rosa")])
    chosen = sign_in(runtime, email, PASSWORD, _ip(), merchant_id=salon.id)
    assert chosen.account.merchant_id == salon.id


def test_wrong_password_and_unknown_email_fail_alike_and_are_recorded(
    runtime: Runtime, merchant: Merchant
) -> None:
    email, ip = _email(), _ip()
    make_staff(runtime, merchant.id, email)
    wrong = sign_in(runtime, email, "not the password", ip)
    unknown = sign_in(runtime, _email(), PASSWORD, ip)
    assert wrong.failed and wrong.account is None
    assert unknown.failed and unknown.account is None
    with runtime.uow(write=False) as uow:
        rows = list(uow.session.scalars(select(SignInAttempt).where(SignInAttempt.client_ip == ip)))
    assert sorted((r.merchant_id, r.succeeded) for r in rows) == sorted(
        [(merchant.id, False), (NO_MERCHANT, False)]
    )
    assert all(email not in r.email_hash for r in rows)  # only a hash of the address


def test_five_failures_lock_the_email_for_the_window(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    email = _email()
    make_staff(runtime, merchant.id, email)
    for _ in range(EMAIL_FAILURE_LIMIT):
        assert sign_in(runtime, email, "guess " + secrets.token_hex(4), _ip()).failed
    with pytest.raises(RateLimited) as limited:
        sign_in(runtime, email, PASSWORD, _ip())  # even the right password, from a stranger
    assert limited.value.status == 429
    clock.advance(minutes=16)
    assert sign_in(runtime, email, PASSWORD, _ip()).account is not None


def test_twenty_failures_from_one_address_lock_that_address(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    email, ip = _email(), _ip()
    make_staff(runtime, merchant.id, email)
    for _ in range(IP_FAILURE_LIMIT):
        assert sign_in(runtime, _email(), "guess", ip).failed
    with pytest.raises(RateLimited):
        sign_in(runtime, email, PASSWORD, ip)
    assert sign_in(runtime, email, PASSWORD, _ip()).account is not None  # others are fine
    clock.advance(minutes=16)
    assert sign_in(runtime, email, PASSWORD, ip).account is not None


def test_a_session_keeps_only_a_hash_and_carries_its_merchant(
    runtime: Runtime, merchant: Merchant
) -> None:
    account = make_staff(runtime, merchant.id, _email())
    with runtime.uow(merchant.id) as uow:
        token, signed = staff.start_session(uow, account)
        uow.commit()
    assert token.startswith(merchant.id + ".")
    assert staff.session_merchant(token) == merchant.id
    with runtime.uow(merchant.id, write=False) as uow:
        rows = list(
            uow.session.scalars(select(StaffSession).where(StaffSession.merchant_id == merchant.id))
        )
        found = staff.current_session(uow, token)
    assert [r.session_hash for r in rows] == [hash_secret(token)]
    assert token not in {r.session_hash for r in rows}
    assert found is not None and found.account.staff_id == account.staff_id
    assert found.csrf_token == signed.csrf_token and len(found.csrf_token) >= 40
    assert rows[0].expires_at - rows[0].created_at == SESSION_LIFETIME


def test_a_session_is_worthless_after_it_expires_or_signs_out(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    account = make_staff(runtime, merchant.id, _email())
    with runtime.uow(merchant.id) as uow:
        short, _ = staff.start_session(uow, account)
        kept, _ = staff.start_session(uow, account)
        uow.commit()
    with runtime.uow(merchant.id) as uow:
        assert staff.end_session(uow, short)
        uow.commit()
    with runtime.uow(merchant.id, write=False) as uow:
        assert staff.current_session(uow, short) is None
        assert staff.current_session(uow, kept) is not None
    clock.advance(hours=12, seconds=1)
    with runtime.uow(merchant.id, write=False) as uow:
        assert staff.current_session(uow, kept) is None


def test_a_session_cookie_does_not_open_another_merchant(
    runtime: Runtime, new_merchant: Any
) -> None:
    cafe, salon = new_merchant(), new_merchant()
    account = make_staff(runtime, cafe.id, _email())
    with runtime.uow(cafe.id) as uow:
        token, _ = staff.start_session(uow, account)
        uow.commit()
    secret = token.split(".", 1)[1]
    with runtime.uow(salon.id, write=False) as uow:
        assert staff.current_session(uow, f"{salon.id}.{secret}") is None
        assert staff.current_session(uow, token) is None
        assert staff.current_session(uow, "garbage") is None
        assert staff.current_session(uow, None) is None


def test_csrf_tokens_compare_exactly() -> None:
    token = secrets.token_urlsafe(32)
    assert staff.csrf_ok(token, token)
    assert not staff.csrf_ok(token, token[:-1] + ("A" if token[-1] != "A" else "B"))
    assert not staff.csrf_ok(token, "")
    assert not staff.csrf_ok(None, token)


def test_a_hash_with_old_parameters_is_upgraded_at_sign_in(
    runtime: Runtime, merchant: Merchant
) -> None:
    email = _email()
    account = make_staff(runtime, merchant.id, email)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with runtime.uow(merchant.id) as uow:
        row = uow.session.get(StaffAccount, (merchant.id, account.staff_id))
        assert row is not None
        row.password_hash = weak
        uow.commit()
    assert sign_in(runtime, email, PASSWORD, _ip()).account is not None
    with runtime.uow(merchant.id, write=False) as uow:
        upgraded = uow.session.get(StaffAccount, (merchant.id, account.staff_id))
    assert upgraded is not None and upgraded.password_hash != weak
    assert not staff.hasher.check_needs_rehash(upgraded.password_hash)


def test_merchant_creation_makes_no_staff(runtime: Runtime) -> None:
    with runtime.uow() as uow:
        created = create_merchant(uow, name="Empty", currency="EUR")
        uow.commit()
    with runtime.uow(created.merchant.merchant_id, write=False) as uow:
        count = uow.session.scalar(
            select(func.count()).where(StaffAccount.merchant_id == created.merchant.merchant_id)
        )
    assert count == 0


@pytest.mark.parametrize(
    ("typed", "currency", "minor"),
    [
        ("4.50", "EUR", 450),
        ("4,5", "EUR", 450),
        ("4", "EUR", 400),
        ("", "EUR", 0),
        ("1200", "JPY", 1200),
        ("0.05", "EUR", 5),
    ],
)
def test_amounts_typed_at_the_counter(typed: str, currency: str, minor: int) -> None:
    assert parse_amount(typed, currency) == minor


@pytest.mark.parametrize("typed", ["-1", "4.505", "abc", "NaN", "1.5"])
def test_amounts_that_are_typos_are_refused(typed: str) -> None:
    currency = "JPY" if typed == "1.5" else "EUR"
    with pytest.raises(InvalidRequest):
        parse_amount(typed, currency)


def test_amounts_go_back_into_forms_as_typed() -> None:
    assert format_amount(450, "EUR") == "4.50"
    assert format_amount(1200, "JPY") == "1200"


def test_the_command_line_creates_a_login_that_signs_in(
    runtime: Runtime, merchant: Merchant, database_url: str
) -> None:
    import json

    from click.testing import CliRunner

    from servefirst.staff.cli import staff as staff_group

    email = _email()
    env = {"SERVEFIRST_DATABASE_URL": database_url}
    made = CliRunner().invoke(
        staff_group,
        [
            "create",
            "--merchant-id",
            merchant.id,
            "--email",
            email,
            "--name",
            "Rita",
            "--role",
            "owner",
            "--password-stdin",
            "--json",
        ],
        input=PASSWORD + "\n",
        env=env,
    )
    assert made.exit_code == 0, made.output
    printed = json.loads(made.output)
    assert printed["merchant_id"] == merchant.id and printed["role"] == "owner"
    assert printed["staff_id"].startswith("stf_")
    assert sign_in(runtime, email, PASSWORD, _ip()).account.staff_id == printed["staff_id"]

    weak = CliRunner().invoke(
        staff_group,
        [
            "create",
            "--merchant-id",
            merchant.id,
            "--email",
            _email(),
            "--name",
            "Rita",
            "--password-stdin",
            "--json",
        ],
        input="short\n",
        env=env,
    )
    assert weak.exit_code == 2
    unknown = CliRunner().invoke(
        staff_group,
        [
            "create",
            "--merchant-id",
            "mer_nobody00",
            "--email",
            _email(),
            "--name",
            "Rita",
            "--password-stdin",
            "--json",
        ],
        input=PASSWORD + "\n",
        env=env,
    )
    assert unknown.exit_code == 2
