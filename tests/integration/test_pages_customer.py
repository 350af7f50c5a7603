"""The customer's pages, driven like a browser without JavaScript: GET the page,
POST its forms, follow the 303s."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import segno

from servefirst.kit.typed import parse_amount
from servefirst.web.qr import qr_svg
from tests.conftest import PUBLIC_URL, Merchant

SVG_NS = "{http://www.w3.org/2000/svg}"


def page(merchant: Merchant, token: str, suffix: str = "", **kwargs: Any) -> Any:
    return merchant.client.get(f"/t/{token}{suffix}", **kwargs)


def post_form(merchant: Merchant, token: str, action: str, data: dict[str, str]) -> Any:
    return merchant.client.post(f"/t/{token}/{action}", data=data, follow_redirects=False)


def tab_with(merchant: Merchant, *services: dict[str, Any], serve: bool = False) -> dict[str, Any]:
    tab = merchant.tab()
    for svc in services:
        added = merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
        assert added.status_code == 200, added.text
    if serve:
        assert merchant.post(f"/v1/tabs/{tab['id']}/serve").status_code == 200
    return tab


def public(merchant: Merchant, token: str) -> dict[str, Any]:
    response = merchant.client.get(f"/v1/public/tabs/{token}")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


# --- the page --------------------------------------------------------------


def test_page_shows_business_lines_terms_and_total(merchant: Merchant) -> None:
    cut = merchant.service(
        "Haircut",
        price=2500,
        expected_results=["Wash, cut and dry"],
        limits=["No colouring"],
    )
    coffee = merchant.service("Espresso", price=180)
    tab = tab_with(merchant, cut, coffee)

    response = page(merchant, tab["token"])

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "Café Azul" in html
    assert "Haircut" in html and "Espresso" in html
    assert "Wash, cut and dry" in html and "No colouring" in html
    assert "€25.00" in html and "€1.80" in html
    assert re.search(r'data-testid="total">€26\.80<', html)
    assert re.search(r'data-testid="amount-due">€26\.80<', html)
    assert tab["short_code"] in html
    # The essentials are plain forms; the token never leaks in a Referer.
    assert f'action="/t/{tab["token"]}/pay"' in html
    assert response.headers["referrer-policy"] == "no-referrer"
    assert '<html lang="en">' in html and "<main" in html
    assert '<script src="/static/htmx.min.js" defer>' in html


def test_unknown_and_malformed_tokens_are_an_html_404(merchant: Merchant) -> None:
    tab = merchant.tab()
    forged = tab["token"][:-4] + "AAAA"
    for token in (forged, "nonsense", "mer_zzzzzzzz.abc"):
        response = page(merchant, token)
        assert response.status_code == 404, token
        assert "could not find this tab" in response.text
    assert post_form(merchant, forged, "accept", {}).status_code == 404
    assert page(merchant, forged, "/qr.svg").status_code == 404


def test_another_merchants_token_is_404(merchant: Merchant, new_merchant: Any) -> None:
    other = new_merchant(name="Salon Other")
    tab = other.tab()
    # Swap in this merchant's id: the secret part no longer belongs to it.
    token = merchant.id + "." + tab["token"].split(".", 1)[1]
    assert page(merchant, token).status_code == 404


def test_empty_tab_says_so_and_offers_no_payment(merchant: Merchant) -> None:
    tab = merchant.tab()
    html = page(merchant, tab["token"]).text
    assert "Nothing on your tab yet" in html
    assert "/pay" not in html


# --- accepting the terms ----------------------------------------------------


def test_accept_terms_redirects_with_a_flash(merchant: Merchant) -> None:
    tab = tab_with(merchant, merchant.service())
    assert public(merchant, tab["token"])["terms_accepted"] is False

    response = post_form(merchant, tab["token"], "accept", {})

    assert response.status_code == 303
    assert response.headers["location"] == f"/t/{tab['token']}?flash=accepted"
    assert public(merchant, tab["token"])["terms_accepted"] is True
    html = page(merchant, tab["token"], "?flash=accepted").text
    assert "you accepted the terms" in html
    assert "I accept these terms" not in html


def test_flash_only_shows_known_messages(merchant: Merchant) -> None:
    tab = tab_with(merchant, merchant.service())
    html = page(merchant, tab["token"], "?flash=<script>alert(1)</script>").text
    assert "<script>alert(1)" not in html
    assert 'class="flash' not in html


# --- rating -----------------------------------------------------------------


def test_rating_is_saved_and_shown(merchant: Merchant) -> None:
    tab = tab_with(merchant, merchant.service(), serve=True)

    response = post_form(merchant, tab["token"], "review", {"rating": "4", "comment": "Nice"})

    assert response.status_code == 303
    assert response.headers["location"].endswith("?flash=reviewed")
    review = public(merchant, tab["token"])["review"]
    assert review["rating"] == 4 and review["comment"] == "Nice"
    html = page(merchant, tab["token"]).text
    assert 'value="4" required checked' in html
    assert "you gave 4" in html


def test_bad_rating_is_a_422_on_the_page(merchant: Merchant) -> None:
    tab = tab_with(merchant, merchant.service(), serve=True)
    for bad in ("0", "6", "five", ""):
        response = post_form(merchant, tab["token"], "review", {"rating": bad, "comment": "kept"})
        assert response.status_code == 422, bad
        assert "from 1 to 5" in response.text
        assert 'role="alert"' in response.text
        assert ">kept</textarea>" in response.text  # what they typed is kept
    assert public(merchant, tab["token"])["review"] is None


# --- concerns ---------------------------------------------------------------


def test_partial_concern_in_major_units(merchant: Merchant) -> None:
    tab = tab_with(merchant, merchant.service(price=2000), serve=True)

    response = post_form(
        merchant,
        tab["token"],
        "concern",
        {"reason": "Cold milk", "remedy": "partial", "amount": "1,50"},
    )

    assert response.status_code == 303
    after = public(merchant, tab["token"])
    assert len(after["concerns"]) == 1
    concern = after["concerns"][0]
    assert concern["remedy"] == "partial"
    # 1.50 of 20.00 is under the default 20 % that is approved without staff.
    assert concern["status"] == "approved"
    assert response.headers["location"].endswith("?flash=concern_approved")
    assert concern["approved_amount"] == 150
    assert after["amount_due"] == 2000 - 150
    html = page(merchant, tab["token"], "?flash=concern_approved").text
    assert "Your concerns" in html and "€1.50 off" in html
    assert "Your concern was upheld: €1.50 off." in html
    assert re.search(r'data-testid="amount-due">€18\.50<', html)


def test_waive_concern_waits_for_staff(merchant: Merchant) -> None:
    tab = tab_with(merchant, merchant.service(price=2000), serve=True)
    response = post_form(
        merchant, tab["token"], "concern", {"reason": "Wrong order", "remedy": "waive"}
    )
    assert response.status_code == 303
    assert response.headers["location"].endswith("?flash=concern_pending")
    [concern] = public(merchant, tab["token"])["concerns"]
    assert concern["status"] == "pending"
    assert public(merchant, tab["token"])["amount_due"] == 2000


def test_concern_form_errors_are_4xx(merchant: Merchant) -> None:
    tab = tab_with(merchant, merchant.service(price=2000), serve=True)
    cases = [
        ({"reason": "", "remedy": "redo"}, 422, "what went wrong"),
        ({"reason": "x", "remedy": "refund-everything"}, 422, "would like us to do"),
        ({"reason": "x", "remedy": "partial", "amount": ""}, 422, "how much"),
        ({"reason": "x", "remedy": "partial", "amount": "1.234"}, 422, "at most 2 decimals"),
        ({"reason": "x", "remedy": "partial", "amount": "abc"}, 422, "not an amount"),
    ]
    for data, status, words in cases:
        response = post_form(merchant, tab["token"], "concern", data)
        assert response.status_code == status, (data, response.text[:200])
        assert words in response.text
    assert public(merchant, tab["token"])["concerns"] == []


def test_a_concern_too_long_is_refused_beside_it_and_kept_whole(merchant: Merchant) -> None:
    """2,000 characters, as the API takes: a longer one was cut short without a
    word. Now the customer is told, beside the field, with all they wrote kept."""
    tab = tab_with(merchant, merchant.service(price=2000), serve=True)
    said = "The coffee was cold. " * 100 + "And late."  # 2,109 characters
    response = post_form(merchant, tab["token"], "concern", {"reason": said, "remedy": "waive"})
    assert response.status_code == 422
    assert (
        '<p class="field-error" role="alert" id="reason-error">'
        "Say it in at most 2,000 characters; this has 2,109.</p>" in response.text
    )
    assert 'aria-describedby="reason-hint reason-error" aria-invalid="true"' in response.text
    assert f">{said}</textarea>" in response.text
    assert 'id="error"' not in response.text  # said once, beside the field
    assert "maxlength" not in response.text.split('id="reason"')[1].split(">")[0]
    assert public(merchant, tab["token"])["concerns"] == []
    portuguese = merchant.client.post(
        f"/t/{tab['token']}/concern",
        data={"reason": said, "remedy": "waive"},
        headers={"Accept-Language": "pt-PT"},
    )
    assert "Diga-o em no máximo 2.000 caracteres; este texto tem 2.109." in portuguese.text
    # A line break the browser sends as two characters counts once: 2,000 fit.
    lines = "x" * 999 + "\r\n" + "y" * 1000
    kept = post_form(merchant, tab["token"], "concern", {"reason": lines, "remedy": "waive"})
    assert kept.status_code == 303, kept.text[:300]
    [concern] = merchant.get(f"/v1/tabs/{tab['id']}/concerns").json()["data"]
    assert concern["reason"] == "x" * 999 + "\n" + "y" * 1000


def test_a_review_comment_too_long_is_refused_beside_it_and_kept_whole(merchant: Merchant) -> None:
    """2,000 characters, as the API takes: a longer comment was cut short
    without a word. Now the customer is told, beside it, with all they wrote kept."""
    tab = tab_with(merchant, merchant.service(price=2000), serve=True)
    said = "Lovely, thank you. " * 110 + "Again!"  # 2,096 characters
    response = post_form(merchant, tab["token"], "review", {"rating": "5", "comment": said})
    assert response.status_code == 422
    assert (
        '<p class="field-error" role="alert" id="comment-error">'
        "Say it in at most 2,000 characters; this has 2,096.</p>" in response.text
    )
    assert 'aria-describedby="comment-hint comment-error" aria-invalid="true"' in response.text
    assert "At most 2,000 characters." in response.text.split('id="comment-hint"')[1][:40]
    assert f">{said}</textarea>" in response.text
    assert 'id="error"' not in response.text  # said once, beside the field
    assert "maxlength" not in response.text.split('id="comment"')[1].split(">")[0]
    assert public(merchant, tab["token"])["review"] is None
    portuguese = merchant.client.post(
        f"/t/{tab['token']}/review",
        data={"rating": "5", "comment": said},
        headers={"Accept-Language": "pt-PT"},
    )
    assert portuguese.status_code == 422
    assert "Diga-o em no máximo 2.000 caracteres; este texto tem 2.096." in portuguese.text
    assert "No máximo 2.000 caracteres." in portuguese.text
    # A line break the browser sends as two characters counts once: 2,000 fit.
    lines = "x" * 999 + "\r\n" + "y" * 1000
    kept = post_form(merchant, tab["token"], "review", {"rating": "4", "comment": lines})
    assert kept.status_code == 303, kept.text[:300]
    assert public(merchant, tab["token"])["review"]["comment"] == "x" * 999 + "\n" + "y" * 1000


def test_concern_on_a_paid_tab_is_a_409_page(merchant: Merchant) -> None:
    tab = tab_with(merchant, merchant.service(price=500), serve=True)
    paid = post_form(merchant, tab["token"], "pay", {"card": "4242424242424242", "tip": "0"})
    assert paid.status_code == 303
    response = post_form(merchant, tab["token"], "concern", {"reason": "x", "remedy": "waive"})
    assert response.status_code == 409
    assert "tab_state_invalid" in response.text


# --- paying -----------------------------------------------------------------


def test_pay_with_suggested_tip_then_receipt(merchant: Merchant) -> None:
    tab = tab_with(merchant, merchant.service(price=1999), serve=True)
    html = page(merchant, tab["token"]).text
    # 15 % of 19.99 is 2.9985: half-up to 3.00.
    assert re.search(r'id="tip-amount-15" class="muted"[^>]*>€3\.00<', html)
    assert 'name="expected_due" value="1999"' in html

    response = post_form(
        merchant,
        tab["token"],
        "pay",
        {"card": "4242 4242 4242 4242", "tip": "15", "expected_due": "1999"},
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/t/{tab['token']}/receipt"
    after = public(merchant, tab["token"])
    assert after["status"] == "paid"
    assert after["amount_due"] == 0
    assert after["tips"] == 300
    [payment] = after["payments"]
    assert (payment["amount"], payment["tip"], payment["card_last4"]) == (1999, 300, "4242")

    receipt = page(merchant, tab["token"], "/receipt")
    assert receipt.status_code == 200
    assert "Receipt" in receipt.text and "•••• 4242" in receipt.text
    assert re.search(r'data-testid="charged">€22\.99<', receipt.text)
    assert "4242424242424242" not in receipt.text
    # The paid tab page offers the receipt and no more payment.
    html = page(merchant, tab["token"]).text
    assert "See your receipt" in html and 'action="/t/' + tab["token"] + '/pay"' not in html
    assert html.count("See your receipt") == 1  # once, in the tab's card
    # The tip shows with what was paid, as on the receipt.
    assert re.search(r'data-testid="tips">€3\.00<', html)


def test_pay_with_custom_tip(merchant: Merchant) -> None:
    tab = tab_with(merchant, merchant.service(price=1000), serve=True)
    response = post_form(
        merchant,
        tab["token"],
        "pay",
        {"card": "4242424242424242", "tip": "custom", "custom_tip": "2.50"},
    )
    assert response.status_code == 303
    [payment] = public(merchant, tab["token"])["payments"]
    assert (payment["amount"], payment["tip"]) == (1000, 250)


def test_declined_card_is_said_in_words_by_the_card_field_with_402(merchant: Merchant) -> None:
    tab = tab_with(merchant, merchant.service(price=1000), serve=True)
    for card, code, words in (
        ("4000000000000002", "card_declined", "Your card was declined. Try another card."),
        ("4000000000009995", "insufficient_funds", "Your card has insufficient funds."),
    ):
        response = post_form(
            merchant, tab["token"], "pay", {"card": card, "tip": "custom", "custom_tip": "1"}
        )
        assert response.status_code == 402
        html = response.text
        assert f'data-code="{code}" tabindex="-1" autofocus>{words}</p>' in html
        assert f"({code})" not in html and "<code>" not in html  # no raw code for a customer
        # Right below the card field, which points at it; not above the tab.
        assert html.index('id="card"') < html.index('id="pay-error"') < html.index("Pay now")
        assert 'aria-describedby="pay-error' in html and 'aria-invalid="true"' in html
        assert 'id="error"' not in html
        assert card not in html  # never echoed
        assert 'value="1"' in response.text  # the tip they typed is kept
    after = public(merchant, tab["token"])
    assert after["status"] == "served" and after["payments"] == []


def test_pay_form_errors_are_4xx(merchant: Merchant) -> None:
    tab = tab_with(merchant, merchant.service(price=1000), serve=True)
    cases = [
        ({"card": "", "tip": "0"}, 422, "Enter the card number"),
        ({"card": "4242424242424242", "tip": "33"}, 422, "suggested tips"),
        ({"card": "4242424242424242", "tip": "custom", "custom_tip": "-1"}, 422, "zero or more"),
        ({"card": "4242424242424242", "tip": "0", "expected_due": "x"}, 422, "damaged"),
    ]
    for data, status, words in cases:
        response = post_form(merchant, tab["token"], "pay", data)
        assert response.status_code == status, (data, response.text[:300])
        assert words in response.text
    assert public(merchant, tab["token"])["payments"] == []


def test_pay_refuses_when_the_bill_changed_since_it_was_shown(merchant: Merchant) -> None:
    tab = tab_with(merchant, merchant.service(price=1000))
    shown = public(merchant, tab["token"])["amount_due"]
    extra = merchant.service("Croissant", price=250)
    assert (
        merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": extra["id"]}).status_code == 200
    )

    response = post_form(
        merchant,
        tab["token"],
        "pay",
        {"card": "4242424242424242", "tip": "0", "expected_due": str(shown)},
    )

    assert response.status_code == 409
    assert "bill_changed" in response.text
    assert 'name="expected_due" value="1250"' in response.text
    assert public(merchant, tab["token"])["payments"] == []


def test_paying_twice_goes_to_the_receipt(merchant: Merchant) -> None:
    tab = tab_with(merchant, merchant.service(price=700), serve=True)
    data = {"card": "4242424242424242", "tip": "0"}
    assert post_form(merchant, tab["token"], "pay", data).status_code == 303
    again = post_form(merchant, tab["token"], "pay", data)
    assert again.status_code == 303
    assert again.headers["location"].endswith("/receipt")
    assert len(public(merchant, tab["token"])["payments"]) == 1


def test_receipt_before_paying_sends_back_to_the_tab(merchant: Merchant) -> None:
    tab = tab_with(merchant, merchant.service())
    response = page(merchant, tab["token"], "/receipt", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/t/{tab['token']}"


def test_money_follows_the_merchants_currency(new_merchant: Any) -> None:
    yen = new_merchant(name="Kissa", currency="JPY")
    tab = tab_with(yen, yen.service("Matcha", price=90), serve=True)
    html = page(yen, tab["token"]).text
    assert "¥90" in html and "€" not in html
    response = post_form(
        yen, tab["token"], "pay", {"card": "4242424242424242", "tip": "custom", "custom_tip": "0.5"}
    )
    assert response.status_code == 422
    assert "at most 0 decimals" in response.text


# --- live refresh -----------------------------------------------------------


def test_live_fragment_follows_lines_added_by_staff(merchant: Merchant) -> None:
    tab = tab_with(merchant, merchant.service(price=300))
    first = page(merchant, tab["token"])
    state = re.search(r"/live\?seen=([^\"]+)\"", first.text)
    assert state, "the page polls its live fragment"
    assert 'data-hx-trigger="every 3s"' in first.text

    more = merchant.service("Brownie", price=450)
    assert (
        merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": more["id"]}).status_code == 200
    )
    live = page(merchant, tab["token"], f"/live?seen={state.group(1)}")

    assert live.status_code == 200
    assert "HX-Refresh" not in live.headers
    assert "Brownie" in live.text
    assert re.search(r'data-testid="total">€7\.50<', live.text)
    # The payment form's numbers are swapped out of band, not re-rendered.
    assert re.search(
        r'id="expected-due" name="expected_due" value="750" data-hx-swap-oob="true"', live.text
    )
    assert "<html" not in live.text


def test_live_asks_for_a_reload_when_the_sections_change(merchant: Merchant) -> None:
    tab = merchant.tab()
    state = re.search(r"/live\?seen=([^\"]+)\"", page(merchant, tab["token"]).text)
    assert state
    svc = merchant.service()
    assert (
        merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]}).status_code == 200
    )

    live = page(merchant, tab["token"], f"/live?seen={state.group(1)}")

    assert live.headers.get("HX-Refresh") == "true"


def test_closed_tab_stops_polling(merchant: Merchant) -> None:
    tab = tab_with(merchant, merchant.service(price=500), serve=True)
    post_form(merchant, tab["token"], "pay", {"card": "4242424242424242", "tip": "0"})
    html = page(merchant, tab["token"]).text
    assert "hx-trigger" not in html


# --- QR ---------------------------------------------------------------------


def svg_modules(svg: bytes) -> set[tuple[int, int]]:
    """The dark modules of segno's SVG path (``M x y.5 h n m dx dy ...``)."""
    root = ET.fromstring(svg)
    dark = [p for p in root.iter(f"{SVG_NS}path") if p.get("stroke")]
    assert len(dark) == 1
    cells: set[tuple[int, int]] = set()
    x = y = 0.0
    for op, a, b in re.findall(r"([Mmhv])(-?[\d.]+)(?:\s(-?[\d.]+))?", dark[0].get("d", "")):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        elif op == "h":
            for i in range(int(float(a))):
                cells.add((int(x) + i, int(y - 0.5)))
            x += float(a)
    return cells


def test_qr_svg_encodes_the_customer_link(merchant: Merchant) -> None:
    tab = merchant.tab()
    response = page(merchant, tab["token"], "/qr.svg")

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    root = ET.fromstring(response.content)
    assert root.tag == f"{SVG_NS}svg"
    url = f"{PUBLIC_URL}/t/{tab['token']}"
    assert url == tab["customer_url"]
    # Read the modules back out of the drawing and compare with the QR symbol
    # of the link: the image scans to exactly the customer's address.
    expected = segno.make(url, error="m", micro=False)
    border = 4
    want = {
        (c + border, r + border)
        for r, row in enumerate(expected.matrix)
        for c, v in enumerate(row)
        if v
    }
    assert svg_modules(response.content) == want
    other = segno.make(url + "x", error="m", micro=False)
    assert svg_modules(qr_svg(url + "x")) != want
    assert other.version >= 1


def test_qr_page_is_printable_with_link_and_code(merchant: Merchant) -> None:
    tab = merchant.tab()
    response = page(merchant, tab["token"], "/qr")
    assert response.status_code == 200
    assert f'src="/t/{tab["token"]}/qr.svg"' in response.text
    assert tab["short_code"] in response.text
    assert tab["customer_url"] in response.text
    assert 'alt="QR code' in response.text


# --- static files and forms helpers -----------------------------------------


def test_static_assets_are_served_locally(merchant: Merchant) -> None:
    js = merchant.client.get("/static/htmx.min.js")
    assert js.status_code == 200 and "htmx" in js.text[:2000]
    assert merchant.client.get("/static/htmx.LICENSE").status_code == 200
    css = merchant.client.get("/static/app.css")
    assert css.status_code == 200 and ":root" in css.text


def test_parse_amount() -> None:
    assert parse_amount("4.50", "EUR", param="a") == 450
    assert parse_amount(" 4,5 ", "EUR", param="a") == 450
    assert parse_amount("€12", "EUR", param="a") == 1200
    assert parse_amount("", "EUR", param="a") is None
    assert parse_amount("0.123", "KWD", param="a") == 123
    assert parse_amount("300", "JPY", param="a") == 300


def test_after_a_part_payment_the_tab_page_links_the_receipt_once(merchant: Merchant) -> None:
    tab = tab_with(merchant, merchant.service(price=1000), serve=True)
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", json={"method": "cash", "amount": 400})
    assert paid.status_code == 201, paid.text
    html = page(merchant, tab["token"]).text
    assert html.count("See your receipt") == 1  # below the tab, which is still open to pay
    assert re.search(r'data-testid="amount-due">€6\.00<', html)
    assert 'data-testid="tips"' not in html  # no tip, no tip line
