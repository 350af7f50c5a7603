"""Six weeks of ordinary trade at Café Azul, so every report has something to
show: walk-ins at every hour by two baristas, reviews good and bad, a redo,
a few debts of every age, and each past day closed with the drawer counted.

Made through the same use cases as the rest of the demo; a seeded random
choice keeps the history the same on every run.
"""

from __future__ import annotations

import random

from servefirst.cashup.rules import EURO_DENOMINATIONS
from servefirst.cashup.service import Closer, close_day, day_so_far, merchant_today
from servefirst.demo.cafe_today import open_day, was_closed
from servefirst.demo.story import Shop, Story
from servefirst.guarantee.service import raise_concern
from servefirst.reviews.service import review_tab

#: Days of history (the demo's six weeks).
DAYS = 42
#: The drawer's float each morning (50.00 in notes and coins for change).
FLOAT = 5000

REGULARS = [
    ("Eduarda Nunes", "eduarda.nunes@example.com", "+351 914 200 311"),
    ("Filipe Moura", "filipe.moura@example.com", "+351 915 300 422"),
    ("Gabriela Pinto", "gabriela.pinto@example.org", "+351 916 400 533"),
    ("Hugo Teixeira", "hugo.teixeira@example.net", "+351 917 500 644"),
    ("Isabel Cardoso", "isabel.cardoso@example.com", "+351 918 600 755"),
    ("Jorge Martins", "jorge.martins@example.org", "+351 919 700 866"),
]
ORDERS = [
    {"Bica": 1},
    {"Galão": 1},
    {"Galão": 1, "Pastel de nata": 1},
    {"Bica": 2, "Pastel de nata": 2},
    {"Prato de brunch": 1, "Sumo de laranja natural": 1},
    {"Sumo de laranja natural": 1, "Pastel de nata": 1},
]
#: The café's busy hours: breakfast, lunch, the afternoon coffee.
HOURS = [8, 8, 9, 10, 12, 13, 13, 15, 16, 17]
#: What the café's customers wrote beside their stars (in Lisbon, in Portuguese).
COMMENTS = {
    5: "Ótimo, como sempre.",
    4: "Bom café, esperei um pouco.",
    3: "Tudo bem, mas a mesa não estava levantada.",
    2: "A torrada veio fria.",
}


def counted_pieces(amount: int) -> dict[str, int]:
    """``amount`` in notes and coins, largest first (how a drawer is counted)."""
    pieces: dict[str, int] = {}
    for value in EURO_DENOMINATIONS:
        count, amount = divmod(amount, value)
        if count:
            pieces[str(value)] = count
    return pieces


def weeks_of_trade(story: Story, cafe: Shop) -> None:
    rng = random.Random(21)
    people = [cafe.customer(*who) for who in REGULARS]
    baristas = [cafe.member(name, 500, title="Barista") for name in ("Rui Pinto", "Sofia Reis")]
    names = list(cafe.staff)
    # Debts of every age, and a redone brunch, each on a day the café was open.
    owing = {open_day(story, 35): people[4], open_day(story, 10): people[3]}
    redone = open_day(story, 15)
    # Jorge's lunch before the six weeks: still unpaid, over two months on.
    story.day(open_day(story, 65), 13, 10)
    lunch = cafe.order(people[5], {"Prato de brunch": 1, "Sumo de laranja natural": 1}, by=names[1])
    story.later(20)
    cafe.serve(lunch)
    debts = [lunch]
    for days_ago in range(DAYS, 0, -1):
        if was_closed(story, days_ago):
            continue  # a public holiday: no trade, no drawer to count
        visits = rng.randint(2, 4) + (2 if days_ago % 7 in (0, 6) else 0)  # busier weekends
        for i, hour in enumerate(sorted(rng.sample(HOURS, k=min(visits, len(HOURS))))):
            story.day(days_ago, hour, rng.randint(0, 50))
            debtor = owing.get(days_ago) if i == 0 else None
            who = debtor or rng.choice(people[:3])
            by = names[(hour + days_ago) % len(baristas)]
            items = rng.choice(ORDERS)
            if debtor:
                debts.append(cafe.order(who, items, by=by))
                story.later(cafe.minutes_for(items))
                cafe.serve(debts[-1])
                continue
            if rng.random() < 0.5:
                tab = story.visit(cafe, who, items, cash_tip=rng.choice([0, 0, 20, 50]), by=by)
            else:
                tab = story.visit(cafe, who, items, card_tip=rng.choice([0, 50, 100]), by=by)
            if rng.random() < 0.3:
                rating = rng.choice([5, 5, 5, 4, 4, 3, 2])
                with cafe.step() as uow:
                    review_tab(uow, tab.token, rating=rating, comment=COMMENTS.get(rating, ""))
        if days_ago == redone:  # a cold brunch, redone on the spot
            story.day(days_ago, 12, 30)
            redo = cafe.order(people[1], {"Prato de brunch": 1}, by=names[0])
            story.later(20)
            cafe.serve(redo)
            with cafe.step() as uow:
                raise_concern(
                    uow, redo.token, reason="Os ovos vieram frios.", remedy="redo", amount=None
                )
            story.later(15)
            cafe.pay_cash(redo)
        # Closing time: the drawer is counted; now and then a coin goes missing.
        story.day(days_ago, 19, 30)
        with cafe.step() as uow:
            expected = FLOAT + day_so_far(uow, merchant_today(uow)).totals.cash_movement
            slip = rng.choice([0, 0, 0, 0, -20, -50, 10])
            close_day(
                uow,
                closer=Closer(baristas[days_ago % 2], names[days_ago % 2]),
                opening_float=FLOAT,
                counted=counted_pieces(max(expected + slip, 0)),
            )
    # Yesterday evening the owner chased the oldest debts: marked overdue.
    story.day(1, 19, 45)
    for debt in debts[:2]:
        cafe.overdue(debt)
