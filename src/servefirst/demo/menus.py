"""The demo's price lists: each service with its price, duration and terms."""

from __future__ import annotations

from typing import NamedTuple


class Offer(NamedTuple):
    """A service on a demo price list: price in minor units, with its terms."""

    name: str
    price: int
    minutes: int
    expected_results: list[str]
    limits: list[str]


CAFE_MENU = [
    Offer(
        "Espresso",
        180,
        3,
        [
            "A double ristretto of our house blend (Brazil and Ethiopia)",
            "Served within 5 minutes of ordering",
        ],
        ["Decaf on request", "No free refills"],
    ),
    Offer(
        "Flat white",
        380,
        5,
        [
            "Double ristretto with silky steamed whole milk, 180 ml",
            "Served within 5 minutes of ordering",
        ],
        ["Oat milk +0.40", "Latte art not guaranteed"],
    ),
    Offer(
        "Pastel de nata",
        150,
        2,
        ["Baked this morning, served warm with cinnamon and icing sugar"],
        ["Until sold out (usually by 13:00)", "Contains egg, milk and gluten"],
    ),
    Offer(
        "Fresh orange juice",
        350,
        4,
        ["Squeezed to order from Algarve oranges, 250 ml"],
        ["No ice unless you ask", "Pulp not strained"],
    ),
    Offer(
        "Brunch plate",
        1250,
        20,
        [
            "Two eggs your way, sourdough toast, avocado and seasonal fruit",
            "At your table within 20 minutes of ordering",
        ],
        ["Gluten-free bread +1.00", "Served until 14:30"],
    ),
]

SALON_MENU = [
    Offer(
        "Haircut",
        3500,
        45,
        ["Consultation, wash, cut and blow-dry", "The length and shape agreed at the consultation"],
        [
            "Hair below the shoulder blades +10.00",
            "A free touch-up within 7 days if the shape is not as agreed",
        ],
    ),
    Offer(
        "Colour",
        8500,
        120,
        [
            "Full-head colour, with a patch test 48 hours before",
            "A shade within one tone of the swatch you chose",
        ],
        [
            "Lightening more than 3 levels is a separate service",
            "Results vary on hair coloured elsewhere; colour fades with washing",
        ],
    ),
    Offer(
        "Beard trim",
        1800,
        20,
        ["Shape, line-up and hot-towel finish"],
        ["Straight-razor shave not included"],
    ),
]


#: Portugal's IVA (mainland), prices with it included as Portuguese shops
#: show them: food and coffee served at the café at the intermediate rate,
#: juices and the salon's services at the standard rate.
IVA_RATES = {"IVA 23%": "23", "IVA 13%": "13"}
CAFE_IVA = {
    "Espresso": "IVA 13%",
    "Flat white": "IVA 13%",
    "Pastel de nata": "IVA 13%",
    "Brunch plate": "IVA 13%",
    "Fresh orange juice": "IVA 23%",
}
SALON_IVA = {"Haircut": "IVA 23%", "Colour": "IVA 23%", "Beard trim": "IVA 23%"}
