"""The day close's shape in the API (amounts in minor units of ``currency``)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import ConfigDict, Field

from servefirst.api.fields import Body, Out
from servefirst.cashup.service import DayReport


class DayCloseIn(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "date": "2026-11-25",
                    "opening_float": 10000,
                    "counted": {"2000": 3, "1000": 4, "200": 10, "50": 7},
                }
            ]
        }
    )

    date: dt.date | None = Field(
        None, description="The merchant's day to close; today if not given."
    )
    opening_float: int = Field(description="Cash put in the drawer for change at opening.")
    counted: dict[str, int] = Field(
        description="Pieces counted per euro note and coin, keyed by its value in cents "
        "('5000' is a 50 euro note, '2' a 2 cent coin). Counts are whole and never negative."
    )


class Takings(Out):
    total: int = Field(description="Taken by every method, tips included.")
    cash: int
    card: int
    card_terminal: int


class Voids(Out):
    tabs: int
    amount: int
    lines: int = Field(0, description="Lines voided on tabs that stayed open, their value.")


class DepositsOfDay(Out):
    taken: int
    refunded: int
    kept: int = Field(description="Kept after a no-show or late cancellation.")


class Closer(Out):
    id: str = Field(description="The staff member's id, or 'api_key'.")
    name: str


def result_of(difference: int) -> Literal["over", "short", "exact"]:
    return "exact" if difference == 0 else "over" if difference > 0 else "short"


class DayCloseOut(Out):
    object: Literal["day_close"] = "day_close"
    id: str
    date: dt.date
    timezone: str = Field(description="The zone whose midnight to midnight the day is.")
    currency: str
    opening_float: int
    expected_cash: int = Field(description="The float plus the day's cash in the ledger.")
    counted_cash: int
    counted: dict[str, int]
    difference: int = Field(description="Counted less expected: above 0 over, below 0 short.")
    result: Literal["over", "short", "exact"]
    entry_id: str | None = Field(description="The entry posted to cash_over_short (none if exact).")
    closed_by: Closer
    closed_at: dt.datetime
    takings: Takings
    tips: int
    refunds: int
    voids: Voids
    adjustments: int
    write_offs: int
    deposits: DepositsOfDay

    @classmethod
    def build(cls, report: DayReport) -> DayCloseOut:
        close = report.close
        assert close is not None
        t = report.totals
        return cls(
            id=close.close_id,
            date=report.day,
            timezone=report.zone,
            currency=report.currency,
            opening_float=close.opening_float,
            expected_cash=close.expected_cash,
            counted_cash=close.counted_cash,
            counted=close.counted,
            difference=close.difference,
            result=result_of(close.difference),
            entry_id=close.entry_id,
            closed_by=Closer(id=close.closed_by, name=close.closed_by_name),
            closed_at=close.closed_at,
            takings=Takings(total=t.takings, **t.by_method),
            tips=t.tips,
            refunds=t.refunds,
            voids=Voids(tabs=report.voids, amount=report.voided_amount, lines=t.voided_lines),
            adjustments=t.adjustments,
            write_offs=t.write_offs,
            deposits=DepositsOfDay(
                taken=t.deposits_taken, refunded=t.deposits_refunded, kept=t.deposits_kept
            ),
        )
