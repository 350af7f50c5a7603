"""The shape every report page shares: sections, each a chart's figures and
the same figures as a table (for screen readers, printing and the CSV).

Apart from ``views`` so a report kept in a module of its own
(``earnings_view``) builds the same shape without importing the list of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from servefirst.kit.money import Money, minor_digits
from servefirst.reports.sales import ReportPeriod

Series = list[tuple[str, list[float | None]]]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    header: list[str]
    rows: list[list[str]]
    labels: list[str]
    series: Series
    horizontal: bool = False

    @property
    def empty(self) -> bool:
        return not any(v for _, values in self.series for v in values)


@dataclass(frozen=True)
class ReportView:
    key: str
    title: str
    intro: str
    period: ReportPeriod
    sections: list[Section]

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)


def money_of(currency: str, locale: str) -> Callable[[int], str]:
    return lambda amount: Money(int(amount), currency).format(locale)


def major_of(currency: str) -> Callable[[int], float]:
    digits = minor_digits(currency)
    return lambda amount: float(Decimal(amount).scaleb(-digits))
