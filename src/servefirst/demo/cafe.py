"""Café Azul: four customers, six weeks of coffee, and one tab open now."""

from __future__ import annotations

from datetime import timedelta

from servefirst.demo.cafe_today import in_lisbon, open_day, this_morning
from servefirst.demo.menus import CAFE_IVA, CAFE_MENU
from servefirst.demo.result import DemoTab
from servefirst.demo.story import Shop, Story
from servefirst.guarantee.service import raise_concern
from servefirst.loyalty import service as loyalty
from servefirst.reviews.service import review_tab
from servefirst.runtime import Runtime


def cafe_story(story: Story, runtime: Runtime) -> tuple[Shop, DemoTab]:
    with story.opening():
        cafe = Shop(runtime, "Café Azul", "EUR", CAFE_MENU, CAFE_IVA)
    # A stamp card: every fifth visit of 3.00 or more earns a free galão;
    # stamps lapse after six months without a visit.
    with cafe.step() as uow:
        loyalty.set_program(
            uow,
            {
                "kind": "visits",
                "visits_per_reward": 5,
                "min_spend": 300,
                "reward": {"type": "free_service", "service_id": cafe.services["Galão"][0]},
                "expires_after_days": 180,
            },
        )
    ana = cafe.customer("Ana Costa", "ana.costa@example.com", "+351 912 345 678")
    bruno = cafe.customer("Bruno Alves", "bruno.alves@example.com", "+351 913 222 417")
    carla = cafe.customer("Carla Mendes", "carla.mendes@example.org", "+351 936 880 102")
    diogo = cafe.customer("Diogo Ramos", "diogo@example.net", "+351 917 554 390")

    # Ana, a regular: a galão and a nata most weeks. Six visits paid
    # on time make her "trusted"; the fifth filled her stamp card, so a free
    # galão waits for her (the console shows it on her open tab).
    for days_ago, card in (
        (41, False),
        (34, True),
        (27, False),
        (20, True),
        (13, False),
        (6, True),
    ):
        story.day(open_day(story, days_ago), 8, 40)
        morning = {"Galão": 1, "Pastel de nata": 1}
        tab = story.visit(cafe, ana, morning, card_tip=50 if card else None, cash_tip=20)
    with cafe.step() as uow:
        said = "O melhor pastel de nata da cidade, e o galão no ponto."
        review_tab(uow, tab.token, rating=5, comment=said)

    # Bruno: paid once, then left after brunch and paid only after a reminder:
    # one late payment on his record. (Each day of the story is one the café
    # was open: a holiday moves it a day further back.)
    story.day(open_day(story, 30), 10, 15)
    story.visit(cafe, bruno, {"Bica": 1, "Pastel de nata": 1}, cash_tip=0)
    story.day(open_day(story, 22), 11, 30)
    late = story.visit(cafe, bruno, {"Prato de brunch": 1, "Sumo de laranja natural": 1})
    story.day(open_day(story, 19), 9)
    cafe.overdue(late)
    story.day(open_day(story, 17), 20, 5)
    cafe.pay_card(late)
    story.day(open_day(story, 9), 8, 5)
    story.visit(cafe, bruno, {"Bica": 2}, cash_tip=40)

    # Carla's brunch: the eggs came overcooked, she asked for 3.00 off, the
    # guarantee approved it on the spot, and she paid the rest by card.
    story.day(open_day(story, 5), 12, 10)
    brunch = cafe.order(carla, {"Prato de brunch": 2, "Sumo de laranja natural": 2})
    story.later(22)
    cafe.serve(brunch)
    story.later(25)
    with cafe.step() as uow:
        raise_concern(
            uow, brunch.token, reason="Os ovos vieram cozidos demais.", remedy="partial", amount=300
        )
    story.later(3)
    cafe.pay_card(brunch, tip=100)

    # Diogo had two bicas (espressos) yesterday (or the last day the café opened)
    # and will pay next time: a receivable.
    story.day(open_day(story, 1), 16, 45)
    unpaid = cafe.order(diogo, {"Bica": 2})
    story.later(3)
    cafe.serve(unpaid)

    # This morning at the counter, beside the same weekday last week (the Today page).
    in_lisbon(cafe)
    this_morning(story, cafe)

    # Right now Ana is at a table: her tab is open, the link is hers.
    story.clock.set(story.now - timedelta(minutes=6))
    open_tab = cafe.order(ana, {"Galão": 1, "Pastel de nata": 2})
    return cafe, open_tab
