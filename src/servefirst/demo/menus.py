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


#: Café Azul's menu, as a Lisbon café writes it: in Portuguese, decimals with a
#: comma ("0,3 l", "+0,40 €"). Its customers read these names and promises on
#: their tab, receipt and e-mails, whatever language their browser asks for.
#: A number keeps its unit on its line (a no-break space, as the app's own
#: "3,80 €" has), so a phone never shows "0,3" with the "l" below it.
CAFE_MENU = [
    Offer(
        "Bica",
        180,
        3,
        [
            "Um ristretto duplo do nosso lote da casa (Brasil e Etiópia)",
            "Servida até 5 minutos depois do pedido",
        ],
        ["Descafeinado a pedido", "Não inclui segunda chávena"],
    ),
    Offer(
        "Galão",
        380,
        5,
        [
            "Ristretto duplo com leite gordo vaporizado e cremoso, em copo alto de 0,3\u00a0l",
            "Servido até 5 minutos depois do pedido",
        ],
        ["Bebida de aveia +0,40\u00a0€", "Desenho no leite não garantido"],
    ),
    Offer(
        "Pastel de nata",
        150,
        2,
        ["Cozido esta manhã, servido morno com canela e açúcar em pó"],
        ["Até esgotar (normalmente até às 13:00)", "Contém ovo, leite e glúten"],
    ),
    Offer(
        "Sumo de laranja natural",
        350,
        4,
        ["Espremido na hora, com laranjas do Algarve, 0,25\u00a0l"],
        ["Sem gelo, a não ser que o peça", "Com polpa (não é coado)"],
    ),
    Offer(
        "Prato de brunch",
        1250,
        20,
        [
            "Dois ovos a seu gosto, torrada de pão de massa-mãe, abacate e fruta da época",
            "Na sua mesa até 20 minutos depois do pedido",
        ],
        ["Pão sem glúten +1,00\u00a0€", "Servido até às 14:30"],
    ),
]

#: Studio Lume's price list, in Portuguese like the café's.
SALON_MENU = [
    Offer(
        "Corte de cabelo",
        3500,
        45,
        [
            "Diagnóstico, lavagem, corte e brushing",
            "O comprimento e a forma combinados no diagnóstico",
        ],
        [
            "Cabelo abaixo das omoplatas +10,00\u00a0€",
            "Retoque gratuito até 7 dias depois, se a forma não for a combinada",
        ],
    ),
    Offer(
        "Coloração",
        8500,
        120,
        [
            "Coloração de todo o cabelo, com teste de sensibilidade 48 horas antes",
            "Um tom a não mais de um nível da amostra que escolheu",
            "Inclui a pausa da cor (cerca de 1,5\u00a0h) e a lavagem",
        ],
        [
            "Aclarar mais de 3 níveis é um serviço à parte",
            "O resultado varia em cabelo pintado noutro sítio; a cor desvanece com as lavagens",
        ],
    ),
    Offer(
        "Aparo de barba",
        1800,
        20,
        ["Forma, contorno e acabamento com toalha quente"],
        ["Não inclui barbear à navalha"],
    ),
]


#: Portugal's IVA (mainland), prices with it included as Portuguese shops
#: show them: food and coffee served at the café at the intermediate rate,
#: juices and the salon's services at the standard rate.
IVA_RATES = {"IVA 23%": "23", "IVA 13%": "13"}
CAFE_IVA = {
    "Bica": "IVA 13%",
    "Galão": "IVA 13%",
    "Pastel de nata": "IVA 13%",
    "Prato de brunch": "IVA 13%",
    "Sumo de laranja natural": "IVA 23%",
}
SALON_IVA = {"Corte de cabelo": "IVA 23%", "Coloração": "IVA 23%", "Aparo de barba": "IVA 23%"}
