"""The console's new-customer form adds its customer once, however often it
is sent.

"Add customer" tapped twice (a double tap, a slow connection) sent the form
twice, and a customer with neither e-mail nor phone, whom the likely-duplicate
warning cannot recognise, was added twice. The form carries a one-time key
(``attempt``, drawn with the page), claimed in the idempotency store as the
online booking form's is (``web.booking_once``): the claim is taken in a short
transaction of its own, and the customer's page is written as the key's
answer in the customer's own transaction (``answer``), so the two commit
together or not at all. A second send finds the answer and goes to the one
customer made; a send while the first is still running is told so; a refusal
(no name, a likely duplicate, an expired form) leaves the key unanswered and
``settle`` frees it for the form sent again.

The key counts with what was typed: the page's form sent back after a change
(another name, "add anyway" after the warning) is another request and adds
whom it now names.
"""

from __future__ import annotations

import hashlib

from servefirst.db.uow import UnitOfWork
from servefirst.idempotency import forms
from servefirst.idempotency.forms import Attempt
from servefirst.kit.typed import NUL
from servefirst.runtime import Runtime

SCOPE = "console_customer"
#: Of a key the browser sent, what is kept (the rest is the typed entries' digest).
_ATTEMPT_LENGTH = 128


def begin(rt: Runtime, merchant_id: str | None, attempt: str, typed: tuple[str, ...]) -> Attempt:
    """Claim ``attempt`` for the customer ``typed`` names; ``done_at``: where
    the first send went. No key, no signed-in merchant, or a NUL (which the
    form refuses, and PostgreSQL cannot compare): nothing is claimed.
    A send while the first is still running: ``IdempotencyError`` (409)."""
    if not attempt or merchant_id is None or NUL in attempt:
        return Attempt()
    digest = hashlib.sha256("\0".join(typed).encode()).hexdigest()
    return forms.claim(
        rt,
        merchant_id=merchant_id,
        scope=SCOPE,
        key=f"{attempt[:_ATTEMPT_LENGTH]}.{digest}",
        fingerprint=digest,
    )


def answer(uow: UnitOfWork, attempt: Attempt, where: str) -> None:
    """The customer's page as the key's answer, in the customer's transaction."""
    if attempt.claim is not None:
        uow.idempotency_keys.answer(attempt.claim, 303, where)


def settle(rt: Runtime, attempt: Attempt) -> None:
    """Once the send is over: a key left unanswered (nothing was added) is free."""
    forms.free(rt, attempt)
