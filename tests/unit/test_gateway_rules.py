"""A merchant's Stripe keys as they are pasted from the dashboard (pure rules)."""

from __future__ import annotations

import pytest

from servefirst.kit.errors import InvalidRequest
from servefirst.payments.gateway_rules import StripeKeys, stripe_keys


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
