"""Pure staff rules: who may sign in how often (and whose right password gets
in whatever failures came from elsewhere), how long a session lasts, what a
password must be, and how an amount typed at the counter is read.

Imports no database, web framework or hashing library: these are the
policies, testable with plain values.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from servefirst.kit.errors import Conflict, InvalidRequest, RateLimited
from servefirst.kit.i18n import N_


class Access(StrEnum):
    """What a member may do in the console, each level all the one below may.

    Separate from the free-text job title (``role``: "barista", "stylist"):
    a head barista may be a manager, an owner may work the counter.
    """

    STAFF = "staff"  # takes orders, serves, records payments
    MANAGER = "manager"  # also resolves concerns, voids lines, refunds, closes the day
    OWNER = "owner"  # also money reports, settings and staff

    @property
    def rank(self) -> int:
        return _ACCESS_ORDER.index(self)

    def allows(self, needed: Access | str) -> bool:
        return self.rank >= Access(needed).rank


_ACCESS_ORDER = (Access.STAFF, Access.MANAGER, Access.OWNER)

#: A job title is free text, shown beside the name; long enough for "Senior colour specialist".
MAX_ROLE_LENGTH = 40
#: As long as the API's names (``api.fields.Name``) and the column.
MAX_NAME_LENGTH = 200


def access_for_role(role: str) -> Access:
    """The access a member gets when none is given: an 'owner' title owns, anyone else is staff.

    Keeps clients written before access levels existed (they sent role 'owner')."""
    return Access.OWNER if role.strip().lower() == "owner" else Access.STAFF


def leaving_refusal(
    name: str, *, is_self: bool, is_owner: bool, other_owners: int, upcoming: int
) -> Conflict | None:
    """Why ``name`` may not be marked as having left, or None if they may.

    The business keeps someone who can run it (an owner besides them), nobody
    locks themselves out by mistake, and no customer turns up for a person who
    is gone: bookings still to come are moved or cancelled first, by the owner
    who knows the customers (the answer says how many).
    """
    if is_self:
        return Conflict(
            N_("You cannot mark yourself as having left; another owner can."),
            code="staff_is_you",
            param="active",
        )
    if is_owner and other_owners == 0:
        return last_owner(name, param="active")
    if upcoming:
        return Conflict(
            f"{name} still has {upcoming} booking to come: move it to someone else or cancel"
            " it first."
            if upcoming == 1
            else f"{name} still has {upcoming} bookings to come: move them to someone else or"
            " cancel them first.",
            code="staff_has_bookings",
            param="active",
            details={"upcoming_bookings": upcoming},
            figures={"name": name, "count": upcoming},
        )
    return None


def last_owner(name: str, *, param: str) -> Conflict:
    """The business keeps someone who can run it: its last owner neither
    leaves nor steps down (``param``: ``active`` or ``access``)."""
    return Conflict(
        f"{name} is the last owner: make someone else an owner first.",
        code="last_owner",
        param=param,
        figures={
            "words": N_("%(name)s is the last owner: make someone else an owner first."),
            "name": name,
        },
    )


#: The most commission a member earns: all of what their lines were paid.
MAX_COMMISSION_PERCENT = Decimal(100)
_COMMISSION_WORDS = N_(
    "Give the commission as a percent from 0 to 100, with at most two decimals, like %(example)s."
)


def commission_from_percent(typed: str, *, example: str = "12.5") -> int | None:
    """A commission typed on a console form as a percent ('12', '12.5', or
    '12,5' as Portuguese writes it) in the basis points it is kept in; blank:
    None (no change). Anything else is refused beside the field, in words
    (``example``: the same figure written the reader's way)."""
    text = typed.strip().replace("%", "").strip()
    if not text:
        return None
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")  # a decimal comma
    try:
        percent = Decimal(text)
    except InvalidOperation:
        percent = Decimal("NaN")
    if (
        not percent.is_finite()
        or not 0 <= percent <= MAX_COMMISSION_PERCENT
        or percent.as_tuple().exponent < -2  # type: ignore[operator]
    ):
        raise InvalidRequest(
            f"'{typed[:20]}' is not a commission: a percent from 0 to 100, at most two decimals.",
            param="commission",
            figures={"words": _COMMISSION_WORDS, "example": example},
        )
    return int(percent * 100)


#: NIST SP 800-63B asks for at least 8; a shared counter tablet deserves a bit more.
MIN_PASSWORD_LENGTH = 10
#: Argon2 hashes anything, but a megabyte "password" is an attack, not a password.
MAX_PASSWORD_LENGTH = 256

#: Sign-in failures allowed per e-mail within the window, before it is refused:
#: enough for honest typos, too few to guess a password.
EMAIL_FAILURE_LIMIT = 5
#: Failures allowed per client address within the window (a shop's staff share
#: one address, hence higher than per e-mail).
IP_FAILURE_LIMIT = 20
FAILURE_WINDOW = timedelta(minutes=15)
#: The first lockout lasts one window; each lockout in a row doubles it, up to a day.
LONGEST_LOCKOUT = timedelta(hours=24)
#: A key a day quiet after its last lockout starts again from a short one.
LOCKOUTS_FORGOTTEN_AFTER = timedelta(hours=24)
#: An address or a browser that signed in to an account within this long is
#: "known" for it: its right password gets in whatever failures came from elsewhere.
KNOWN_FOR = timedelta(days=90)

#: A session lasts a long shift, then the tablet asks again.
SESSION_LIFETIME = timedelta(hours=12)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def check_email(email: str) -> str:
    """The e-mail to store, or 422."""
    normal = normalize_email(email)
    if not _EMAIL.match(normal) or len(normal) > 320:
        raise InvalidRequest("Enter a valid e-mail address.", code="email_invalid", param="email")
    return normal


def password_problem(password: str, email: str = "") -> str | None:
    """Why this password is refused, in words for the person choosing it; None if fine."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"A password needs at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"A password may have at most {MAX_PASSWORD_LENGTH} characters."
    if password.strip() == "" or len(set(password)) < 3:
        return "That password is too easy to guess."
    if email and password.strip().lower() == normalize_email(email):
        return "The password must not be the e-mail address."
    return None


#: The password page's refusals of its own, said again in the reader's words (``kit.refusals``).
CURRENT_MISSING = N_("Type the password you sign in with now.")
CONFIRMATION_DIFFERS = N_("The two new passwords differ: type the same one in both boxes.")


def new_password_refusal(
    current: str, new: str, confirmation: str, email: str
) -> InvalidRequest | None:
    """Why a change of one's own password is refused before the current one
    is checked (nothing about the account is needed to say so), or None.
    Each refusal names the field it is said beside."""
    if not current:
        return InvalidRequest(CURRENT_MISSING, code="parameter_missing", param="current_password")
    problem = password_problem(new, email)
    if problem:
        return InvalidRequest(problem, code="password_too_weak", param="new_password")
    if confirmation != new:
        return InvalidRequest(
            CONFIRMATION_DIFFERS, code="password_mismatch", param="confirm_password"
        )
    return None


class ThrottleKind(StrEnum):
    """What a sign-in try is counted against (NIST SP 800-63B, 5.2.2)."""

    EMAIL = "email"  # the account, tried from a browser and address it has not seen
    ADDRESS = "address"  # every try from one client address that is not known
    KNOWN = "known"  # the account from one known browser or address, on its own count


@dataclass(frozen=True)
class ThrottleKey:
    kind: ThrottleKind
    value: str

    @property
    def key(self) -> str:
        return f"{self.kind.value}:{self.value}"

    @property
    def limit(self) -> int:
        return IP_FAILURE_LIMIT if self.kind is ThrottleKind.ADDRESS else EMAIL_FAILURE_LIMIT


def throttle_keys(email_hash: str, client_ip: str, known_as: str | None) -> list[ThrottleKey]:
    """The counts a try goes against, in a fixed order (rows are locked in it).

    ``known_as``: the known browser or address the try comes from, if any. Such
    a try counts only against its own pair (this account from there), so no
    one elsewhere can lock the account's owner out, nor can a busy shop address
    lock out the staff who sign in there every day.
    """
    if known_as is not None:
        return [ThrottleKey(ThrottleKind.KNOWN, f"{email_hash}:{known_as}")]
    keys = [
        ThrottleKey(ThrottleKind.ADDRESS, client_ip),
        ThrottleKey(ThrottleKind.EMAIL, email_hash),
    ]
    return sorted(keys, key=lambda k: k.key)


@dataclass(frozen=True)
class Tries:
    """One key's count: tries in the current window (failed, or still being
    checked), and its lockouts in a row."""

    count: int = 0
    window_ends: datetime | None = None
    lockouts: int = 0
    locked_until: datetime | None = None


def lockout_length(lockouts: int) -> timedelta:
    """The ``lockouts``-th lockout in a row: one window, doubling each time, at most a day."""
    return min(FAILURE_WINDOW * 2 ** max(lockouts - 1, 0), LONGEST_LOCKOUT)


def count_try(tries: Tries, limit: int, now: datetime) -> tuple[Tries, datetime | None]:
    """One more try against a key. Returns the key's new count and, if the try
    is refused, until when. The try is counted *before* its password is
    checked (and given back if it succeeds), so tries running at the same time
    each see the others and at most ``limit`` of them are checked."""
    if tries.locked_until is not None and now < tries.locked_until:
        return tries, tries.locked_until
    if tries.window_ends is None or now >= tries.window_ends:
        quiet = tries.locked_until is None or now - tries.locked_until >= LOCKOUTS_FORGOTTEN_AFTER
        tries = Tries(0, now + FAILURE_WINDOW, 0 if quiet else tries.lockouts, tries.locked_until)
    if tries.count >= limit:
        lockouts = tries.lockouts + 1
        until = now + lockout_length(lockouts)
        return Tries(0, until, lockouts, until), until
    return replace(tries, count=tries.count + 1), None


def give_back(tries: Tries) -> Tries:
    """A try that succeeded is no failure: it leaves the count."""
    return replace(tries, count=max(tries.count - 1, 0))


class SignInThrottled(RateLimited):
    """Too many failed sign-ins: refused before the password is checked."""

    def __init__(self, message: str, *, retry_after: int, for_address: bool = False) -> None:
        super().__init__(message, code="sign_in_rate_limited")
        #: Seconds until a try may be checked again (the ``Retry-After`` header).
        self.retry_after = retry_after
        #: Locked for the address tries came from, not for one e-mail.
        self.for_address = for_address


def refusal(kind: ThrottleKind, until: datetime, now: datetime) -> SignInThrottled:
    """The refusal of a try whose ``kind`` of count is locked until ``until``."""
    seconds = max(math.ceil((until - now).total_seconds()), 1)
    minutes = _minutes(timedelta(seconds=seconds))
    wait = f"Wait {minutes} minute{'s' if minutes > 1 else ''}"
    if kind is ThrottleKind.ADDRESS:
        message = f"Too many failed sign-ins from here. {wait}."
    else:
        message = (
            f"Too many failed sign-ins for this e-mail. {wait}, "
            "or ask the owner to reset the password."
        )
    return SignInThrottled(message, retry_after=seconds, for_address=kind is ThrottleKind.ADDRESS)


def _minutes(delta: timedelta) -> int:
    return max(math.ceil(delta.total_seconds() / 60), 1)


def count_seen(seen: str) -> int | None:
    """A console form says how many of something (a payment's refunds, a
    tab's payments) its page showed; the use case compares it once the tab is
    held for the write (``tabs.rules.ensure_nothing_paid_since``,
    ``refund_rules.ensure_nothing_refunded_since``). A form from before it
    carried the count (``seen`` not a number) has nothing to compare: None."""
    return int(seen) if seen.isdigit() else None
