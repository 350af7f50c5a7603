"""Charts as SVG drawn on the server (pygal), readable without JavaScript.

Each page shows a chart as an ``<img>`` with a text alternative and a table of
the same figures beside it, so screen readers and printers lose nothing. The
SVG carries its own styles (pygal writes them inline); it is an image, so no
script in it ever runs, and its answer says so in its own security policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pygal
from pygal.style import Style

from servefirst.kit import formats

#: The console's colours, so a chart reads as part of the page.
_STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    colors=("#0b6e4f", "#c05621", "#2b6cb0", "#6b46c1"),
    font_family="system-ui, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    title_font_size=16,
    legend_font_size=13,
)

#: Only the chart's own styles may apply inside the image; nothing else loads.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


def _figure(value: float) -> str:
    """An axis tick or a bar's value as the merchant's place writes it: '2,5'
    in Lisbon, '2.5' in London (pygal alone would write '2.5' everywhere)."""
    return formats.number(Decimal(repr(value)))


def _config(horizontal: bool, legend: bool) -> dict[str, object]:
    return {
        "style": _STYLE,
        # Narrow enough that labels stay readable when a phone shrinks it.
        "width": 560,
        "height": 360,
        "disable_xml_declaration": True,
        "js": [],  # no script from anywhere: the chart is a picture
        "show_legend": legend,
        "legend_at_bottom": True,
        "print_values": False,
        "truncate_label": 18,
        "x_label_rotation": 0 if horizontal else 30,
        "value_formatter": _figure,
    }


def bars(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    horizontal: bool = False,
) -> str:
    """A bar chart of one or more series over ``labels``, as SVG text."""
    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    chart = kind(**_config(horizontal, legend=len(series) > 1))
    chart.title = title
    chart.x_labels = list(labels)
    if len(labels) > 14:  # a long period: every seventh label named
        chart.x_labels_major_every = 7
        chart.show_minor_x_labels = False
    for name, values in series:
        chart.add(name, list(values))
    svg: str = chart.render(is_unicode=True)
    return svg
