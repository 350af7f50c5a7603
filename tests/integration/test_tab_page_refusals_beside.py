"""On the customer's tab page a wrong rating, concern or tip is said where it
is chosen again, in the reader's language (on a phone the forms are a long
scroll below the top of the page), with the field marked; nothing is written."""

from __future__ import annotations

import re

import pytest

from tests.conftest import Merchant
from tests.integration.test_pages_customer import public, tab_with

PT = {"Accept-Language": "pt-PT,pt;q=0.9"}


def refused(merchant: Merchant, token: str, action: str, data: dict[str, str], **kw: object) -> str:
    response = merchant.client.post(
        f"/t/{token}/{action}",
        data=data,
        follow_redirects=False,
        **kw,  # type: ignore[arg-type]
    )
    assert response.status_code == 422, response.text[:300]
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert 'id="error"' not in page  # not above the tab, far from the form
    return page


def said_at(page: str, error_id: str) -> str:
    beside = rf'<p class="field-error" role="alert" id="{error_id}"[^>]*>([^<]*)</p>'
    found = re.search(beside, page)
    assert found, page[:200]
    return found.group(1)


@pytest.mark.parametrize("rating", ["", "0", "6", "five", "-1", "99999999999999999999", "2.5"])
def test_a_rating_sent_wrong_is_said_by_the_stars(merchant: Merchant, rating: str) -> None:
    tab = tab_with(merchant, merchant.service(), serve=True)
    sent = {"rating": rating, "comment": "kept"}
    page = refused(merchant, tab["token"], "review", sent)
    assert said_at(page, "rating-error") == "Choose how many stars you give, from 1 to 5."
    legend, stars = page.index('id="rating-error"'), page.index('name="rating" value="1"')
    assert page.index("Your rating") < legend < stars
    assert 'aria-describedby="rating-error"' in page and ">kept</textarea>" in page
    portuguese = refused(merchant, tab["token"], "review", sent, headers=PT)
    assert said_at(portuguese, "rating-error") == "Escolha quantas estrelas dá, de 1 a 5."
    assert public(merchant, tab["token"])["review"] is None


def test_a_concern_without_a_remedy_is_said_by_the_remedies(merchant: Merchant) -> None:
    tab = tab_with(merchant, merchant.service(price=2000), serve=True)
    sent = {"reason": "Cold", "remedy": ""}
    page = refused(merchant, tab["token"], "concern", sent)
    assert said_at(page, "remedy-error") == "Choose what you would like us to do."
    assert "<details open>" in page  # the concern form is open to mend
    assert page.index('id="remedy-error"') < page.index('name="remedy" value="redo"')
    portuguese = refused(merchant, tab["token"], "concern", sent, headers=PT)
    assert said_at(portuguese, "remedy-error") == "Escolha o que gostaria que fizéssemos."
    assert public(merchant, tab["token"])["concerns"] == []


@pytest.mark.parametrize(
    ("amount", "said"),
    [
        ("", "Say how much of a discount you ask for."),
        ("-5", "An amount cannot be negative: write zero or more."),
        ("abc", "'abc' is not an amount; write it like 2.50."),
        ("99999999999999999999", "That amount is too large."),
        ("500", "A discount of €500.00 is more than the €20.00 still owed."),
    ],
)
def test_a_discount_sent_wrong_is_said_by_its_field(
    merchant: Merchant, amount: str, said: str
) -> None:
    tab = tab_with(merchant, merchant.service(price=2000), serve=True)
    sent = {"reason": "Cold", "remedy": "partial", "amount": amount}
    page = refused(merchant, tab["token"], "concern", sent)
    assert said_at(page, "amount-error").replace("&#39;", "'") == said
    field = page[page.index('id="amount"') :].split(">")[0]
    assert 'aria-invalid="true"' in field and "amount-error" in field
    assert f'value="{amount}"' in page  # kept to mend
    assert said_at(refused(merchant, tab["token"], "concern", sent, headers=PT), "amount-error")
    assert public(merchant, tab["token"])["concerns"] == []


@pytest.mark.parametrize(
    ("tip", "custom", "error_id", "said"),
    [
        ("custom", "-5", "custom-tip-error", "An amount cannot be negative: write zero or more."),
        ("custom", "abc", "custom-tip-error", "'abc' is not an amount; write it like 2.50."),
        ("custom", "1e400", "custom-tip-error", "That amount is too large."),
        ("-100", "", "tip-error", "Choose one of the suggested tips, or a custom amount."),
    ],
)
def test_a_tip_sent_wrong_is_said_by_the_tip_not_the_card(
    merchant: Merchant, tip: str, custom: str, error_id: str, said: str
) -> None:
    tab = tab_with(merchant, merchant.service(price=1000), serve=True)
    sent = {"card": "4242424242424242", "tip": tip, "custom_tip": custom}
    page = refused(merchant, tab["token"], "pay", sent)
    assert said_at(page, error_id).replace("&#39;", "'") == said
    assert page.index("Add a tip?") < page.index(f'id="{error_id}"') < page.index('id="card"')
    card = page[page.index('id="card"') :].split(">")[0]
    assert "aria-invalid" not in card and 'id="pay-error"' not in page
    assert said_at(refused(merchant, tab["token"], "pay", sent, headers=PT), error_id)
    assert public(merchant, tab["token"])["payments"] == []
