"""A tab's lines as sold, for reading (responses, pages): plain values the
repository makes from the ``tab_lines`` rows, with the terms each was sold under."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class LineTerms:
    """The promise a line was sold under (its service's terms at that version)."""

    expected_results: Any
    limits: Any


@dataclass(frozen=True, slots=True)
class SoldLine:
    """A line as sold (the ``tab_lines`` row), for reading: responses, pages."""

    merchant_id: str
    tab_id: str
    line_no: int
    service_id: str
    terms_version: int
    name: str
    unit_price: int
    quantity: int
    amount: int
    staff_id: str | None
    created_at: datetime
    voided_at: datetime | None = None
    void_reason: str | None = None
    tax_rate_id: str | None = None
    tax_percent: str | None = None

    @property
    def voided(self) -> bool:
        return self.voided_at is not None


@dataclass(frozen=True)
class LineView:
    line: SoldLine
    terms: LineTerms
