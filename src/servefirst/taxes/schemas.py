from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field

from servefirst.api.fields import Body, Name, Out
from servefirst.taxes.models import TaxRate
from servefirst.taxes.rules import TabTax, percent_text


class TaxRateIn(Body):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "IVA 23%", "percent": "23"}]}
    )

    name: Name = Field(examples=["IVA 23%"])
    # Any JSON value is read, so a number instead of text is a clear 422 from
    # the rules (``parse_percent``), not a float quietly taken.
    percent: Any = Field(
        description='A decimal number written as text, from "0" to "100" ("23", "5.5");'
        " at most four decimals.",
        json_schema_extra={"type": "string", "examples": ["23", "5.5"]},
    )


class TaxRateOut(Out):
    id: str
    object: Literal["tax_rate"] = "tax_rate"
    name: str
    percent: str = Field(description='The percent as a decimal written as text ("5.5").')
    created_at: datetime

    @classmethod
    def build(cls, rate: TaxRate) -> TaxRateOut:
        return cls(
            id=rate.rate_id, name=rate.name, percent=rate.percent, created_at=rate.created_at
        )


class TaxRateList(Out):
    object: Literal["list"] = "list"
    data: list[TaxRateOut]


class TaxPartOut(Out):
    """One rate's share of a tab: net + tax is its gross, to the cent."""

    rate_id: str
    percent: str
    net: int
    tax: int


def tax_parts(tax: TabTax) -> list[TaxPartOut]:
    return [
        TaxPartOut(rate_id=p.rate_id, percent=percent_text(p.percent), net=p.net, tax=p.tax)
        for p in tax.rated
        if p.rate_id is not None
    ]


class TaxReportRow(Out):
    rate_id: str
    name: str
    percent: str
    net: int
    tax: int
    gross: int


class TaxReport(Out):
    model_config = ConfigDict(populate_by_name=True)

    object: Literal["tax_report"] = "tax_report"
    currency: str
    start: datetime = Field(alias="from", description="Start of the period, included.")
    end: datetime = Field(alias="to", description="End of the period, excluded.")
    rates: list[TaxReportRow] = Field(description="Per rate: net, tax and gross of the period.")
    net: int
    tax: int
    gross: int
    ledger_tax_payable: int = Field(
        description="What the ledger's tax_payable account moved in the same period: always"
        " equal to `tax`."
    )
