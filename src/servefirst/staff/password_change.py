"""A signed-in member changes their own password (``password_pages``).

The current password is a password guessed like any other, so the change runs
in the sign-in's three steps (``signing_in``) and on its counts:

1. counted: the try is counted against the very throttle keys a sign-in with
   this e-mail from this browser and address would be (``signing_in.keys_for``)
   and committed, or refused with 429 before any password is checked: the page
   guesses no faster than the sign-in form, and its wrong guesses lock that
   form out too;
2. checked: Argon2 verifies the current password, and hashes the new one,
   outside any transaction;
3. concluded: a wrong current password is logged as a failed sign-in; a right
   one gives its try back, stores the new hash and signs every *other*
   session of the account out (a browser that knew the old password keeps no
   way in), this one kept.

Refusals that need no look-up (``rules.new_password_refusal``: a missing
current password, a weak new one, a confirmation that differs) come first and
count nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete

from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import AuthenticationFailed, Conflict, InvalidRequest, ServefirstError
from servefirst.kit.i18n import N_
from servefirst.kit.ids import hash_secret
from servefirst.staff import throttles
from servefirst.staff.models import StaffAccount, StaffSession
from servefirst.staff.rules import ThrottleKey, new_password_refusal, normalize_email
from servefirst.staff.service import hasher
from servefirst.staff.signing_in import keys_for, record_attempt, verifies

#: Opens a writing unit of work for the member's merchant.
OpenUnitOfWork = Callable[[], UnitOfWork]

#: Refusals said again in the reader's words (their messages are msgids).
NOT_CURRENT = N_("That is not the password you sign in with now.")
CHANGED_MEANWHILE = N_(
    "Your password was changed in another window meanwhile: type the one you sign in with now."
)


@dataclass(frozen=True)
class Changing:
    """Who asks, as their session knows them: read before the first step."""

    staff_id: str
    email: str
    #: This browser's session (``StaffSession.session_hash``): the one kept.
    session_hash: str


@dataclass(frozen=True)
class _Checked:
    """What step 2 found: the hash the current password was checked against,
    whether it matched, and the new password's hash (only when it did)."""

    password_hash: str
    right: bool
    new_hash: str | None


def change_password(
    open_uow: OpenUnitOfWork,
    who: Changing,
    *,
    current: str,
    new: str,
    confirmation: str,
    client_ip: str,
    device_token: str | None = None,
) -> None:
    """Change ``who``'s password, in the three steps of the module docstring.

    Raises ``InvalidRequest`` naming the field refused (``current_password``,
    ``new_password``, ``confirm_password``), ``SignInThrottled`` (429) when the
    try is refused unchecked, ``Conflict`` when the password changed since it
    was read, ``AuthenticationFailed`` when this session ended meanwhile.
    """
    refusal = new_password_refusal(current, new, confirmation, who.email)
    if refusal is not None:
        raise refusal
    email_hash = hash_secret(normalize_email(who.email))
    client_ip = client_ip[:64]
    device_hash = hash_secret(device_token) if device_token else None
    with open_uow() as uow:
        keys = keys_for(uow, email_hash, client_ip, device_hash)
        refused = throttles.count(uow, keys)
        account = None if refused else uow.session.get(StaffAccount, (uow.merchant, who.staff_id))
        stored = account.password_hash if account is not None and account.active else None
        uow.commit()
    if refused:
        raise refused
    if stored is None:
        raise _session_ended()
    right = verifies(stored, current)
    checked = _Checked(stored, right, hasher.hash(new) if right else None)
    with open_uow() as uow:
        outcome = _conclude(uow, who, checked, keys, email_hash, client_ip)
        uow.commit()
    if outcome is not None:
        raise outcome


def _conclude(
    uow: UnitOfWork,
    who: Changing,
    checked: _Checked,
    keys: list[ThrottleKey],
    email_hash: str,
    client_ip: str,
) -> ServefirstError | None:
    """Step 3; returns the refusal to raise once what it wrote is committed."""
    if not checked.right or checked.new_hash is None:
        record_attempt(uow, uow.merchant, email_hash, client_ip, None, uow.clock.now())
        return InvalidRequest(NOT_CURRENT, code="password_incorrect", param="current_password")
    throttles.give_back_try(uow, keys)  # the right password is no failure
    # Locked until commit on PostgreSQL (SQLite's writer already holds the
    # database): two changes at once cannot both pass the check below.
    account = uow.session.get(
        StaffAccount, (uow.merchant, who.staff_id), with_for_update=True, populate_existing=True
    )
    this_session = uow.session.get(StaffSession, (uow.merchant, who.session_hash))
    if account is None or not account.active or this_session is None:
        return _session_ended()
    if account.password_hash != checked.password_hash:
        return Conflict(CHANGED_MEANWHILE, code="password_changed", param="current_password")
    account.password_hash = checked.new_hash
    _sign_out_elsewhere(uow, who)
    uow.session.flush()
    return None


def _sign_out_elsewhere(uow: UnitOfWork, who: Changing) -> None:
    """Every session of the account but this browser's ends now."""
    uow.session.execute(
        delete(StaffSession).where(
            StaffSession.merchant_id == uow.merchant,
            StaffSession.staff_id == who.staff_id,
            StaffSession.session_hash != who.session_hash,
        )
    )


def _session_ended() -> AuthenticationFailed:
    return AuthenticationFailed("Your session has ended. Sign in again.", code="session_ended")
