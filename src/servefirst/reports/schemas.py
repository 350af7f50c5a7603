"""The cash-flow report's shape (amounts in minor units of ``currency``)."""

from __future__ import annotations

from pydantic import Field

from servefirst.api.fields import IsoTime, Out


class ByMethod(Out):
    cash: int
    card: int
    card_terminal: int


class Collected(Out):
    total: int = Field(
        description="Every payment taken, tips included, less what was refunded and"
        " what banks took back for lost disputes."
    )
    by_method: ByMethod
    for_services: int = Field(description="What was collected less the tips.")
    tips: int


class Refunds(Out):
    """Money given back after it was taken (already netted out of ``collected``)."""

    total: int = Field(description="Bill parts and tips given back.")
    by_method: ByMethod
    for_services: int = Field(description="The bill parts given back (the refunds account).")
    tips: int = Field(description="The tips given back.")


class DisputesLost(Out):
    """Card payments the customers' banks took back for disputes the merchant
    lost (chargebacks; already netted out of ``collected``)."""

    total: int = Field(description="Bill parts and tips taken back.")
    by_method: ByMethod
    for_services: int = Field(description="The bill parts taken back (the disputes_lost account).")
    tips: int = Field(description="The tips taken back.")


class Tips(Out):
    collected: int
    payable: int = Field(description="Tips collected and not yet paid out to staff.")


class AgeBucket(Out):
    age: str = Field(examples=["0-7 days", "8-30 days", "31-60 days", "61+ days"])
    tabs: int
    amount: int


class Receivables(Out):
    total: int = Field(description="What customers owe, by the ledger.")
    open: int
    served_unpaid: int
    overdue: int
    by_age: list[AgeBucket] = Field(
        description="Unpaid tabs by whole days since served (opened, while still open)."
    )


class RemedyTotals(Out):
    concerns: int
    amount: int


class Adjustments(Out):
    total: int
    by_remedy: dict[str, RemedyTotals] = Field(
        description="Approved concerns and their discounts, per remedy (redo, partial, waive)."
    )


class WriteOffs(Out):
    total: int


class Deposits(Out):
    held: int = Field(description="Captured and still held against bookings.")
    on_hold: int = Field(description="Only authorised on cards, for upcoming bookings.")
    applied: int
    refunded: int
    forfeited: int


class CashFlowReport(Out):
    currency: str = Field(examples=["EUR"])
    as_of: IsoTime
    collected: Collected
    refunds: Refunds
    disputes_lost: DisputesLost
    tips: Tips
    revenue: int
    receivables: Receivables
    adjustments: Adjustments
    write_offs: WriteOffs
    deposits: Deposits
