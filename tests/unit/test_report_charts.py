"""A report's chart is drawn for the merchant's place: a Lisbon café's axis
and bar values are written with a decimal comma, as its tables are."""

from __future__ import annotations

import re

from servefirst.kit import formats
from servefirst.reports.charts import bars

#: What a reader sees in the chart: the axis's ticks and each bar's value.
SHOWN = re.compile(r'<text[^>]*>([^<]*)</text>|<desc class="value">([^<]*)</desc>')


def shown(svg: str) -> set[str]:
    return {tick or value for tick, value in SHOWN.findall(svg)}


def test_a_lisbon_chart_writes_its_figures_with_a_decimal_comma() -> None:
    with formats.use_place("pt_PT", "Europe/Lisbon"):
        for horizontal in (False, True):
            said = shown(
                bars("Vendas", ["Bica", "Galão"], [("Vendas", [1.5, 3.75])], horizontal=horizontal)
            )
            assert {"1,5", "3,75"} <= said
            assert not [s for s in said if re.fullmatch(r"\d+\.\d+", s)], said


def test_a_london_chart_keeps_its_decimal_point() -> None:
    with formats.use_place("en_GB", "Europe/London"):
        assert {"1.5", "3.75"} <= shown(bars("Sales", ["Tea", "Scone"], [("Sales", [1.5, 3.75])]))
