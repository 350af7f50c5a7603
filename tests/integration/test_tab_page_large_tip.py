"""A customer who types 680 for a 6,80 tip is asked before the card is charged.

On the tab page a tip more than what is due is not charged at once: the page
comes back with what was typed, asks beside the tip in the reader's language,
and charges only once the customer says yes to that very amount. Nothing is
written while the page asks. The public JSON API does not ask (its callers
decide for themselves).
"""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import Merchant
from tests.integration.test_pages_customer import public, tab_with

CARD = "4242424242424242"
#: A card that pays in the sandbox but, unlike 4242, the page's test-mode hint never shows.
OWN_CARD = "4000 0000 0000 0341"
PT = {"Accept-Language": "pt-PT,pt;q=0.9"}


def pay(merchant: Merchant, token: str, data: dict[str, str], **kw: Any) -> Any:
    return merchant.client.post(f"/t/{token}/pay", data=data, follow_redirects=False, **kw)


def question_of(page: str) -> str:
    asking = r'<p class="field-error" role="alert" id="tip-question"[^>]*>([^<]*)</p>'
    found = re.search(asking, page)
    assert found, page[:300]
    return found.group(1)


def test_a_tip_more_than_the_bill_is_asked_about_and_nothing_is_written(
    merchant: Merchant,
) -> None:
    tab = tab_with(merchant, merchant.service(price=680), serve=True)
    balances = merchant.balances()
    sent = {"card": OWN_CARD, "tip": "custom", "custom_tip": "680", "expected_due": "680"}

    asked = pay(merchant, tab["token"], sent)

    assert asked.status_code == 409
    assert asked.headers["content-type"].startswith("text/html")
    page = asked.text
    said = "Your tip of €680.00 is more than the bill (€6.80). Pay it anyway?"
    assert question_of(page) == said
    # Beside the tip, before the card; what was typed is kept to change or confirm.
    assert page.index('id="custom_tip"') < page.index('id="tip-question"') < page.index('id="card"')
    assert 'value="680"' in page
    assert re.search(r'name="tip" value="custom" id="tip-custom" checked', page)
    assert 'name="tip_confirmed" id="tip-confirmed" value="68000"' in page
    assert "Yes, tip €680.00" in page and "Nothing was charged." in page
    field = page[page.index('id="custom_tip"') :].split(">")[0]
    assert "tip-question" in field  # the field points at the question
    assert 'id="error"' not in page and 'id="pay-error"' not in page
    # The card number is never drawn into the page, asked or refused.
    assert OWN_CARD not in page and OWN_CARD.replace(" ", "") not in page
    card = page[page.index('id="card"') :].split(">")[0]
    assert "value=" not in card

    after = public(merchant, tab["token"])
    assert (after["status"], after["payments"], after["tips"]) == ("served", [], 0)
    assert merchant.balances() == balances


def test_the_question_is_in_european_portuguese(merchant: Merchant) -> None:
    # A Lisbon café: amounts written its way (680,00 €), words in the reader's language.
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    tab = tab_with(merchant, merchant.service(price=680), serve=True)
    sent = {"card": OWN_CARD, "tip": "custom", "custom_tip": "680,00"}

    page = pay(merchant, tab["token"], sent, headers=PT).text

    said = question_of(page).replace("\xa0", " ")
    assert said == "A sua gorjeta de 680,00 € é maior do que a conta (6,80 €). Pagar mesmo assim?"
    assert "Sim, dar 680,00" in page and "Nada foi cobrado." in page
    assert OWN_CARD not in page and OWN_CARD.replace(" ", "") not in page
    assert public(merchant, tab["token"])["payments"] == []


def test_a_confirmed_large_tip_is_paid_once(merchant: Merchant) -> None:
    tab = tab_with(merchant, merchant.service(price=680), serve=True)
    sent = {"card": CARD, "tip": "custom", "custom_tip": "680", "expected_due": "680"}
    assert pay(merchant, tab["token"], sent).status_code == 409

    paid = pay(merchant, tab["token"], {**sent, "tip_confirmed": "68000"})

    assert paid.status_code == 303
    assert paid.headers["location"] == f"/t/{tab['token']}/receipt"
    after = public(merchant, tab["token"])
    [payment] = after["payments"]
    assert (payment["amount"], payment["tip"]) == (680, 68000)
    assert (after["status"], after["tips"]) == ("paid", 68000)
    # The same form sent again (a double tap) is not a second charge.
    again = pay(merchant, tab["token"], {**sent, "tip_confirmed": "68000"})
    assert again.status_code == 303
    assert len(public(merchant, tab["token"])["payments"]) == 1


def test_a_yes_for_another_amount_is_asked_again(merchant: Merchant) -> None:
    tab = tab_with(merchant, merchant.service(price=680), serve=True)
    # Said yes to 680,00, then typed 6800 before paying: that is asked about anew.
    sent = {"card": CARD, "tip": "custom", "custom_tip": "6800", "tip_confirmed": "68000"}

    asked = pay(merchant, tab["token"], sent)

    assert asked.status_code == 409
    assert question_of(asked.text).startswith("Your tip of €6,800.00 is more")
    assert 'value="680000"' in asked.text
    for forged in ("yes", "on", "", "-1"):
        answer = pay(merchant, tab["token"], {**sent, "tip_confirmed": forged})
        assert answer.status_code == 409, forged
    assert public(merchant, tab["token"])["payments"] == []


def test_a_tip_up_to_the_bill_pays_at_once(merchant: Merchant) -> None:
    for typed, tip in (("6.80", 680), ("6,79", 679)):
        tab = tab_with(merchant, merchant.service(price=680), serve=True)
        sent = {"card": CARD, "tip": "custom", "custom_tip": typed}
        paid = pay(merchant, tab["token"], sent)
        assert paid.status_code == 303, typed
        [payment] = public(merchant, tab["token"])["payments"]
        assert (payment["amount"], payment["tip"]) == (680, tip)


def test_a_changed_amount_below_the_bill_pays_without_the_yes(merchant: Merchant) -> None:
    tab = tab_with(merchant, merchant.service(price=680), serve=True)
    asked = pay(merchant, tab["token"], {"card": CARD, "tip": "custom", "custom_tip": "680"})
    assert asked.status_code == 409
    paid = pay(merchant, tab["token"], {"card": CARD, "tip": "custom", "custom_tip": "6.80"})
    assert paid.status_code == 303
    [payment] = public(merchant, tab["token"])["payments"]
    assert payment["tip"] == 680


def test_the_public_api_still_takes_a_tip_more_than_the_bill(merchant: Merchant) -> None:
    tab = merchant.served_tab(680)
    response = merchant.client.post(
        f"/v1/public/tabs/{tab['token']}/pay",
        json={"method": "card", "card": CARD, "tip": 68000},
    )
    assert response.status_code == 201, response.text
    assert (response.json()["amount"], response.json()["tip"]) == (680, 68000)
