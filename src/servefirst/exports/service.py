"""Exports for the merchant's accountant: the journal of a period (our CSV,
Beancount, QuickBooks Online, Xero) and the Z reports of its closed days; and
the account mapping the QuickBooks and Xero files use.

An export is planned first (``plan_export``: every check, so bad input is
refused before a byte is written) and then written (``write_export``) in
chunks, reading the legs in batches: the HTTP route streams the chunks, the
command line writes them to a file as they come.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from servefirst.cashup import service as cashup
from servefirst.db.uow import UnitOfWork
from servefirst.exports import formats, repository
from servefirst.exports.by_rate import Movement
from servefirst.exports.formats import Mapping
from servefirst.exports.rules import (
    Period,
    check_account_mapping,
    check_tax_rate_mapping,
    major,
    period_of,
)
from servefirst.kit.csv import stream_csv
from servefirst.kit.errors import InvalidRequest
from servefirst.kit.money import minor_digits
from servefirst.ledger import service as ledger
from servefirst.ledger.rules import PostedLeg
from servefirst.merchants.service import get_merchant
from servefirst.taxes import service as taxes


class Format(StrEnum):
    JOURNAL = "journal"
    BEANCOUNT = "beancount"
    QUICKBOOKS = "quickbooks"
    XERO = "xero"
    XERO_DAILY = "xero-daily"
    ZREPORTS = "zreports"


_FILE = {
    Format.JOURNAL: ("journal", "csv", "text/csv; charset=utf-8"),
    Format.BEANCOUNT: ("journal", "beancount", "text/plain; charset=utf-8"),
    Format.QUICKBOOKS: ("quickbooks-journal", "csv", "text/csv; charset=utf-8"),
    Format.XERO: ("xero-manual-journal", "csv", "text/csv; charset=utf-8"),
    Format.XERO_DAILY: ("xero-daily-journal", "csv", "text/csv; charset=utf-8"),
    Format.ZREPORTS: ("z-reports", "csv", "text/csv; charset=utf-8"),
}

#: The "no tax" key of the tax-rate mapping: Xero's name for a line without tax.
NO_TAX = "none"


@dataclass(frozen=True)
class ExportPlan:
    """A checked export: what to write, for whom, over which days."""

    fmt: Format
    merchant_id: str
    merchant_name: str
    currency: str
    period: Period
    mapping: Mapping

    @property
    def filename(self) -> str:
        stem, ext, _ = _FILE[self.fmt]
        return f"{stem}-{self.period.first.isoformat()}-{self.period.last.isoformat()}.{ext}"

    @property
    def media_type(self) -> str:
        return _FILE[self.fmt][2]


def plan_export(
    uow: UnitOfWork, fmt: str, first: str | date | None, last: str | date | None
) -> ExportPlan:
    """Check the request (format, period) and gather what the file needs."""
    try:
        chosen = Format(fmt)
    except ValueError:
        raise InvalidRequest(
            f"'{fmt}' is not an export (known: {', '.join(f.value for f in Format)}).",
            code="export_unknown",
            param="format",
        ) from None
    merchant = get_merchant(uow)
    period = period_of(first, last, ZoneInfo(merchant.timezone))
    found = repository.mapping(uow)
    names = {rate.rate_id: rate.name for rate in taxes.list_rates(uow)}
    return ExportPlan(
        chosen,
        merchant.merchant_id,
        merchant.name,
        merchant.currency,
        period,
        Mapping(found["account"], found["tax_rate"], names),
    )


def count_legs(uow: UnitOfWork, plan: ExportPlan) -> int:
    """How many legs the export will read (a progress bar's total)."""
    return ledger.count_legs(uow, plan.period.start, plan.period.end)


def write_export(
    uow: UnitOfWork,
    plan: ExportPlan,
    progress: Callable[[int], None] | None = None,
    *,
    batch: int,
) -> Iterator[str]:
    """The file, chunk by chunk, reading ``batch`` rows a fetch
    (``Settings.export_batch_rows``); ``progress(n)`` is told of every ``n``
    legs read."""
    if plan.fmt is Format.ZREPORTS:
        yield from stream_csv(formats.ZREPORT_COLUMNS, formats.zreport_rows(_zreports(uow, plan)))
        return
    period = plan.period
    digits = minor_digits(plan.currency)
    legs = _counted(ledger.legs_between(uow, period.start, period.end, batch), progress)
    if plan.fmt is Format.JOURNAL:
        rows = formats.journal_rows(legs, period, digits)
        yield from stream_csv(formats.JOURNAL_COLUMNS, rows)
    elif plan.fmt is Format.QUICKBOOKS:
        moved = _movements(uow, plan, batch)
        rows = formats.quickbooks_rows(legs, period, digits, plan.mapping, moved)
        yield from stream_csv(formats.QUICKBOOKS_COLUMNS, rows)
    elif plan.fmt is Format.XERO:
        rows = formats.xero_rows(legs, period, digits, plan.mapping, _movements(uow, plan, batch))
        yield from stream_csv(formats.XERO_COLUMNS, rows)
    elif plan.fmt is Format.XERO_DAILY:
        moved = _movements(uow, plan, batch)
        rows = formats.xero_daily_rows(legs, period, digits, plan.mapping, moved)
        yield from stream_csv(formats.XERO_COLUMNS, rows)
    else:
        opening = ledger.balances_before(uow, period.start)
        title = f"{plan.merchant_name}: {period.first.isoformat()} to {period.last.isoformat()}"
        yield from _in_chunks(
            formats.beancount_lines(legs, period, plan.currency, digits, opening, title)
        )


def _movements(uow: UnitOfWork, plan: ExportPlan, batch: int) -> Iterator[Movement]:
    """The period's tax movements beside its legs (streamed, same order): the
    QuickBooks and Xero files split revenue and tax payable by rate with them."""
    for moved in taxes.movements_between(uow, plan.period.start, plan.period.end, batch):
        yield Movement(*moved)


def _counted(
    legs: Iterable[PostedLeg], progress: Callable[[int], None] | None, every: int = 1000
) -> Iterator[PostedLeg]:
    if progress is None:
        yield from legs
        return
    waiting = 0
    for leg in legs:
        yield leg
        waiting += 1
        if waiting == every:
            progress(waiting)
            waiting = 0
    if waiting:
        progress(waiting)


def _in_chunks(lines: Iterable[str], size: int = 64 * 1024) -> Iterator[str]:
    waiting: list[str] = []
    length = 0
    for line in lines:
        waiting.append(line)
        length += len(line)
        if length >= size:
            yield "".join(waiting)
            waiting, length = [], 0
    if waiting:
        yield "".join(waiting)


def _zreports(uow: UnitOfWork, plan: ExportPlan) -> Iterator[formats.ZReport]:
    digits = minor_digits(plan.currency)

    def m(amount: int) -> Decimal:
        return major(amount, digits)

    for report in cashup.closed_days(uow, plan.period.first, plan.period.last):
        close, t = report.close, report.totals
        assert close is not None
        yield formats.ZReport(
            date=report.day.isoformat(),
            currency=report.currency,
            opening_float=m(close.opening_float),
            expected_cash=m(close.expected_cash),
            counted_cash=m(close.counted_cash),
            difference=m(close.difference),
            takings=m(t.takings),
            cash=m(t.by_method["cash"]),
            card=m(t.by_method["card"]),
            card_terminal=m(t.by_method["card_terminal"]),
            tips=m(t.tips),
            refunds=m(t.refunds),
            voided_tabs=report.voids,
            voided_amount=m(report.voided_amount),
            voided_lines=m(t.voided_lines),
            adjustments=m(t.adjustments),
            write_offs=m(t.write_offs),
            deposits_taken=m(t.deposits_taken),
            deposits_refunded=m(t.deposits_refunded),
            deposits_kept=m(t.deposits_kept),
            closed_by=close.closed_by_name,
            closed_at=close.closed_at.astimezone(plan.period.zone).isoformat(timespec="seconds"),
        )


# --- the account mapping ----------------------------------------------------


@dataclass(frozen=True)
class AccountMapping:
    accounts: dict[str, str]
    tax_rates: dict[str, str]


def known_tax_rates(uow: UnitOfWork) -> set[str]:
    """The tax rates a mapping may name: the merchant's own, and "none", the
    rate of a journal line without tax (Xero asks for one on every line)."""
    return {NO_TAX} | {rate.rate_id for rate in taxes.list_rates(uow)}


def get_account_mapping(uow: UnitOfWork) -> AccountMapping:
    found = repository.mapping(uow)
    return AccountMapping(found["account"], found["tax_rate"])


def set_account_mapping(
    uow: UnitOfWork, accounts: dict[str, object], tax_rates: dict[str, object]
) -> AccountMapping:
    """Replace the merchant's mapping; every code is checked before any is kept."""
    checked_accounts = check_account_mapping(accounts)
    checked_rates = check_tax_rate_mapping(tax_rates, known_tax_rates(uow))
    repository.replace_mapping(uow, checked_accounts, checked_rates)
    return AccountMapping(checked_accounts, checked_rates)
