"""The console with a payment the customer's bank disputes (SQLite and
PostgreSQL): the tab page offers no refund that would only be refused and
says why in its place; a form sent since the dispute came (a page left open)
is refused in the form's place, in the reader's language, with nothing kept;
a void that would need a refund is refused for the dispute (above the page,
as a refusal of the tab's money is); the owner marks the dispute won on the
disputes page, and the refund is offered again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from servefirst.runtime import Runtime
from tests.conftest import Merchant
from tests.integration import test_stripe_gateway as on_stripe
from tests.integration.test_html_valid import install_vnu, vnu_errors
from tests.integration.test_loyalty_disputes import disputed_at_the_bank, in_words, paid_by_card
from tests.integration.test_pages_staff import Staff
from tests.integration.test_refund_pages import _portuguese
from tests.integration.test_refunds_disputed import Books, part_paid, refunds_asked_of_stripe
from tests.stripe_double import StripeDouble

# The Stripe merchant and the double in front of localstripe (fixtures).
localstripe_port = on_stripe.localstripe_port
stripe_double = on_stripe.stripe_double
stripe_runtime = on_stripe.stripe_runtime
stripe_client = on_stripe.stripe_client
cafe = on_stripe.cafe


@pytest.fixture
def app(stripe_client: TestClient) -> Any:
    """The console on the Stripe merchant's server, which can read its keys."""
    return stripe_client.app


OPEN = {
    "en": "The customer's bank disputes this payment: while the dispute is open it cannot be"
    " refunded (the bank decides whether the money goes back). Once the dispute is marked won,"
    " it can.",
    "pt": "O banco do cliente disputa este pagamento: enquanto a disputa estiver aberta não pode"
    " ser reembolsado (é o banco que decide se o dinheiro é devolvido). Depois de a disputa ser"
    " marcada como ganha, pode.",
}
LOST = {
    "en": "The customer's bank already gave €25.00 of this payment back (the dispute was lost):"
    " a refund would pay it twice.",
    "pt": "O banco do cliente já devolveu 25,00 € deste pagamento (a disputa foi perdida): um"
    " reembolso pagá-lo-ia duas vezes.",
}
VOID = {
    "en": "This tab's payment is disputed with the customer's bank: while the dispute is open, no"
    " refund can make room for this line, so it cannot come off.",
    "pt": "O pagamento desta conta está em disputa com o banco do cliente: enquanto a disputa"
    " estiver aberta, nenhum reembolso pode dar lugar a esta linha, por isso não pode ser"
    " anulada.",
}


def reading(language: str, merchant: Merchant, person: Staff) -> None:
    if language == "pt":
        _portuguese(merchant, person)


def refund_form(tab_id: str, payment_id: str) -> str:
    return f'action="/staff/tabs/{tab_id}/payments/{payment_id}/refund"'


@pytest.mark.parametrize("language", ["en", "pt"])
def test_a_disputed_payment_offers_no_refund_and_says_why_until_the_dispute_is_won(
    cafe: Merchant,
    stripe_double: StripeDouble,
    stripe_runtime: Runtime,
    signed_in: Callable[..., Staff],
    language: str,
) -> None:
    owner = signed_in(cafe, "owner")
    reading(language, cafe, owner)
    tab, paid = paid_by_card(cafe, stripe_double, 2500)
    form = refund_form(tab["id"], paid["id"])
    assert form in owner.get(f"/staff/tabs/{tab['id']}").text
    dispute_id = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 2500)
    page = in_words(owner.get(f"/staff/tabs/{tab['id']}").text)
    assert form not in page
    assert f'data-disputed="{paid["id"]}">{OPEN[language]}</p>' in page
    assert cafe.post(f"/v1/disputes/{dispute_id}/lost").status_code == 200
    page = in_words(owner.get(f"/staff/tabs/{tab['id']}").text)
    assert form not in page and LOST[language] in page

    other, paid_again = paid_by_card(cafe, stripe_double, 2500)
    won = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid_again["id"], 2500)
    disputes = in_words(owner.get("/staff/disputes").text)
    assert f'action="/staff/disputes/{won}/won"' in disputes
    assert ("Mark won" if language == "en" else "Marcar como ganha") in disputes
    marked = owner.post(f"/staff/disputes/{won}/won", follow_redirects=False)
    assert marked.status_code == 303, marked.text
    assert marked.headers["location"] == "/staff/disputes?won=1"
    disputes = in_words(owner.get(marked.headers["location"]).text)
    assert ("Marked won" if language == "en" else "Marcada como ganha") in disputes
    assert f'action="/staff/disputes/{won}/won"' not in disputes
    # A lost dispute is not marked won: refused on the page, in words.
    closed = owner.post(f"/staff/disputes/{dispute_id}/won")
    assert closed.status_code == 409
    assert ("already closed" if language == "en" else "já está encerrada") in closed.text
    page = owner.get(f"/staff/tabs/{other['id']}").text
    assert refund_form(other["id"], paid_again["id"]) in page
    assert 'data-disputed="' not in page


@pytest.mark.parametrize("language", ["en", "pt"])
def test_a_refund_form_sent_after_the_bank_disputed_the_payment_is_refused_in_its_place(
    cafe: Merchant,
    stripe_double: StripeDouble,
    stripe_runtime: Runtime,
    signed_in: Callable[..., Staff],
    language: str,
    tmp_path: Path,
) -> None:
    """The page was shown before Stripe told of the dispute; the manager
    sends its form: refused in the form's place, said once, nothing kept."""
    manager = signed_in(cafe, "manager")
    reading(language, cafe, manager)
    tab, paid = paid_by_card(cafe, stripe_double, 2500)
    assert refund_form(tab["id"], paid["id"]) in manager.get(f"/staff/tabs/{tab['id']}").text
    dispute_id = disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 2500)
    books = Books(cafe, stripe_double, paid["id"], tab["id"])
    refused = manager.post(
        f"/staff/tabs/{tab['id']}/payments/{paid['id']}/refund",
        {"amount": "", "tip": "", "reason": "Unhappy", "refunds_seen": "0"},
    )
    assert refused.status_code == 409, refused.text
    page = in_words(refused.text)
    said = (
        f'<p class="field-error" role="alert" id="refund-{paid["id"]}-disputed"'
        f' data-disputed="{paid["id"]}">{OPEN[language]}</p>'
    )
    assert said in page
    assert page.count(OPEN[language]) == 1  # in the form's place, not again above
    assert 'id="error"' not in page
    assert books.unchanged()
    if language == "en":
        install_vnu()
        assert vnu_errors({"refused": refused.text}, tmp_path) == []
    assert dispute_id in cafe.get("/v1/disputes").text


@pytest.mark.parametrize("language", ["en", "pt"])
def test_a_void_that_would_need_a_refund_of_disputed_money_is_refused_in_words(
    cafe: Merchant,
    stripe_double: StripeDouble,
    stripe_runtime: Runtime,
    signed_in: Callable[..., Staff],
    language: str,
) -> None:
    """Said above the page, as every refusal of a void for the tab's money
    is (not of a field): the dispute, not a refund that cannot be made."""
    manager = signed_in(cafe, "manager")
    reading(language, cafe, manager)
    tab, paid = part_paid(cafe, stripe_double)
    disputed_at_the_bank(cafe, stripe_double, stripe_runtime, paid["id"], 2500)
    before = cafe.balances()
    refused = manager.post(f"/staff/tabs/{tab['id']}/lines/1/void", {"reason": "Rang up twice"})
    assert refused.status_code == 409, refused.text
    page = in_words(refused.text)
    assert f'<p class="flash flash-error" role="alert" id="error">{VOID[language]}</p>' in page
    assert page.count(VOID[language]) == 1
    assert "refund the payment instead" not in page and "reembolse o pagamento" not in page
    assert 'value="Rang up twice"' in page
    assert cafe.balances() == before
    # The line the due covers still comes off, from the same page.
    voided = manager.post(
        f"/staff/tabs/{tab['id']}/lines/2/void", {"reason": "Not served"}, follow_redirects=False
    )
    assert voided.status_code == 303, voided.text
    assert cafe.get(f"/v1/tabs/{tab['id']}").json()["amount_due"] == 0
    assert refunds_asked_of_stripe(stripe_double) == 0
