"""Pure staff rules: who may sign in how often, how long a session lasts,
what a password must be, and how an amount typed at the counter is read.

Imports no database, web framework or hashing library: these are the
policies, testable with plain values.
"""

from __future__ import annotations

import re
from datetime import timedelta
from enum import StrEnum

from servefirst.kit.errors import InvalidRequest


class Role(StrEnum):
    OWNER = "owner"  # runs the business: everything staff can, and (later) settings
    STAFF = "staff"  # works the counter: tabs, payments, concerns


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


def lockout_reason(email_failures: int, ip_failures: int) -> str | None:
    """Why a sign-in is refused before the password is even checked; None if it may go on."""
    if email_failures >= EMAIL_FAILURE_LIMIT:
        return (
            f"Too many failed sign-ins for this e-mail. Wait {_minutes(FAILURE_WINDOW)} "
            "minutes, or ask the owner to reset the password."
        )
    if ip_failures >= IP_FAILURE_LIMIT:
        return f"Too many failed sign-ins from here. Wait {_minutes(FAILURE_WINDOW)} minutes."
    return None


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)
