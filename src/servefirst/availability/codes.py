"""A returning customer shows their e-mail is theirs with a one-time code,
and books as the customer the business knows (their trust decides the deposit).

Nothing here may tell a stranger whether an e-mail is a customer's. Asking for
a code does the same work and sends the same e-mail whoever the address
belongs to: a row, a message in the outbox, and no look at the customers at
all. Only once the code is confirmed, which only the mailbox's owner can do,
is the customer looked up. An address that is nobody's yet gets the same code,
and confirming it books as a new customer whose e-mail is now known to be
real: the person is never stuck (they may have come before under another
address), and a message saying "no bookings found" would be a second kind of
e-mail, its own shape to keep identical.

Until the code is confirmed the deposit is a newcomer's, as for everyone
online. Codes are limited per e-mail and per address (``EMAIL_LIMIT``,
``ADDRESS_LIMIT``), work for ten minutes and five tries, and a confirmed one
makes one booking. The code itself is never stored (``kit.onetime``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from servefirst.availability import repository
from servefirst.availability.models import BookingCode
from servefirst.availability.online import newcomer_deposit
from servefirst.bookings import service as bookings
from servefirst.catalog.service import get_service
from servefirst.customers.rules import email_key
from servefirst.customers.service import customer_with_email
from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import InvalidRequest, RateLimited
from servefirst.kit.ids import new_id
from servefirst.kit.onetime import CODE_ATTEMPTS, CODE_LIFETIME, PROOF_LIFETIME, code_matches
from servefirst.messages.service import queue_code

if TYPE_CHECKING:
    from servefirst.bookings.rules import DepositDecision
    from servefirst.customers.models import Customer

#: Codes one e-mail may be sent in a window: a lost e-mail asked again, not a
#: mailbox flooded by someone else.
EMAIL_LIMIT, EMAIL_WINDOW = 3, timedelta(minutes=15)
#: Codes asked from one address in a window: a household or a salon's Wi-Fi
#: asks a few; a script trying addresses is stopped.
ADDRESS_LIMIT, ADDRESS_WINDOW = 10, timedelta(hours=1)
#: Rows are forgotten after this: longer than any window or proof.
KEPT = timedelta(days=1)


class CodeCheck(StrEnum):
    CONFIRMED = "confirmed"  # the right code: the e-mail is the person's
    WRONG = "wrong"  # another try is allowed
    SPENT = "spent"  # expired, used, or out of tries: ask for a new code


@dataclass(frozen=True)
class Checked:
    outcome: CodeCheck
    tries_left: int = 0


def ask_code(uow: UnitOfWork, *, email: str, client_ip: str) -> str:
    """E-mail a code to ``email`` (through the outbox); the request's id, for
    the form that takes the code back. 429 past a limit, the same for any e-mail."""
    now = uow.clock.now()
    key = email_key(email) or ""
    repository.lock_code_asks(uow, [f"email:{key}", f"ip:{client_ip}"])
    repository.forget_codes(uow, now - KEPT)
    if (
        repository.codes_asked_since(uow, now - EMAIL_WINDOW, email_key=key) >= EMAIL_LIMIT
        or repository.codes_asked_since(uow, now - ADDRESS_WINDOW, client_ip=client_ip)
        >= ADDRESS_LIMIT
    ):
        raise RateLimited(
            "Too many codes were asked for just now; wait a few minutes, or book as new.",
            code="email_code_rate_limited",
            param="email",
        )
    code_id = new_id("bkc")
    repository.add_code(
        uow,
        BookingCode(
            merchant_id=uow.merchant,
            code_id=code_id,
            email=email,
            email_key=key,
            client_ip=client_ip[:64],
            attempts=0,
            created_at=now,
            expires_at=now + CODE_LIFETIME,
        ),
    )
    queue_code(uow, code_id=code_id, email=email, now=now)
    return code_id


def confirm_code(uow: UnitOfWork, code_id: str, typed: str, *, secret: str) -> Checked:
    """Count one try of a code and say how it went. Returned, not raised: the
    caller commits the try whatever it was, so tries cannot be had for free."""
    row = repository.code_row(uow, code_id)
    now = uow.clock.now()
    if row is None or row.used_at is not None or now >= row.expires_at:
        return Checked(CodeCheck.SPENT)
    if row.attempts >= CODE_ATTEMPTS:
        return Checked(CodeCheck.SPENT)
    row.attempts += 1  # a code typed again after confirming counts too
    if code_matches(secret, uow.merchant, row.code_id, typed):
        row.confirmed_at = row.confirmed_at or now
        uow.session.flush()
        return Checked(CodeCheck.CONFIRMED)
    uow.session.flush()
    left = CODE_ATTEMPTS - row.attempts
    return Checked(CodeCheck.WRONG, left) if left else Checked(CodeCheck.SPENT)


def confirm_or_refuse(uow: UnitOfWork, code_id: str, typed: str, *, secret: str) -> BookingCode:
    """``confirm_code`` for a caller that answers a refusal as an error (the
    API): the try is committed first, whatever it was, so a refusal rolled
    back after it does not give the try back. The confirmed row, whose id is
    the proof a booking carries."""
    checked = confirm_code(uow, code_id, typed, secret=secret)
    uow.commit()
    if checked.outcome is CodeCheck.WRONG:
        raise InvalidRequest(
            f"That code is not right; {checked.tries_left} more tries.",
            code="email_code_wrong",
            param="code",
            details={"tries_left": checked.tries_left},
        )
    if checked.outcome is CodeCheck.SPENT:
        raise InvalidRequest(
            "This code no longer works (expired, used or out of tries); ask for a new one.",
            code="email_code_expired",
            param="code",
        )
    row = repository.code_row(uow, code_id)
    assert row is not None and row.confirmed_at is not None
    return row


def _proof(uow: UnitOfWork, code_id: str, email: str) -> BookingCode:
    """A confirmed code for this e-mail, not used and not stale, or a refusal."""
    row = repository.code_row(uow, code_id)
    now = uow.clock.now()
    if (
        row is None
        or row.confirmed_at is None
        or row.used_at is not None
        or now >= row.confirmed_at + PROOF_LIFETIME
    ):
        raise InvalidRequest(
            "The e-mail's confirmation is no longer valid; confirm it again, or book as new.",
            code="email_code_expired",
            param="code",
        )
    if row.email_key != email_key(email):
        # Only the holder of the proof learns this, and about their own e-mail.
        raise InvalidRequest(
            "This confirmation is for another e-mail; book with the e-mail that was confirmed.",
            code="email_proof_mismatch",
            param="email",
        )
    return row


def returning_customer(uow: UnitOfWork, code_id: str, email: str) -> Customer | None:
    """The customer a confirmed e-mail belongs to, or None (a new one)."""
    return customer_with_email(uow, _proof(uow, code_id, email).email)


def returning_deposit(
    uow: UnitOfWork, *, code_id: str, service_id: str, starts_at: datetime, name: str, email: str
) -> DepositDecision:
    """The deposit booking will ask once the e-mail is confirmed: the known
    customer's, by their trust; a newcomer's for an e-mail nobody has yet."""
    customer = returning_customer(uow, code_id, email)
    if customer is None:
        return newcomer_deposit(
            uow, service_id=service_id, starts_at=starts_at, name=name, email=email
        )
    service = get_service(uow, service_id)
    policy = bookings.deposit_policy(uow, service.deposit_policy)
    return bookings.deposit_decision(uow, policy, customer, service, starts_at)


def use_proof(uow: UnitOfWork, code_id: str, email: str) -> str | None:
    """Use a confirmed e-mail up for the booking made in this transaction: the
    customer it belongs to, or None to make a new one with it (a refusal of the
    booking rolls this back too, and the person may try another time)."""
    proof = _proof(uow, code_id, email)
    proof.used_at = uow.clock.now()
    customer = customer_with_email(uow, proof.email)
    return customer.customer_id if customer else None


def give_back_proof(uow: UnitOfWork, code_id: str) -> None:
    """The booking a confirmation was used for was taken back (its card
    declined after the booking was kept, ``bookings.deposit_phases``): the
    confirmation has made no booking, and may make one."""
    row = repository.code_row(uow, code_id)
    if row is not None and row.used_at is not None:
        row.used_at = None
        uow.session.flush()
