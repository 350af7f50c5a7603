"""Ids, tokens and short codes: unguessable as credentials, readable when read aloud."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from servefirst.kit.ids import (
    SHORT_CODE_ALPHABET,
    SHORT_CODE_LENGTH,
    hash_secret,
    merchant_of_credential,
    new_api_key,
    new_id,
    new_merchant_id,
    new_referral_code,
    new_short_code,
    new_tab_token,
)

DRAWS = 5_000
B32 = "[a-z2-7]"


def _urlsafe_bits(secret: str) -> int:
    """Bits carried by a ``secrets.token_urlsafe`` string (decoded back to its bytes)."""
    raw = base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))
    return len(raw) * 8


# --- object ids --------------------------------------------------------------------------------


def test_object_ids_say_what_they_are() -> None:
    tab_id = new_id("tab")
    assert re.fullmatch(rf"tab_{B32}{{16}}", tab_id), tab_id  # 80 bits of base32


def test_merchant_ids_are_short_and_url_safe() -> None:
    merchant = new_merchant_id()
    assert re.fullmatch(rf"mer_{B32}{{8}}", merchant), merchant  # 40 bits


def test_object_ids_do_not_repeat() -> None:
    assert len({new_id("tab") for _ in range(DRAWS)}) == DRAWS


# --- tab tokens --------------------------------------------------------------------------------


def test_a_tab_token_carries_its_merchant_and_at_least_128_secret_bits() -> None:
    merchant = new_merchant_id()
    token = new_tab_token(merchant)
    prefix, secret = token.split(".", 1)
    assert prefix == merchant
    assert re.fullmatch(r"[A-Za-z0-9_-]+", secret), secret  # fits in a URL path as is
    assert _urlsafe_bits(secret) >= 128
    assert merchant_of_credential(token) == merchant


def test_tab_tokens_do_not_repeat_and_look_random() -> None:
    merchant = new_merchant_id()
    secrets_seen = {new_tab_token(merchant).split(".", 1)[1] for _ in range(DRAWS)}
    assert len(secrets_seen) == DRAWS
    # every base64 character turns up across many tokens: no fixed or narrow part
    assert set("".join(secrets_seen)) == set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    )


# --- API keys ----------------------------------------------------------------------------------


def test_an_api_key_carries_its_merchant_and_256_secret_bits() -> None:
    merchant = new_merchant_id()
    key = new_api_key(merchant)
    assert key.startswith(f"sk_{merchant}_")
    secret = key[len(f"sk_{merchant}_") :]
    assert _urlsafe_bits(secret) >= 256
    assert merchant_of_credential(key) == merchant


def test_merchant_of_every_api_key_even_with_underscores_in_the_secret() -> None:
    # token_urlsafe uses '_' too: the merchant must still be read correctly.
    merchant = new_merchant_id()
    keys = [new_api_key(merchant) for _ in range(500)]
    assert any("_" in k[len(f"sk_{merchant}_") :] for k in keys)
    assert {merchant_of_credential(k) for k in keys} == {merchant}


def test_api_keys_do_not_repeat() -> None:
    merchant = new_merchant_id()
    assert len({new_api_key(merchant) for _ in range(DRAWS)}) == DRAWS


@pytest.mark.parametrize(
    "credential",
    ["", "garbage", "sk_live_abc", "sk_mer_abc", "mer_abcdefgh", "tab_abc.def", "Bearer x"],
)
def test_no_merchant_in_a_malformed_credential(credential: str) -> None:
    assert merchant_of_credential(credential) is None


def test_known_shapes_of_credentials() -> None:
    assert merchant_of_credential("sk_mer_abcdefgh_s3cr3t_with_underscores") == "mer_abcdefgh"
    assert merchant_of_credential("mer_abcdefgh.s3cr3t") == "mer_abcdefgh"


def test_api_keys_are_stored_as_a_sha256_hash() -> None:
    key = new_api_key(new_merchant_id())
    digest = hash_secret(key)
    assert digest == hashlib.sha256(key.encode()).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert key not in digest
    assert hash_secret(key) == digest  # stable: the same key finds the same row
    assert hash_secret(key + "x") != digest


# --- short codes -------------------------------------------------------------------------------


def test_short_code_alphabet_has_no_look_alikes() -> None:
    for confusable in "01OIL":
        assert confusable not in SHORT_CODE_ALPHABET
    assert len(set(SHORT_CODE_ALPHABET)) == len(SHORT_CODE_ALPHABET) == 31
    assert SHORT_CODE_ALPHABET.isupper() or SHORT_CODE_ALPHABET.isdigit()


def test_short_codes_use_only_the_unambiguous_alphabet() -> None:
    codes = [new_short_code() for _ in range(DRAWS)]
    assert all(len(code) == SHORT_CODE_LENGTH == 6 for code in codes)
    used = set("".join(codes))
    assert used <= set(SHORT_CODE_ALPHABET)
    assert used == set(SHORT_CODE_ALPHABET)  # and all of it, over many draws


def test_short_codes_rarely_repeat() -> None:
    # 31**6 is about 887 million codes: among 5000 draws a repeat or two is
    # possible (birthday odds ~1.4%), a dozen would mean the codes are not random.
    codes = [new_short_code() for _ in range(DRAWS)]
    assert len(set(codes)) >= DRAWS - 10


def test_referral_codes_are_eight_readable_characters() -> None:
    codes = [new_referral_code() for _ in range(DRAWS)]
    assert all(len(c) == 8 and set(c) <= set(SHORT_CODE_ALPHABET) for c in codes)
    assert len(set(codes)) == DRAWS  # 31**8 ~ 8.5e11: a repeat here would be a bug
