"""One-time codes sent by e-mail: six digits a person types back to show the
address is theirs.

A code is never stored. It is an HMAC, under the server's secret key, of the
random id of the row that asked for it, cut to six digits: the e-mail is
written from the id when it is sent, and a typed code is checked against the
id again. A copy of the database alone therefore gives away no code (a plain
hash of six digits would be undone by trying all million), and there is no
window while an unsent code sits in the outbox in clear.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

#: How long a code works: long enough to switch to the mail app and back.
CODE_LIFETIME = timedelta(minutes=10)
#: Codes typed for one request before it is spent: 5 tries in a million.
CODE_ATTEMPTS = 5
#: How long a confirmed code stands for the person while they finish booking.
PROOF_LIFETIME = timedelta(minutes=30)
CODE_DIGITS = 6


def code_for(secret: str, merchant_id: str, request_id: str) -> str:
    """The code for one request: the same every time it is worked out."""
    digest = hmac.new(
        secret.encode(), f"servefirst-code\0{merchant_id}\0{request_id}".encode(), hashlib.sha256
    ).digest()
    return str(int.from_bytes(digest[:8], "big") % 10**CODE_DIGITS).zfill(CODE_DIGITS)


def code_matches(secret: str, merchant_id: str, request_id: str, typed: str) -> bool:
    """Whether ``typed`` is the request's code (spaces and dashes ignored),
    compared in constant time."""
    cleaned = "".join(ch for ch in typed if ch in "0123456789")[: CODE_DIGITS + 1]
    expected = code_for(secret, merchant_id, request_id)
    return hmac.compare_digest(cleaned.encode(), expected.encode())


def spaced(code: str) -> str:
    """'123 456': easier to read and to type."""
    return f"{code[:3]} {code[3:]}"
