"""A merchant's Stripe keys as they are pasted from the dashboard (pure rules)."""

from __future__ import annotations

import pytest

from servefirst.kit.errors import InvalidRequest
from servefirst.payments.gateway_rules import MAX_KEY_LENGTH, StripeKeys, stripe_keys


def test_keys_pasted_with_a_space_or_a_line_break_around_them_are_kept_tidy() -> None:
    assert stripe_keys(" sk_live_abc\n", "pk_live_abc \r\n", "\twhsec_abc") == StripeKeys(
        "sk_live_abc", "pk_live_abc", "whsec_abc"
    )


def test_a_restricted_key_stands_for_the_secret_one() -> None:
    assert stripe_keys("rk_test_abc", "pk_test_abc", "whsec_abc").secret_key == "rk_test_abc"


@pytest.mark.parametrize(
    ("keys", "param", "words"),
    [
        (("sk_live_abc", "pk_test_abc", "whsec_abc"), "publishable_key", "same mode"),
        (("rk_test_abc", "pk_live_abc", "whsec_abc"), "publishable_key", "same mode"),
        (("sk_live_a bc", "pk_live_abc", "whsec_abc"), "secret_key", "space or a line break"),
        (("sk_live_abc", "pk_live_abc", "whsec_a\nbc"), "webhook_secret", "line break"),
        (("   ", "pk_live_abc", "whsec_abc"), "secret_key", "needs `secret_key`"),
        (("pk_live_abc", "pk_live_abc", "whsec_abc"), "secret_key", "start with sk_ or rk_"),
    ],
)
def test_a_key_that_cannot_work_is_refused_by_name(
    keys: tuple[str, str, str], param: str, words: str
) -> None:
    with pytest.raises(InvalidRequest) as refused:
        stripe_keys(*keys)
    assert refused.value.param == param
    assert words in refused.value.message


@pytest.mark.parametrize(
    ("keys", "words"),
    [
        (("sk_live_abc", "pk_test_abc", "whsec_abc"), "This is a test key but the secret key"),
        (("sk_test_abc", "pk_live_abc", "whsec_abc"), "This is a live key but the secret key"),
        (("sk_live_a bc", "pk_live_abc", "whsec_abc"), "This key has a space or a line break"),
        (("", "pk_live_abc", "whsec_abc"), "Paste this key from the Stripe dashboard."),
        (("pk_live_abc", "pk_live_abc", "whsec_abc"), "A secret key starts with sk_"),
        (("sk_live_abc", "sk_live_abc", "whsec_abc"), "A publishable key starts with pk_"),
        (("sk_live_abc", "pk_live_abc", "sk_abc"), "A signing secret starts with whsec_"),
    ],
)
def test_each_refusal_carries_the_owner_s_words_for_the_console_form(
    keys: tuple[str, str, str], words: str
) -> None:
    """The form says the refusal beside its field, without the API's field names."""
    with pytest.raises(InvalidRequest) as refused:
        stripe_keys(*keys)
    said = refused.value.figures["words"]
    assert said.startswith(words) and "`" not in said


def test_a_key_longer_than_any_stripe_key_is_refused_before_it_is_kept() -> None:
    with pytest.raises(InvalidRequest) as refused:
        stripe_keys("sk_live_abc", "pk_live_" + "a" * MAX_KEY_LENGTH, "whsec_abc")
    assert refused.value.param == "publishable_key"
    assert stripe_keys("sk_live_abc", "pk_live_" + "a" * 247, "whsec_abc")  # 255: kept
