"""While the tab page asks about a large tip, the card field keeps a sandbox
test card (a public number) so the yes needs no typing; any other number,
and any number outside test mode, is typed again: a real card number is never
written into a page."""

from __future__ import annotations

import pytest

from servefirst.payments.gateways import SANDBOX_CARDS
from servefirst.web.pay_form import card_to_keep


@pytest.mark.parametrize("number", sorted(SANDBOX_CARDS))
def test_every_sandbox_test_card_is_kept_as_typed_in_test_mode(number: str) -> None:
    spaced = " ".join(number[i : i + 4] for i in range(0, 16, 4))
    assert card_to_keep(number, test_mode=True) == number
    assert card_to_keep(f" {spaced} ", test_mode=True) == spaced
    assert card_to_keep(number.replace("4242", "4242-"), test_mode=True) != ""


@pytest.mark.parametrize("number", ["4000 0566 5566 5556", "5555555555554444", "4242", ""])
def test_a_number_that_may_be_a_real_card_is_never_kept(number: str) -> None:
    assert card_to_keep(number, test_mode=True) == ""


def test_outside_test_mode_no_card_is_kept() -> None:
    assert card_to_keep("4242424242424242", test_mode=False) == ""
