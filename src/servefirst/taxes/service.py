"""Use cases of taxes: the merchant's rates, what each change of a tab does
to its tax (for the use cases that post it), a tab's totals and the tax report.

A tab with nothing taxed on it (``tab.taxes`` is None) and an untaxed line
never reach the tax rules: a merchant without tax rates posts exactly as
before taxes existed, with no extra statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from servefirst.events.service import emit
from servefirst.kit.apportion import largest_remainder
from servefirst.kit.errors import Conflict, InvalidRequest, NotFound
from servefirst.kit.i18n import N_
from servefirst.kit.ids import new_id
from servefirst.taxes.models import TaxRate
from servefirst.taxes.repository import TaxRepository
from servefirst.taxes.rules import (
    RatePart,
    TabTax,
    TabTaxState,
    TaxedLine,
    TaxShift,
    given_back,
    parse_percent,
    percent_text,
    shift,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from datetime import datetime

    from servefirst.db.uow import UnitOfWork
    from servefirst.tabs.models import Tab, TabLine

#: A jurisdiction has a handful of rates; a bound keeps a runaway script from filling the list.
MAX_RATES = 50


# --- the merchant's rates ----------------------------------------------------------


def create_rate(uow: UnitOfWork, *, name: str, percent: object) -> TaxRate:
    words = name.strip()
    if not words:
        raise InvalidRequest("name cannot be empty.", param="name")
    exact = parse_percent(percent)
    rates = TaxRepository(uow)
    if rates.rate_named(words) is not None:
        raise Conflict(
            f"A tax rate named '{words}' already exists.",
            code="tax_rate_exists",
            param="name",
            figures={"words": N_("A tax rate named '%(name)s' already exists."), "name": words},
        )
    if len(rates.rates()) >= MAX_RATES:
        raise Conflict(f"A merchant keeps at most {MAX_RATES} tax rates.", code="too_many_rates")
    rate = rates.add_rate(
        {
            "merchant_id": uow.merchant,
            "rate_id": new_id("txr"),
            "name": words,
            "percent": percent_text(exact),
            "created_at": uow.clock.now(),
        }
    )
    emit(uow, "tax_rate.created", rate.rate_id, {"name": words, "percent": rate.percent})
    return rate


def list_rates(uow: UnitOfWork) -> list[TaxRate]:
    return TaxRepository(uow).rates()


def get_rate(uow: UnitOfWork, rate_id: str, *, param: str = "tax_rate_id") -> TaxRate:
    """The merchant's rate, or 404 (an unknown id and another merchant's alike)."""
    rate = TaxRepository(uow).rate(rate_id)
    if rate is None:
        raise NotFound(f"No such tax rate: '{rate_id}'.", code="tax_rate_not_found", param=param)
    return rate


# --- a tab's tax -------------------------------------------------------------------


def state_of(tab: Tab) -> TabTaxState | None:
    return TabTaxState.from_dict(tab.taxes) if tab.taxes else None


def reductions_of(tab: Tab) -> int:
    """What was taken off the tab's bill since it was charged (gross):
    guarantee discounts and the bill's part of refunds."""
    return tab.adjustments + tab.refunded


@dataclass(frozen=True)
class LineTax:
    """A new line's tax: the rate it is charged at and what it does to the tab."""

    rate_id: str | None
    percent: str | None
    state: TabTaxState
    shift: TaxShift


def for_new_line(
    uow: UnitOfWork,
    tab: Tab,
    *,
    tax_rate_id: str | None,
    amount: int,
    prices_include_tax: bool,
    tax_rounding: str,
) -> LineTax | None:
    """None when neither the line nor the tab is taxed (posting as before)."""
    before = state_of(tab)
    if tax_rate_id is None and before is None:
        return None
    percent: Decimal | None = None
    if tax_rate_id is not None:
        percent = Decimal(get_rate(uow, tax_rate_id).percent)
    if before is None:
        before = TabTaxState.start(prices_include_tax, tax_rounding, tab.subtotal)
    after = before.with_line(TaxedLine(amount, tax_rate_id, percent))
    reductions = reductions_of(tab)
    return LineTax(
        tax_rate_id,
        None if percent is None else percent_text(percent),
        after,
        shift(before, after, reductions, reductions),
    )


def for_void(tab: Tab, line: TabLine) -> tuple[TabTaxState, TaxShift] | None:
    """What taking ``line`` off the tab does to its tax (None: an untaxed tab)."""
    before = state_of(tab)
    if before is None:
        return None
    percent = Decimal(line.tax_percent) if line.tax_percent is not None else None
    after = before.with_line(TaxedLine(line.amount, line.tax_rate_id, percent), sign=-1)
    reductions = reductions_of(tab)
    if after.charged().gross < reductions:
        # More was taken off the bill than would be left: the void is refused
        # (refund first) on what it would take off, before its tax matters.
        return after, TaxShift(after.charged().gross - before.charged().gross, ())
    return after, shift(before, after, reductions, reductions)


def for_reduction(tab: Tab, amount: int) -> TaxShift | None:
    """What taking ``amount`` (gross) off the bill does to its tax: the tax in
    it goes back in proportion to each rate (None: an untaxed tab)."""
    state = state_of(tab)
    if state is None:
        return None
    reductions = reductions_of(tab)
    return shift(state, state, reductions, reductions + amount)


def refund_undone(uow: UnitOfWork, tab: Tab, entry_id: str | None, amount: int) -> TaxShift | None:
    """What undoing a refund of ``amount`` of the bill does to the tab's tax
    (a refund the processor made and then saw fail): what its entry moved
    per rate (``entry_id``), signs swapped, so it is reversed as it was
    posted. A refund booked before refunds kept their entry: worked out as
    if it were the tab's last reduction. None: an untaxed tab."""
    if entry_id is not None:
        moved = TaxRepository(uow).movements_of([entry_id])
        if moved:
            parts = tuple(
                RatePart(rate_id, Decimal(percent), -net, -tax)
                for _, rate_id, percent, net, tax in moved
            )
            return TaxShift(0, parts)
    state = state_of(tab)
    if state is None:
        return None
    reductions = reductions_of(tab)
    return shift(state, state, reductions, reductions - amount)


def tax_part(change: TaxShift | None) -> int:
    return change.tax if change is not None else 0


def record(uow: UnitOfWork, tab: Tab, entry_id: str, change: TaxShift | None) -> None:
    """The movements per rate of the entry just posted (the tax report's rows)."""
    if change is None or not change.moved:
        return
    TaxRepository(uow).add_movements(
        [
            {
                "merchant_id": uow.merchant,
                "entry_id": entry_id,
                "rate_id": part.rate_id,
                "percent": percent_text(part.percent),
                "tab_id": tab.tab_id,
                "net": part.net,
                "tax": part.tax,
            }
            for part in change.moved
        ]
    )


def totals_of(tab: Tab) -> TabTax:
    """The tab's net, tax per rate and gross: what the customer is charged
    after discounts and refunds."""
    state = state_of(tab)
    if state is None:
        gross = tab.subtotal - reductions_of(tab)
        return TabTax((RatePart(None, Decimal(0), gross, 0),) if gross else ())
    return state.tax(reductions_of(tab))


def sale_totals_of(tab: Tab) -> TabTax:
    """The tab's net, tax per rate and gross as the sale was made: after
    discounts and rewards (taken off before paying), before any refund. What a
    receipt prints: money given back is a part of its own below it."""
    state = state_of(tab)
    if state is None:
        gross = tab.subtotal - tab.adjustments
        return TabTax((RatePart(None, Decimal(0), gross, 0),) if gross else ())
    return state.tax(tab.adjustments)


def refunded_taxes_of(
    uow: UnitOfWork, tab: Tab, refunds: list[tuple[int, str | None]]
) -> tuple[tuple[RatePart, ...], ...]:
    """Per refund of ``tab`` (its amount of the bill and the journal entry
    that booked it, oldest first), the net and tax per rate it gave back,
    signs turned to read positive: what its entry moved (the tax report's
    rows), read back as posted. Empty parts for an untaxed tab.

    A refund booked before refunds kept their entry (``entry_id`` None) has
    its split worked out again from the tab's state as ``finish_refund``
    posted it: the tab's discounts first, then the refunds before it in the
    order booked, shared by largest remainder as they were then. That is what
    the books hold unless a discount came after a refund of a part payment."""
    booked = [entry for _, entry in refunds if entry is not None]
    moved: dict[str, list[RatePart]] = {entry: [] for entry in booked}
    for entry, rate_id, percent, net, tax in TaxRepository(uow).movements_of(booked):
        moved[entry].append(RatePart(rate_id, Decimal(percent), -net, -tax))
    state = state_of(tab)
    worked_out: tuple[tuple[RatePart, ...], ...] = ()
    if state is not None and len(booked) < len(refunds):
        # Booked before 0029, so shared by the rule of then: what was posted.
        amounts = [amount for amount, _ in refunds]
        worked_out = given_back(state, tab.adjustments, amounts, largest_remainder)
    parts: list[tuple[RatePart, ...]] = []
    for n, (_, entry_id) in enumerate(refunds):
        if entry_id is not None:
            parts.append(tuple(moved[entry_id]))
        else:
            parts.append(worked_out[n] if worked_out else ())
    return tuple(parts)


def movements_between(
    uow: UnitOfWork, start: datetime, end: datetime, batch: int
) -> Iterator[tuple[str, str, int, int]]:
    """(entry, rate, net, tax) per entry and rate posted in [start, end), in
    posting order, streamed: what splits an export's lines by tax rate."""
    return TaxRepository(uow).movements_between(start, end, batch)


# --- the report --------------------------------------------------------------------


def tax_report(uow: UnitOfWork, start: datetime, end: datetime, currency: str) -> dict[str, Any]:
    """Net, tax and gross per rate of the entries posted in [start, end), and
    what the ledger's tax payable moved in the same entries (always equal)."""
    repo = TaxRepository(uow)
    names = {rate.rate_id: rate.name for rate in repo.rates()}
    rows = [
        {
            "rate_id": rate_id,
            "name": names.get(rate_id, ""),
            "percent": percent,
            "net": net,
            "tax": tax,
            "gross": net + tax,
        }
        for rate_id, percent, net, tax in repo.totals_by_rate(start, end)
    ]
    return {
        "currency": currency,
        "from": start,
        "to": end,
        "rates": rows,
        "net": sum(r["net"] for r in rows),
        "tax": sum(r["tax"] for r in rows),
        "gross": sum(r["gross"] for r in rows),
        "ledger_tax_payable": repo.tax_payable_moved(start, end),
    }
