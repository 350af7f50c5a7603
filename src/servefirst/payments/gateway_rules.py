"""Pure rules of a merchant's Stripe keys: what a key pasted from Stripe's
dashboard must look like before it is sealed and kept.

Keys are copied by hand: a space or a line break comes along, and a live key
gets paired with a test one. Each would be kept quietly and every card
payment would then fail at Stripe with words the merchant never sees, so the
keys are tidied (surrounding whitespace dropped) and checked here, each named
in the refusal.
"""

from __future__ import annotations

from dataclasses import dataclass

from servefirst.kit.errors import InvalidRequest

#: What each key starts with (a restricted key ``rk_`` may stand for the secret one).
PREFIXES = {
    "secret_key": ("sk_", "rk_"),
    "publishable_key": ("pk_",),
    "webhook_secret": ("whsec_",),
}


@dataclass(frozen=True)
class StripeKeys:
    secret_key: str
    publishable_key: str
    webhook_secret: str


def stripe_keys(
    secret_key: str | None, publishable_key: str | None, webhook_secret: str | None
) -> StripeKeys:
    """The three keys, tidied, or a 422 naming the first one that is wrong."""
    keys = StripeKeys(
        secret_key=_key(secret_key, "secret_key"),
        publishable_key=_key(publishable_key, "publishable_key"),
        webhook_secret=_key(webhook_secret, "webhook_secret"),
    )
    secret_mode, public_mode = _mode(keys.secret_key), _mode(keys.publishable_key)
    if secret_mode and public_mode and secret_mode != public_mode:
        # A card made with a test publishable key does not exist for a live
        # secret key (and the other way round): every payment would fail.
        raise InvalidRequest(
            f"`publishable_key` is a {public_mode} key but `secret_key` is a {secret_mode} key; "
            "take both from the same mode of the Stripe dashboard.",
            code="parameter_invalid",
            param="publishable_key",
        )
    return keys


def _key(value: str | None, param: str) -> str:
    key = (value or "").strip()
    if not key:
        raise InvalidRequest(
            f"The Stripe gateway needs `{param}` (from the Stripe dashboard).",
            code="parameter_missing",
            param=param,
        )
    prefixes = PREFIXES[param]
    if not key.startswith(prefixes):
        raise InvalidRequest(
            f"`{param}` should start with {' or '.join(prefixes)}.",
            code="parameter_invalid",
            param=param,
        )
    if any(c.isspace() for c in key):
        raise InvalidRequest(
            f"`{param}` has a space or a line break inside it; copy it again from the Stripe "
            "dashboard.",
            code="parameter_invalid",
            param=param,
        )
    return key


def _mode(key: str) -> str | None:
    """``live`` or ``test`` for a key that says which (``sk_live_...``), else None."""
    for mode in ("live", "test"):
        if key.split("_", 2)[1:2] == [mode]:
            return mode
    return None
