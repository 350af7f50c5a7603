"""Identifiers, tokens and short codes.

Object ids look like Stripe's (``tab_3KX9...``): a prefix that says what the
thing is, then random base32. Credentials that are looked up *without* a
merchant in hand (API keys, tab tokens) carry the merchant id inside them, so a
lookup can be routed to the merchant's shard (see DESIGN.md, "Beyond one
server").
"""

from __future__ import annotations

import base64
import hashlib
import secrets

# No 0/O, 1/I/L: a short code is read aloud at a counter.
SHORT_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SHORT_CODE_LENGTH = 6


def _b32(nbytes: int) -> str:
    return base64.b32encode(secrets.token_bytes(nbytes)).decode().rstrip("=").lower()


def new_id(prefix: str) -> str:
    """A unique object id: prefix + 80 random bits."""
    return f"{prefix}_{_b32(10)}"


def new_merchant_id() -> str:
    return f"mer_{_b32(5)}"  # 40 bits: merchants are few, and it is embedded in every token


def new_tab_token(merchant_id: str) -> str:
    """The customer's credential for one tab: the merchant, then 192 secret bits."""
    return f"{merchant_id}.{secrets.token_urlsafe(24)}"


def new_api_key(merchant_id: str) -> str:
    """A secret API key: ``sk_<merchant>_<256 random bits>``."""
    return f"sk_{merchant_id}_{secrets.token_urlsafe(32)}"


def merchant_of_credential(credential: str) -> str | None:
    """The merchant id embedded in a tab token or an API key, if well formed."""
    if credential.startswith("sk_mer_"):
        merchant = credential[3:].split("_", 2)
        return "_".join(merchant[:2]) if len(merchant) == 3 else None
    if credential.startswith("mer_") and "." in credential:
        return credential.split(".", 1)[0]
    return None


def hash_secret(secret: str) -> str:
    """SHA-256 of a high-entropy secret. (Passwords use Argon2 instead.)"""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_short_code() -> str:
    return "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH))


def new_referral_code() -> str:
    return "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(8))
