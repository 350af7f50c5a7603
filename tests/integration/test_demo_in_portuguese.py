"""The demo's café and salon are in Lisbon: what each business wrote itself (its
services' names, promises and limits, its reward) is in Portuguese, with a
decimal comma, so a customer opening their tab or the booking page never reads
an English price list among Portuguese pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from servefirst.demo import DemoResult, build_demo
from servefirst.kit import i18n
from servefirst.loyalty import service as loyalty
from servefirst.runtime import Runtime
from servefirst.tabs.service import get_tab

#: What the demo's price lists said before they were written in Portuguese:
#: none of it may come back on a Lisbon business's services.
ENGLISH = {
    "Espresso",
    "Flat white",
    "Fresh orange juice",
    "Brunch plate",
    "Haircut",
    "Colour",
    "Beard trim",
    "Served within 5 minutes of ordering",
    "Decaf on request",
    "No free refills",
    "Oat milk +0.40",
    "Latte art not guaranteed",
    "Contains egg, milk and gluten",
    "Gluten-free bread +1.00",
    "Served until 14:30",
    "Consultation, wash, cut and blow-dry",
    "Hair below the shoulder blades +10.00",
    "Straight-razor shave not included",
    "Shape, line-up and hot-towel finish",
}
#: Words only an English text would hold (a Portuguese one never does).
ENGLISH_WORDS = re.compile(r"\b(the|and|with|of|not|until|served|within|your|free)\b", re.I)
#: A number written the English way: "0.40", "1.5".
DOT_DECIMAL = re.compile(r"\d\.\d")
#: A number whose unit a line break may part from it ("0,3" here, "l" below).
PARTED_UNIT = re.compile(r"\d (ml|l|h|€)(?!\w)")


@pytest.fixture(scope="module")
def demo(runtime: Runtime) -> DemoResult:
    return build_demo(runtime)


def _services(app: Any, api_key: str) -> list[dict[str, Any]]:
    headers = {"Authorization": f"Bearer {api_key}"}
    response = TestClient(app).get("/v1/services?limit=100", headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["data"])


def _texts(service: dict[str, Any]) -> list[str]:
    return [service["name"], *service["expected_results"], *service["limits"]]


@pytest.mark.parametrize("shop", [0, 1], ids=["cafe", "salon"])
def test_a_lisbon_business_writes_its_price_list_in_portuguese(
    app: Any, demo: DemoResult, shop: int
) -> None:
    merchant = demo.merchants[shop]
    headers = {"Authorization": f"Bearer {merchant.api_key}"}
    assert TestClient(app).get("/v1/merchant", headers=headers).json()["locale"] == "pt_PT"
    services = _services(app, merchant.api_key)
    assert len(services) >= 3
    for service in services:
        for text in _texts(service):
            assert text not in ENGLISH, (merchant.name, text)
            assert not ENGLISH_WORDS.search(text), (merchant.name, text)
            assert not DOT_DECIMAL.search(text), (merchant.name, text)
            assert not PARTED_UNIT.search(text), (merchant.name, text)


def test_the_cafes_galao_promises_in_portuguese_with_a_decimal_comma(
    app: Any, demo: DemoResult
) -> None:
    galao = {s["name"]: s for s in _services(app, demo.merchants[0].api_key)}["Galão"]
    assert "Servido até 5 minutos depois do pedido" in galao["expected_results"]
    assert "Bebida de aveia +0,40\u00a0€" in galao["limits"]
    assert any("0,3\u00a0l" in promise for promise in galao["expected_results"])


def test_ana_opens_her_tab_and_reads_the_cafes_portuguese_menu(
    client: TestClient, demo: DemoResult
) -> None:
    seen = client.get(f"/v1/public/tabs/{demo.open_tab.token}").json()
    assert [line["name"] for line in seen["lines"]] == ["Galão", "Pastel de nata"]
    page = client.get(f"/t/{demo.open_tab.token}", headers={"Accept-Language": "pt-PT"})
    assert page.status_code == 200
    assert "Galão" in page.text and "Cozido esta manhã" in page.text
    assert not any(english in page.text for english in ("Flat white", "Served within"))


def test_the_salons_booking_page_offers_portuguese_services(
    client: TestClient, demo: DemoResult
) -> None:
    page = client.get(f"/b/{demo.booking_slug}", headers={"Accept-Language": "pt-PT"})
    assert page.status_code == 200
    assert {"Corte de cabelo", "Coloração", "Aparo de barba"} <= set(
        re.findall(r"Corte de cabelo|Coloração|Aparo de barba", page.text)
    )
    assert not any(english in page.text for english in ("Haircut", "Beard trim"))


def test_anas_stamp_card_promises_a_galao_in_both_languages(
    runtime: Runtime, demo: DemoResult
) -> None:
    with runtime.uow(demo.merchants[0].merchant_id, write=False) as uow:
        card = loyalty.customer_card(uow, get_tab(uow, demo.open_tab.tab_id).customer_id)
        with i18n.use_language("pt"):
            assert (
                loyalty.progress_in_words(uow, card) == "Faltam 4 visitas para ganhar galão grátis"
            )
        with i18n.use_language("en"):
            assert loyalty.progress_in_words(uow, card) == "4 more visits to a free galão"


@pytest.mark.parametrize(
    ("shop", "titles"),
    [
        (0, {"Inês Duarte": "Proprietária", "Rui Pinto": "Barista", "Sofia Reis": "Barista"}),
        (
            1,
            {
                "Tiago Lopes": "Proprietário",
                "Sofia Marques": "Cabeleireira",
                "Pedro Nunes": "Barbeiro",
            },
        ),
    ],
    ids=["cafe", "salon"],
)
def test_the_team_has_the_job_titles_its_lisbon_business_gave_it(
    app: Any, demo: DemoResult, shop: int, titles: dict[str, str]
) -> None:
    merchant = demo.merchants[shop]
    headers = {"Authorization": f"Bearer {merchant.api_key}"}
    team = TestClient(app).get("/v1/staff", headers=headers).json()["data"]
    assert {m["name"]: m["role"] for m in team} == titles
    owner = titles[next(iter(titles))]
    assert [m["access"] for m in team if m["role"] == owner] == ["owner"]
