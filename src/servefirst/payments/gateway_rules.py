"""Pure rules of a merchant's Stripe keys: what a key pasted from Stripe's
dashboard must look like before it is sealed and kept.

Keys are copied by hand: a space or a line break comes along, and a live key
gets paired with a test one. Each would be kept quietly and every card
payment would then fail at Stripe with words the merchant never sees, so the
keys are tidied (surrounding whitespace dropped) and checked here, each named
in the refusal. The API's message names the field; the console's form says
the same refusal beside that field in the owner's language (``figures["words"]``).
"""

from __future__ import annotations

from dataclasses import dataclass

from servefirst.kit.errors import InvalidRequest
from servefirst.kit.i18n import N_

#: What each key starts with (a restricted key ``rk_`` may stand for the secret one).
PREFIXES = {
    "secret_key": ("sk_", "rk_"),
    "publishable_key": ("pk_",),
    "webhook_secret": ("whsec_",),
}
#: The longest key kept (the API's schema says the same of what is sent).
MAX_KEY_LENGTH = 255
#: What the form says beside a key that is not of its kind.
WRONG_KIND_WORDS = {
    "secret_key": N_(
        "A secret key starts with sk_ (or rk_ for a restricted key): copy it from"
        " Developers > API keys."
    ),
    "publishable_key": N_("A publishable key starts with pk_: copy it from Developers > API keys."),
    "webhook_secret": N_(
        "A signing secret starts with whsec_: copy it from the webhook endpoint's page."
    ),
}
#: What the form says beside the publishable key when the two keys' modes differ.
MIXED_WORDS = {
    "live": N_(
        "This is a live key but the secret key is a test key; take both from the same mode"
        " of the Stripe dashboard."
    ),
    "test": N_(
        "This is a test key but the secret key is a live key; take both from the same mode"
        " of the Stripe dashboard."
    ),
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
    secret_mode, public_mode = mode_of(keys.secret_key), mode_of(keys.publishable_key)
    if secret_mode and public_mode and secret_mode != public_mode:
        # A card made with a test publishable key does not exist for a live
        # secret key (and the other way round): every payment would fail.
        raise InvalidRequest(
            f"`publishable_key` is a {public_mode} key but `secret_key` is a {secret_mode} key; "
            "take both from the same mode of the Stripe dashboard.",
            code="parameter_invalid",
            param="publishable_key",
            figures={"words": MIXED_WORDS[public_mode]},
        )
    return keys


def _key(value: str | None, param: str) -> str:
    key = (value or "").strip()
    if not key:
        raise InvalidRequest(
            f"The Stripe gateway needs `{param}` (from the Stripe dashboard).",
            code="parameter_missing",
            param=param,
            figures={"words": N_("Paste this key from the Stripe dashboard.")},
        )
    prefixes = PREFIXES[param]
    if not key.startswith(prefixes):
        raise InvalidRequest(
            f"`{param}` should start with {' or '.join(prefixes)}.",
            code="parameter_invalid",
            param=param,
            figures={"words": WRONG_KIND_WORDS[param]},
        )
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidRequest(
            f"`{param}` is longer than {MAX_KEY_LENGTH} characters; copy just the key.",
            code="parameter_invalid",
            param=param,
            figures={"words": N_("This is longer than any Stripe key; copy just the key.")},
        )
    if any(c.isspace() for c in key):
        raise InvalidRequest(
            f"`{param}` has a space or a line break inside it; copy it again from the Stripe "
            "dashboard.",
            code="parameter_invalid",
            param=param,
            figures={
                "words": N_(
                    "This key has a space or a line break inside it; copy it again from the"
                    " Stripe dashboard."
                )
            },
        )
    return key


def mode_of(key: str) -> str | None:
    """``live`` or ``test`` for a key that says which (``sk_live_...``), else None."""
    for mode in ("live", "test"):
        if key.split("_", 2)[1:2] == [mode]:
            return mode
    return None
