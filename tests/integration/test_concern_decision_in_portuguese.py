"""A concern's decision reads in the page's language: a Portuguese customer
and a Portuguese console see it in Portuguese, while the API keeps its English
for integrators. Words a member of staff typed stay as they wrote them."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import Merchant
from tests.integration.test_concern_sent_twice import concern_form
from tests.integration.test_pages_staff import (  # noqa: F401 - fixtures
    Staff,
    https_client,
    new_staff,
)

PT = {"Accept-Language": "pt-PT"}


def test_a_discount_taken_off_is_said_in_portuguese_to_customer_and_staff(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
) -> None:
    tab = merchant.served_tab(450, 450)
    form = concern_form(merchant, tab["token"], reason="Frio", remedy="partial", amount="1,00")
    sent = merchant.client.post(
        f"/t/{tab['token']}/concern", data=form, headers=PT, follow_redirects=False
    )
    assert sent.status_code == 303, sent.text
    page = merchant.client.get(f"/t/{tab['token']}", headers=PT).text
    assert "Aprovada: o desconto foi retirado da sua conta." in page
    assert "the discount has been taken off" not in page

    owner = new_staff(merchant, role="owner", access="owner")
    assert owner.sign_in().status_code == 200
    assert owner.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    console = owner.get(f"/staff/tabs/{tab['id']}").text
    assert "Aprovada: o desconto foi retirado da sua conta." in console
    assert "the discount has been taken off" not in console

    listed = merchant.get(f"/v1/tabs/{tab['id']}/concerns").json()["data"]
    assert listed[0]["decision"] == "Approved: the discount has been taken off your bill."


def test_a_limit_reached_is_said_in_portuguese_with_its_figures(merchant: Merchant) -> None:
    policy = {"claim_limit": 1, "claim_period_days": 90, "over_limit": "reject"}
    assert merchant.post("/v1/merchant/guarantee-policy", policy).status_code == 200
    customer = merchant.customer("Rita Lopes")
    for expected in ("approved", "rejected"):
        tab = merchant.tab(customer["id"])
        svc = merchant.service(price=450)
        assert merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]}).is_success
        assert merchant.post(f"/v1/tabs/{tab['id']}/serve").is_success
        raised = merchant.post(
            f"/v1/public/tabs/{tab['token']}/concerns", {"reason": "Frio", "remedy": "redo"}
        )
        assert raised.json()["status"] == expected, raised.text
    page = merchant.client.get(f"/t/{tab['token']}", headers=PT).text
    assert (
        "Teve 1 reclamação aprovada nos últimos 90 dias, o máximo que esta garantia dá de uma "
        "vez; a conta mantém-se. Fale com a equipa, por favor."
    ) in page
    assert "You have had" not in page
