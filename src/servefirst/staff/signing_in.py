"""The sign-in use case: an e-mail and a password become a session, at most
as often as the throttle allows (NIST SP 800-63B, 5.2.2).

It runs as three steps, not one transaction:

1. counted: the try is counted against its throttle keys and committed
   (``throttles.count``), or refused with 429 and a ``Retry-After``, before any
   password is checked. Tries arriving together each see the ones before
   them, so however many arrive, at most the limit are checked;
2. checked: Argon2 runs outside any transaction (no row lock, and on SQLite
   no write lock, is held during the slow part);
3. concluded: the outcome is recorded in the attempts log; a success gives its
   try back, opens a session and remembers the browser and the address.

A try from an address or browser that signed in to this account before is
counted on its own (``rules.throttle_keys``): failures from elsewhere never
lock the account's owner out of their own counter.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from servefirst.db.uow import UnitOfWork
from servefirst.kit.ids import hash_secret, new_id
from servefirst.merchants.service import merchant_names
from servefirst.staff import throttles
from servefirst.staff.models import NO_MERCHANT, SignInAttempt, StaffAccount
from servefirst.staff.rules import KNOWN_FOR, ThrottleKey, normalize_email, throttle_keys
from servefirst.staff.service import hasher, start_session


@cache
def _dummy_hash() -> str:
    """Verified when the e-mail matches no account, so a wrong e-mail takes as
    long as a wrong password and does not reveal who works where. Made on
    first use: an Argon2 hash at import would slow every process's start
    (each CLI command, each server worker) by one deliberate hash."""
    return hasher.hash(secrets.token_urlsafe(16))


#: At most this many accounts share one e-mail before the rest are ignored
#: (bounds the Argon2 work one sign-in can cause).
MAX_ACCOUNTS_PER_EMAIL = 5

#: Opens a writing unit of work (``lambda: runtime.uow(write=True)``).
OpenUnitOfWork = Callable[[], UnitOfWork]


@dataclass(frozen=True)
class SignInResult:
    """What a sign-in came to: a session, a choice of businesses, or a failure."""

    account: StaffAccount | None = None
    #: The session cookie's value (shown once), when ``account`` is set.
    session_token: str | None = None
    #: The browser's known-device cookie, to set (again) when ``account`` is set.
    device_token: str | None = None
    #: The password opened accounts at several businesses: (merchant_id, name)
    #: of those, and only those, to choose from.
    choices: tuple[tuple[str, str], ...] = ()
    failed: bool = False


@dataclass(frozen=True)
class _Candidate:
    """An account the e-mail names, read in step 1 and checked in step 2."""

    merchant_id: str
    staff_id: str
    password_hash: str


def sign_in(
    open_uow: OpenUnitOfWork,
    *,
    email: str,
    password: str,
    client_ip: str,
    device_token: str | None = None,
    merchant_id: str | None = None,
) -> SignInResult:
    """Check an e-mail and password, in the three steps of the module docstring.

    ``device_token``: the browser's known-device cookie, if it has one.
    ``merchant_id``: the business chosen when the password opened several.
    Raises ``SignInThrottled`` (429) when the try is refused unchecked.
    """
    normal = normalize_email(email)
    email_hash = hash_secret(normal)
    client_ip = client_ip[:64]
    device_hash = hash_secret(device_token) if device_token else None
    with open_uow() as uow:
        keys = keys_for(uow, email_hash, client_ip, device_hash)
        refused = throttles.count(uow, keys)
        candidates = [] if refused else _candidates(uow, normal, merchant_id)
        uow.commit()
    if refused:
        raise refused
    opened = _check(candidates, password)
    with open_uow() as uow:
        result = _conclude(
            uow, opened, keys, email_hash, client_ip, device_token, password, failed_in=candidates
        )
        uow.commit()
    return result


def keys_for(
    uow: UnitOfWork, email_hash: str, client_ip: str, device_hash: str | None
) -> list[ThrottleKey]:
    """The throttle keys a password typed for this e-mail from this address
    and browser counts against: a sign-in's, and the password page's
    (``password_change``), so that page guesses no faster than this one."""
    return throttle_keys(email_hash, client_ip, _known_as(uow, email_hash, client_ip, device_hash))


def _known_as(
    uow: UnitOfWork, email_hash: str, client_ip: str, device_hash: str | None
) -> str | None:
    """The browser (by preference) or address this account signed in from
    before, within ``KNOWN_FOR``; None for a stranger."""
    since = uow.clock.now() - KNOWN_FOR
    successes = select(SignInAttempt.attempt_id).where(
        SignInAttempt.email_hash == email_hash,
        SignInAttempt.succeeded.is_(True),
        SignInAttempt.created_at > since,
    )
    if device_hash and uow.session.scalar(
        successes.where(SignInAttempt.device_hash == device_hash).limit(1)
    ):
        return f"device:{device_hash}"
    if uow.session.scalar(successes.where(SignInAttempt.client_ip == client_ip).limit(1)):
        return f"address:{client_ip}"
    return None


def _candidates(uow: UnitOfWork, email: str, merchant_id: str | None) -> list[_Candidate]:
    """The accounts with this e-mail (at the chosen business, if one was chosen).
    This is the one lookup by e-mail across merchants (see ``staff/models.py``)."""
    query = select(StaffAccount.merchant_id, StaffAccount.staff_id, StaffAccount.password_hash)
    # Someone who left signs in no more: their account is as good as unknown.
    query = query.where(StaffAccount.email == email, StaffAccount.active.is_(True))
    if merchant_id:
        query = query.where(StaffAccount.merchant_id == merchant_id)
    rows = uow.session.execute(
        query.order_by(StaffAccount.merchant_id).limit(MAX_ACCOUNTS_PER_EMAIL)
    )
    return [_Candidate(*row) for row in rows]


def _check(candidates: list[_Candidate], password: str) -> list[_Candidate]:
    """The accounts this password opens (Argon2: the slow part, outside any transaction)."""
    if not candidates:
        # The same cost as a real check: no hint that the e-mail is unknown.
        verifies(_dummy_hash(), password)
        return []
    return [c for c in candidates if verifies(c.password_hash, password)]


def verifies(password_hash: str, password: str) -> bool:
    """Whether ``password`` is the one hashed (Argon2: slow, so call it outside any transaction)."""
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):  # a mismatch, or a broken stored hash
        return False


def _conclude(
    uow: UnitOfWork,
    opened: list[_Candidate],
    keys: list[ThrottleKey],
    email_hash: str,
    client_ip: str,
    device_token: str | None,
    password: str,
    *,
    failed_in: list[_Candidate],
) -> SignInResult:
    now = uow.clock.now()
    if not opened:
        merchant = failed_in[0].merchant_id if len(failed_in) == 1 else NO_MERCHANT
        record_attempt(uow, merchant, email_hash, client_ip, None, now)
        return SignInResult(failed=True)
    throttles.give_back_try(uow, keys)  # the right password is no failure
    if len(opened) > 1:
        return SignInResult(choices=_businesses(uow, opened))
    account = uow.session.get(StaffAccount, (opened[0].merchant_id, opened[0].staff_id))
    if account is None or not account.active:  # left while its password was being checked
        record_attempt(uow, NO_MERCHANT, email_hash, client_ip, None, now)
        return SignInResult(failed=True)
    if hasher.check_needs_rehash(account.password_hash):
        account.password_hash = hasher.hash(password)
    device_token = device_token or secrets.token_urlsafe(32)
    record_attempt(uow, account.merchant_id, email_hash, client_ip, hash_secret(device_token), now)
    token, _ = start_session(uow, account)
    return SignInResult(account=account, session_token=token, device_token=device_token)


def _businesses(uow: UnitOfWork, opened: list[_Candidate]) -> tuple[tuple[str, str], ...]:
    """Names of the businesses the password opened: none other is ever named."""
    ids = [c.merchant_id for c in opened]
    names = merchant_names(uow, ids)
    return tuple((merchant_id, names.get(merchant_id, merchant_id)) for merchant_id in ids)


def record_attempt(
    uow: UnitOfWork,
    merchant_id: str,
    email_hash: str,
    client_ip: str,
    device_hash: str | None,
    now: datetime,
) -> None:
    """One password checked, in the attempts log: a success when ``device_hash`` is given."""
    uow.session.add(
        SignInAttempt(
            merchant_id=merchant_id,
            attempt_id=new_id("sia"),
            email_hash=email_hash,
            client_ip=client_ip,
            succeeded=device_hash is not None,
            device_hash=device_hash,
            created_at=now,
        )
    )
    uow.session.flush()
