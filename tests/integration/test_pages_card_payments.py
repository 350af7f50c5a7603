"""The owner's card payments page (``/staff/settings/payments``): a café goes
live with Stripe and back to the sandbox without curl. The same rules as
``POST /v1/merchant/gateway``, each refusal said beside its field in English
and Portuguese; secrets are never written into the page; the webhook address
is the one Stripe must call."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from servefirst.payments.models import GatewayAccount
from servefirst.payments.processor_events import HANDLED
from servefirst.runtime import Runtime
from tests import stripe_double as double
from tests.conftest import PUBLIC_URL, Merchant
from tests.integration.test_html_valid import install_vnu, vnu_errors
from tests.integration.test_pages_staff import Staff

PAGE = "/staff/settings/payments"

LIVE = {
    "publishable_key": "pk_live_51CafeAzulPublishable0001",
    "secret_key": "sk_live_51CafeAzulSecretKeyQ7x9",
    "webhook_secret": "whsec_CafeAzulSigningSecretM3k8",
}
SECRETS = (LIVE["secret_key"], LIVE["webhook_secret"])


#: The server has its SERVEFIRST_SECRET_KEY (the session's runtime has none);
#: no merchant is left on Stripe afterwards (a fixture).
keeps_keys = double.keeps_stripe_keys


def stored(runtime: Runtime, merchant: Merchant) -> GatewayAccount | None:
    with runtime.uow(merchant.id, write=False) as uow:
        row = uow.session.get(GatewayAccount, merchant.id)
        if row is not None:
            uow.session.expunge(row)
        return row


def opened(runtime: Runtime, sealed: str | None) -> str:
    assert sealed
    return runtime.gateways.sealer.open(sealed)


def no_secret_in(html: str) -> None:
    for secret in SECRETS:
        # Not whole, and not the end of it either (as some dashboards show).
        assert secret not in html and secret[-6:] not in html


def test_an_owner_goes_live_with_stripe_from_the_console(
    keeps_keys: Runtime, merchant: Merchant, signed_in: Callable[..., Staff], tmp_path: Path
) -> None:
    owner = signed_in(merchant, access="owner")
    page = owner.get(PAGE)
    assert page.status_code == 200
    assert 'data-gateway="sandbox"' in page.text and "Test mode: no real money." in page.text
    # The address to paste into Stripe, and every event the endpoint handles.
    url = f"{PUBLIC_URL}/v1/webhooks/stripe/{merchant.id}"
    assert f'id="webhook-url">{url}</code>' in page.text
    assert set(HANDLED) >= {"payment_intent.succeeded", "charge.refunded"}
    for event in HANDLED:
        assert f"<code>{event}</code>" in page.text
    # Pasted as people paste: a space before, a line break after.
    pasted = {name: f" {key}\n" for name, key in LIVE.items()}
    saved = owner.post(f"{PAGE}/stripe", pasted, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == f"{PAGE}?done=stripe#in-force"
    assert merchant.get("/v1/merchant/gateway").json() == {
        "object": "gateway",
        "gateway": "stripe",
        "publishable_key": LIVE["publishable_key"],
        "configured": True,
    }
    row = stored(keeps_keys, merchant)
    assert row is not None and opened(keeps_keys, row.secret_key_sealed) == LIVE["secret_key"]
    assert opened(keeps_keys, row.webhook_secret_sealed) == LIVE["webhook_secret"]
    shown = owner.get(f"{PAGE}?done=stripe").text
    assert "Saved: cards are taken through Stripe." in shown
    assert 'data-mode="live"' in shown and "cards are charged real money" in shown
    assert LIVE["publishable_key"] in shown
    assert shown.count("Kept, sealed; never shown") == 2
    no_secret_in(shown)
    install_vnu()
    assert not vnu_errors(
        {"card-payments-sandbox": page.text, "card-payments-live": shown}, tmp_path
    )


def test_test_keys_are_said_to_be_test_keys(
    keeps_keys: Runtime, merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, access="owner")
    keys = {
        "publishable_key": "pk_test_51CafeAzul",
        "secret_key": "sk_test_51CafeAzul",
        "webhook_secret": "whsec_test",
    }
    assert owner.post(f"{PAGE}/stripe", keys, follow_redirects=False).status_code == 303
    page = owner.get(PAGE).text
    assert 'data-mode="test"' in page and "test cards only, no real money" in page


def test_a_secret_left_blank_keeps_the_one_stored(
    keeps_keys: Runtime, merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, access="owner")
    assert owner.post(f"{PAGE}/stripe", LIVE, follow_redirects=False).status_code == 303
    page = owner.get(PAGE).text
    assert page.count("Kept: leave blank to keep it, or paste a new one.") == 2
    # A new publishable key; both secrets left as they were.
    new_key = "pk_live_51CafeAzulPublishable0002"
    changed = owner.post(
        f"{PAGE}/stripe",
        {"publishable_key": new_key, "secret_key": "", "webhook_secret": " "},
        follow_redirects=False,
    )
    assert changed.status_code == 303, changed.text
    row = stored(keeps_keys, merchant)
    assert row is not None and row.publishable_key == new_key
    assert opened(keeps_keys, row.secret_key_sealed) == LIVE["secret_key"]
    assert opened(keeps_keys, row.webhook_secret_sealed) == LIVE["webhook_secret"]
    # A kept secret is checked with the typed keys: a test publishable key
    # beside the stored live secret key is refused, and nothing changes.
    mixed = owner.post(
        f"{PAGE}/stripe", {"publishable_key": "pk_test_51CafeAzul", "secret_key": ""}
    )
    assert mixed.status_code == 422
    assert "This is a test key but the secret key is a live key" in mixed.text
    assert 'id="publishable_key-error"' in mixed.text
    assert 'value="pk_test_51CafeAzul"' in mixed.text
    assert merchant.get("/v1/merchant/gateway").json()["publishable_key"] == new_key
    # A new secret typed replaces the stored one.
    replaced = {**LIVE, "secret_key": "sk_live_51CafeAzulRotated", "webhook_secret": ""}
    assert owner.post(f"{PAGE}/stripe", replaced, follow_redirects=False).status_code == 303
    row = stored(keeps_keys, merchant)
    assert row is not None and opened(keeps_keys, row.secret_key_sealed) == replaced["secret_key"]
    assert opened(keeps_keys, row.webhook_secret_sealed) == LIVE["webhook_secret"]


#: Each refusal of the rules, with the field it is said beside, in English and Portuguese.
REFUSALS = [
    ({"publishable_key": ""}, "publishable_key", "Paste this key from the Stripe dashboard."),
    (
        {"secret_key": "pk_live_51CafeAzulWrongBox"},
        "secret_key",
        "A secret key starts with sk_ (or rk_ for a restricted key)",
    ),
    ({"webhook_secret": ""}, "webhook_secret", "Paste this key from the Stripe dashboard."),
    (
        {"webhook_secret": "whsec_Cafe Azul"},
        "webhook_secret",
        "This key has a space or a line break inside it",
    ),
    (
        {"publishable_key": "pk_test_51CafeAzul"},
        "publishable_key",
        "This is a test key but the secret key is a live key",
    ),
    (
        {"publishable_key": "pk_live_" + "7" * 300},
        "publishable_key",
        "This is longer than any Stripe key",
    ),
]
PORTUGUESE = {
    "Paste this key from the Stripe dashboard.": "Cole esta chave a partir do painel da Stripe.",
    "A secret key starts with sk_ (or rk_ for a restricted key)": (
        "Uma chave secreta começa por sk_ (ou rk_ para uma chave restrita)"
    ),
    "This key has a space or a line break inside it": (
        "Esta chave tem um espaço ou uma quebra de linha"
    ),
    "This is a test key but the secret key is a live key": (
        "Esta é uma chave de teste, mas a chave secreta é de produção"
    ),
    "This is longer than any Stripe key": "Isto é mais longo do que qualquer chave da Stripe",
}


@pytest.mark.parametrize("locale", ["en_GB", "pt_PT"])
@pytest.mark.parametrize(("change", "field", "words"), REFUSALS)
def test_each_refusal_is_said_by_its_field_in_the_owner_s_language(
    keeps_keys: Runtime,
    merchant: Merchant,
    signed_in: Callable[..., Staff],
    locale: str,
    change: dict[str, str],
    field: str,
    words: str,
) -> None:
    assert merchant.post("/v1/merchant", {"locale": locale}).status_code == 200
    owner = signed_in(merchant, access="owner")
    typed = {**LIVE, **change}
    refused = owner.post(f"{PAGE}/stripe", typed)
    assert refused.status_code == 422
    page = refused.text
    said = PORTUGUESE[words] if locale == "pt_PT" else words
    assert f'id="{field}-error">{said}' in page
    assert f'aria-describedby="{field}-hint {field}-error" aria-invalid="true"' in page
    assert page.count('aria-invalid="true"') == 1
    # The API's words (which name fields) are not the page's.
    assert "`" not in page.split('id="stripe"')[1]
    # What was typed stays, except the secrets, which are never put back.
    assert f'value="{typed["publishable_key"]}"' in page
    no_secret_in(page)
    assert 'id="secrets-again"' in page
    assert merchant.get("/v1/merchant/gateway").json()["gateway"] == "sandbox"
    assert stored(keeps_keys, merchant) is None


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("en_GB", "This server cannot keep Stripe keys yet: SERVEFIRST_SECRET_KEY is not set."),
        ("pt_PT", "Este servidor ainda não pode guardar chaves da Stripe: SERVEFIRST_SECRET_KEY"),
    ],
)
def test_without_a_server_secret_the_page_says_so_and_nothing_changes(
    merchant: Merchant, signed_in: Callable[..., Staff], locale: str, words: str
) -> None:
    # The session's runtime has no SERVEFIRST_SECRET_KEY: the API answers 500
    # secret_key_missing; the page says why, before and after a try.
    assert merchant.post("/v1/merchant", {"locale": locale}).status_code == 200
    owner = signed_in(merchant, access="owner")
    assert words in owner.get(PAGE).text
    refused = owner.post(f"{PAGE}/stripe", LIVE)
    assert refused.status_code == 500
    assert f'id="refusal">{words}' in refused.text
    assert f'value="{LIVE["publishable_key"]}"' in refused.text
    no_secret_in(refused.text)
    assert merchant.get("/v1/merchant/gateway").json()["gateway"] == "sandbox"


def test_an_owner_switches_back_to_the_sandbox_after_confirming(
    keeps_keys: Runtime, merchant: Merchant, signed_in: Callable[..., Staff], tmp_path: Path
) -> None:
    owner = signed_in(merchant, access="owner")
    assert owner.post(f"{PAGE}/stripe", LIVE, follow_redirects=False).status_code == 303
    unconfirmed = owner.post(f"{PAGE}/sandbox")
    assert unconfirmed.status_code == 422
    assert 'id="confirm-error">Tick the box to confirm' in unconfirmed.text
    assert merchant.get("/v1/merchant/gateway").json()["gateway"] == "stripe"
    back = owner.post(f"{PAGE}/sandbox", {"confirm": "yes"}, follow_redirects=False)
    assert back.status_code == 303 and back.headers["location"] == f"{PAGE}?done=sandbox#in-force"
    assert merchant.get("/v1/merchant/gateway").json() == {
        "object": "gateway",
        "gateway": "sandbox",
        "publishable_key": None,
        "configured": True,
    }
    row = stored(keeps_keys, merchant)
    assert row is not None and row.secret_key_sealed is None and row.publishable_key is None
    page = owner.get(f"{PAGE}?done=sandbox").text
    assert "Back on the sandbox" in page and "Test mode: no real money." in page
    assert 'id="sandbox"' not in page  # nothing to switch back from
    install_vnu()
    assert not vnu_errors({"card-payments-unconfirmed": unconfirmed.text}, tmp_path)


@pytest.mark.parametrize("access", ["manager", "staff"])
def test_only_an_owner_sees_or_changes_the_card_payments(
    keeps_keys: Runtime, merchant: Merchant, signed_in: Callable[..., Staff], access: str
) -> None:
    owner = signed_in(merchant, access="owner")
    assert f'href="{PAGE}"' in owner.get("/staff/settings").text
    assert f'href="{PAGE}" class="current" aria-current="page"' in owner.get(PAGE).text
    member = signed_in(merchant, access=access)
    settings = member.get("/staff/settings").text
    assert f'href="{PAGE}"' not in settings  # neither in the menu nor on the settings page
    opened_page = member.get(PAGE)
    assert opened_page.status_code == 403 and 'data-code="forbidden"' in opened_page.text
    assert "webhook-url" not in opened_page.text
    for path, form in ((f"{PAGE}/stripe", LIVE), (f"{PAGE}/sandbox", {"confirm": "yes"})):
        refused = member.post(path, form)
        assert refused.status_code == 403 and 'data-code="forbidden"' in refused.text
    assert merchant.get("/v1/merchant/gateway").json()["gateway"] == "sandbox"


def test_a_stale_form_is_given_back_with_the_key_typed_and_nothing_saved(
    keeps_keys: Runtime, merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, access="owner")
    stale = owner.client.post(f"{PAGE}/stripe", data={**LIVE, "csrf_token": "stale"})
    assert stale.status_code == 403
    assert "This form had expired, so nothing was saved." in stale.text
    assert f'value="{LIVE["publishable_key"]}"' in stale.text
    no_secret_in(stale.text)
    assert merchant.get("/v1/merchant/gateway").json()["gateway"] == "sandbox"
