"""Use cases of staff: members (who serves, at what commission), their sign-in
accounts, sessions and sign-out (signing in itself is ``staff.sign_in``).

Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106's
second recommended setting); hashes made with older parameters are upgraded at
the next successful sign-in. Sessions and CSRF secrets are random 256-bit
values; only a SHA-256 of the session cookie is stored.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select

from servefirst.db.uow import UnitOfWork
from servefirst.kit import i18n
from servefirst.kit.errors import Conflict, InvalidRequest, NotFound
from servefirst.kit.i18n import N_
from servefirst.kit.ids import hash_secret, merchant_of_credential, new_id
from servefirst.merchants.service import get_merchant
from servefirst.staff import departures
from servefirst.staff.models import (
    StaffAccount,
    StaffMember,
    StaffSession,
)
from servefirst.staff.rules import (
    MAX_NAME_LENGTH,
    MAX_ROLE_LENGTH,
    SESSION_LIFETIME,
    Access,
    access_for_role,
    check_email,
    password_problem,
)

hasher = PasswordHasher()

#: Commission rates are whole basis points: 1 bp = 0.01%, 10000 = 100%.
MAX_COMMISSION_BPS = 10_000

#: Refusals said again on the console's pages in the reader's words (``kit.refusals``);
#: the API keeps its English message, which names its fields.
_NAME_WORDS = N_("Give a name of at most %(most)s characters; this has %(typed)s.")
_TITLE_WORDS = N_("Give a job title of 1 to %(most)s characters.")
_ACCESS_WORDS = N_("Choose owner, manager or staff access.")
_EMAIL_TAKEN_WORDS = N_("%(email)s already has a login here.")


def _check_member(
    name: str, role: str, access: str | None, commission_bps: int
) -> tuple[str, str, Access]:
    """The name, job title and access to store, or 422 naming the field."""
    name = (name or "").strip()
    if not name:
        raise InvalidRequest("A staff member needs a name.", code="parameter_missing", param="name")
    if len(name) > MAX_NAME_LENGTH:  # refused, not cut: a command line has no schema before it
        raise InvalidRequest(
            f"A name takes at most {MAX_NAME_LENGTH} characters; this has {len(name)}.",
            code="name_too_long",
            param="name",
            figures={"words": _NAME_WORDS, "most": MAX_NAME_LENGTH, "typed": len(name)},
        )
    role = (role or "").strip()
    if not role or len(role) > MAX_ROLE_LENGTH:
        raise InvalidRequest(
            f"role is the job title: 1 to {MAX_ROLE_LENGTH} characters.",
            param="role",
            figures={"words": _TITLE_WORDS, "most": MAX_ROLE_LENGTH},
        )
    try:
        level = access_for_role(role) if access is None else Access(access)
    except ValueError:
        raise InvalidRequest(
            "access must be 'owner', 'manager' or 'staff'.",
            param="access",
            figures={"words": _ACCESS_WORDS},
        ) from None
    if not 0 <= commission_bps <= MAX_COMMISSION_BPS:
        raise InvalidRequest(
            "commission_rate_bps must be from 0 to 10000 (100%).", param="commission_rate_bps"
        )
    return name, role, level


def create_member(
    uow: UnitOfWork,
    *,
    name: str,
    role: str = "staff",
    access: str | None = None,
    commission_bps: int = 0,
    email: str | None = None,
    password: str | None = None,
) -> StaffMember:
    """A staff member; with ``email`` and ``password`` they may also sign in."""
    if (email is None) != (password is None):
        raise InvalidRequest(
            "A sign-in needs both an e-mail and a password.",
            code="parameter_missing",
            param="password" if password is None else "email",
        )
    if email is not None and password is not None:
        account = create_staff(
            uow,
            email=email,
            password=password,
            name=name,
            role=role,
            access=access,
            commission_bps=commission_bps,
        )
        return get_member(uow, account.staff_id)
    get_merchant(uow)
    name, role, level = _check_member(name, role, access, commission_bps)
    member = StaffMember(
        merchant_id=uow.merchant,
        staff_id=new_id("stf"),
        name=name,
        role=role,
        access=level.value,
        commission_bps=commission_bps,
        created_at=uow.clock.now(),
    )
    uow.session.add(member)
    uow.session.flush()
    return member


def get_member(uow: UnitOfWork, staff_id: str, *, param: str = "staff_id") -> StaffMember:
    member = uow.session.get(StaffMember, (uow.merchant, staff_id))
    if member is None:
        raise NotFound(f"No such staff member: '{staff_id}'.", param=param)
    return member


def list_members(uow: UnitOfWork, *, include_inactive: bool = False) -> list[StaffMember]:
    """The current team, by name; with ``include_inactive``, those who left too."""
    query = select(StaffMember).where(StaffMember.merchant_id == uow.merchant)
    if not include_inactive:
        query = query.where(StaffMember.active.is_(True))
    return list(uow.session.scalars(query.order_by(StaffMember.name, StaffMember.staff_id)))


def update_member(
    uow: UnitOfWork,
    staff_id: str,
    *,
    name: str | None = None,
    role: str | None = None,
    access: str | None = None,
    commission_bps: int | None = None,
    active: bool | None = None,
    acting: str | None = None,
) -> StaffMember:
    """Change a member's name, title, access or rate; ``active``: mark them as
    having left the business (False) or bring them back (True).

    A new rate counts for tabs settled from now on. ``acting``: the member
    who asks (the console), None for an API key (the owner)."""
    member = get_member(uow, staff_id)
    if active is False and member.active:
        departures.may_leave(uow, member, acting)
    checked_name, checked_role, level = _check_member(
        member.name if name is None else name,
        member.role if role is None else role,
        member.access if access is None else access,
        member.commission_bps if commission_bps is None else commission_bps,
    )
    if level != Access.OWNER:
        departures.may_step_down(uow, member)
    member.name, member.role, member.access = checked_name, checked_role, level.value
    if commission_bps is not None:
        member.commission_bps = commission_bps
    if active is not None:
        member.active = active
    account = uow.session.get(StaffAccount, (uow.merchant, staff_id))
    if account is not None:  # one person, one name, title, access and state on both
        account.name, account.role, account.access = member.name, member.role, member.access
        account.active = member.active
    if not member.active:
        departures.sign_out_everywhere(uow, staff_id)
    uow.session.flush()
    return member


def owners(uow: UnitOfWork) -> list[StaffAccount]:
    """The merchant's owners who sign in (they have an e-mail): whom the
    console's owner-only news is for, on the console and by e-mail."""
    return list(
        uow.session.scalars(
            select(StaffAccount)
            .where(
                StaffAccount.merchant_id == uow.merchant,
                StaffAccount.access == Access.OWNER,
                StaffAccount.active.is_(True),
            )
            .order_by(StaffAccount.created_at, StaffAccount.staff_id)
        )
    )


def account_of(uow: UnitOfWork, staff_id: str) -> StaffAccount | None:
    return uow.session.get(StaffAccount, (uow.merchant, staff_id))


def choose_language(uow: UnitOfWork, account: StaffAccount, language: str) -> StaffAccount:
    """The console's language for this member: one shipped language, or ``""``
    for the merchant's own. Anything else is refused, naming the field."""
    chosen = language.strip().lower()
    if chosen and chosen not in i18n.LANGUAGES:
        raise InvalidRequest(
            i18n.gettext("Choose one of the languages offered."),
            code="parameter_invalid",
            param="language",
        )
    account.language = chosen or None
    uow.session.flush()
    return account


def create_staff(
    uow: UnitOfWork,
    *,
    email: str,
    password: str,
    name: str,
    role: str = "staff",
    access: str | None = None,
    commission_bps: int = 0,
) -> StaffAccount:
    """A staff login for ``uow``'s merchant (the demo and ``servefirst staff create`` call this),
    and the staff member it signs in as (same ``staff_id``)."""
    get_merchant(uow)  # an unknown merchant is 404, not a foreign-key failure
    normal = check_email(email)
    name, role, level = _check_member(name, role, access, commission_bps)
    problem = password_problem(password, normal)
    if problem:
        raise InvalidRequest(problem, code="password_too_weak", param="password")
    taken = uow.session.scalar(
        select(StaffAccount.staff_id).where(
            StaffAccount.merchant_id == uow.merchant, StaffAccount.email == normal
        )
    )
    if taken:
        raise Conflict(
            f"{normal} already has a login here.",
            code="email_taken",
            param="email",
            figures={"words": _EMAIL_TAKEN_WORDS, "email": normal},
        )
    account = StaffAccount(
        merchant_id=uow.merchant,
        staff_id=new_id("stf"),
        email=normal,
        name=name,
        password_hash=hasher.hash(password),
        role=role,
        access=level.value,
        created_at=uow.clock.now(),
    )
    uow.session.add(account)
    uow.session.add(
        StaffMember(
            merchant_id=uow.merchant,
            staff_id=account.staff_id,
            name=name,
            role=role,
            access=level.value,
            commission_bps=commission_bps,
            created_at=account.created_at,
        )
    )
    uow.session.flush()
    return account


def verify_password(account: StaffAccount, password: str) -> bool:
    try:
        return hasher.verify(account.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class SignedIn:
    """A live session: who is at the counter, and the secret their forms carry."""

    account: StaffAccount
    session: StaffSession

    @property
    def csrf_token(self) -> str:
        return self.session.csrf_secret

    @property
    def access(self) -> Access:
        return Access(self.account.access)


def start_session(uow: UnitOfWork, account: StaffAccount) -> tuple[str, SignedIn]:
    """A new session for ``account``; returns the cookie value (shown once) and the session."""
    token = f"{account.merchant_id}.{secrets.token_urlsafe(32)}"
    now = uow.clock.now()
    session = StaffSession(
        merchant_id=account.merchant_id,
        session_hash=hash_secret(token),
        staff_id=account.staff_id,
        csrf_secret=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + SESSION_LIFETIME,
    )
    uow.session.add(session)
    uow.session.flush()
    return token, SignedIn(account, session)


def session_merchant(token: str | None) -> str | None:
    """The merchant a session cookie is routed to (``mer_xxx.<secret>``)."""
    if not token:
        return None
    merchant = merchant_of_credential(token)
    return merchant if merchant and not token.startswith("sk_") else None


def current_session(uow: UnitOfWork, token: str | None) -> SignedIn | None:
    """The live session behind a cookie, or None (unknown, expired, another merchant's)."""
    if not token or session_merchant(token) != uow.merchant:
        return None
    session = uow.session.scalar(
        select(StaffSession).where(
            StaffSession.merchant_id == uow.merchant,
            StaffSession.session_hash == hash_secret(token),
        )
    )
    if session is None or session.expires_at <= uow.clock.now():
        return None
    account = uow.session.get(StaffAccount, (uow.merchant, session.staff_id))
    if account is None or not account.active:
        return None
    return SignedIn(account, session)


def end_session(uow: UnitOfWork, token: str | None) -> bool:
    """Sign out: the session row goes, so the cookie is worthless even if kept."""
    if not token or session_merchant(token) != uow.merchant:
        return False
    session = uow.session.get(StaffSession, (uow.merchant, hash_secret(token)))
    if session is None:
        return False
    uow.session.delete(session)
    uow.session.flush()
    return True


def csrf_ok(expected: str | None, submitted: str | None) -> bool:
    """Constant-time comparison of a form's CSRF token with the one it must carry."""
    if not expected or not submitted:
        return False
    return hmac.compare_digest(expected.encode(), submitted.encode())
