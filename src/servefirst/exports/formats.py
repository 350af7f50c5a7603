"""The files an accountant imports, row by row, from the period's legs (pure:
no database, no I/O). Each writer takes the legs in posting order and yields
as it goes, so a year of legs is never held in memory.

Amounts are written in major units (``4.50``), as every one of these tools
expects; the API's integers in minor units stay the API's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from servefirst.exports.by_rate import Movement, lines_by_rate
from servefirst.exports.rules import Period, beancount_account, major
from servefirst.kit.csv import Value
from servefirst.ledger.rules import Account, PostedLeg

JOURNAL_COLUMNS = (
    "date",
    "entry_id",
    "kind",
    "account",
    "debit",
    "credit",
    "currency",
    "memo",
    "tab_id",
)

#: QuickBooks Online, Settings > Import data > Journal entries. The fields its
#: import asks for, in the order Intuit's help article "Import journal entries"
#: (quickbooks.intuit.com learn-support, import-journal-entries-quickbooks-online)
#: lists them: Journal No., Journal Date, Account Name, Description, Debits,
#: Credits. Dates as MM/DD/YYYY; a journal number groups the lines of one entry.
#: The article names no tax column (only third-party importers add one), so a
#: line under a tax rate says the rate's mapped code in its Description.
QUICKBOOKS_COLUMNS = (
    "Journal No",
    "Journal Date",
    "Account Name",
    "Description",
    "Debits",
    "Credits",
)

#: Xero, Accounting > Manual journals > Import: the columns of the template
#: file Xero hands out, as its help page "Enter multiple manual journals using
#: an import template" (help.xero.com ManualJournalsImport) describes them,
#: mandatory ones starred as in the template. Lines sharing a narration and a
#: date form one journal; dates as dd/mm/yyyy; an amount is a debit when
#: positive, a credit when negative.
XERO_COLUMNS = (
    "*Narration",
    "*Date",
    "Description",
    "*AccountCode",
    "*TaxRate",
    "*Amount",
    "TrackingName1",
    "TrackingOption1",
    "TrackingName2",
    "TrackingOption2",
)

#: Xero's TaxRate is mandatory on every line (its template has no tax-amount
#: column: tax is on its own lines, the tax-payable account's). A revenue or
#: tax-payable line under one of our rates names the rate's mapped tax type;
#: every other line names the merchant's "no tax" rate, "Tax Exempt" unless
#: the mapping names another.
XERO_NO_TAX = "Tax Exempt"

Row = list[Value]


@dataclass(frozen=True)
class Mapping:
    """The merchant's own codes: our account -> theirs (ours when unmapped);
    our tax rate -> their tax type (the rate's name when unmapped, so the
    accountant's import names the rate it could not place)."""

    accounts: dict[str, str] = field(default_factory=dict)
    tax_rates: dict[str, str] = field(default_factory=dict)
    rate_names: dict[str, str] = field(default_factory=dict)

    def code(self, account: str) -> str:
        return self.accounts.get(account, account)

    def tax_type(self, rate_id: str | None) -> str:
        if rate_id is None:
            return self.tax_rates.get("none", XERO_NO_TAX)
        return self.tax_rates.get(rate_id) or self.rate_names.get(rate_id, rate_id)


class _Days:
    """The merchant's day of each posting time, worked out once per entry (its
    legs share their entry's time): a zone conversion per leg is most of the
    cost of a large export otherwise."""

    def __init__(self, period: Period) -> None:
        self.period = period
        self.at: datetime | None = None
        self.day = date.min

    def of(self, moment: datetime) -> date:
        if moment != self.at:
            self.at, self.day = moment, self.period.day_of(moment)
        return self.day


def journal_rows(legs: Iterable[PostedLeg], period: Period, digits: int) -> Iterator[Row]:
    """One row per leg: our own journal, for any spreadsheet."""
    days = _Days(period)
    for leg in legs:
        amount = major(leg.amount, digits)
        debit, credit = (amount, None) if leg.side == "debit" else (None, amount)
        yield [
            days.of(leg.created_at).isoformat(),
            leg.entry_id,
            leg.kind,
            leg.account,
            debit,
            credit,
            leg.currency,
            leg.memo,
            leg.tab_id,
        ]


def _describe(leg: PostedLeg, tax: str = "") -> str:
    parts = [leg.kind, leg.memo, f"tab {leg.tab_id}" if leg.tab_id else "", tax]
    return "; ".join(p for p in parts if p) + f" ({leg.entry_id})"


class _DayNumbers:
    """A journal number per entry, stable across exports: the merchant's day
    and the entry's place that day (``20261204-0003``). A period is whole
    days, so the same entry gets the same number in any export holding it."""

    def __init__(self, period: Period) -> None:
        self.days = _Days(period)
        self.day: date | None = None
        self.entry = ""
        self.count = 0

    def of(self, leg: PostedLeg) -> tuple[date, str]:
        day = self.days.of(leg.created_at)
        if day != self.day:
            self.day, self.count, self.entry = day, 0, ""
        if leg.entry_id != self.entry:
            self.entry, self.count = leg.entry_id, self.count + 1
        return day, f"{day:%Y%m%d}-{self.count:04d}"


def quickbooks_rows(
    legs: Iterable[PostedLeg],
    period: Period,
    digits: int,
    mapping: Mapping,
    movements: Iterable[Movement] = (),
) -> Iterator[Row]:
    """One row per leg, the revenue and tax-payable legs one per tax rate
    (``movements``: the period's, in posting order)."""
    numbers = _DayNumbers(period)
    for leg, rate_id in lines_by_rate(legs, movements):
        day, number = numbers.of(leg)
        amount = major(leg.amount, digits)
        debit, credit = (amount, None) if leg.side == "debit" else (None, amount)
        tax = f"tax {mapping.tax_type(rate_id)}" if rate_id is not None else ""
        described = _describe(leg, tax)
        yield [number, f"{day:%m/%d/%Y}", mapping.code(leg.account), described, debit, credit]


def xero_rows(
    legs: Iterable[PostedLeg],
    period: Period,
    digits: int,
    mapping: Mapping,
    movements: Iterable[Movement] = (),
) -> Iterator[Row]:
    """One line per leg, as ``quickbooks_rows``; each names its tax type."""
    numbers = _DayNumbers(period)
    for leg, rate_id in lines_by_rate(legs, movements):
        day, number = numbers.of(leg)
        yield [
            f"servefirst {number} {leg.kind}",
            f"{day:%d/%m/%Y}",
            _describe(leg),
            mapping.code(leg.account),
            mapping.tax_type(rate_id),
            major(leg.delta, digits),
            None,
            None,
            None,
            None,
        ]


def xero_daily_rows(
    legs: Iterable[PostedLeg],
    period: Period,
    digits: int,
    mapping: Mapping,
    movements: Iterable[Movement] = (),
) -> Iterator[Row]:
    """One Xero journal a day: each account's net movement that day, per tax
    type. Xero imports at most 300 lines a file, fewer than a busy day's legs;
    a month of daily summaries fits. Each day's lines add up to zero, as its
    entries do."""
    days = _Days(period)
    day: date | None = None
    net: dict[tuple[str, str], int] = {}
    entries: set[str] = set()

    def summary() -> Iterator[Row]:
        assert day is not None
        narration = f"servefirst {day:%Y%m%d} daily summary"
        described = f"{len(entries)} entries on {day.isoformat()}"
        for (code, tax_type), amount in sorted(net.items()):
            if amount:
                yield [
                    narration,
                    f"{day:%d/%m/%Y}",
                    described,
                    code,
                    tax_type,
                    major(amount, digits),
                    None,
                    None,
                    None,
                    None,
                ]

    for leg, rate_id in lines_by_rate(legs, movements):
        on = days.of(leg.created_at)
        if on != day:
            if day is not None:
                yield from summary()
            day, net, entries = on, {}, set()
        key = (mapping.code(leg.account), mapping.tax_type(rate_id))
        net[key] = net.get(key, 0) + leg.delta
        entries.add(leg.entry_id)
    if day is not None:
        yield from summary()


def zreport_rows(reports: Iterable[ZReport]) -> Iterator[Row]:
    for z in reports:
        yield [getattr(z, name) for name in ZREPORT_COLUMNS]


ZREPORT_COLUMNS = (
    "date",
    "currency",
    "opening_float",
    "expected_cash",
    "counted_cash",
    "difference",
    "takings",
    "cash",
    "card",
    "card_terminal",
    "tips",
    "refunds",
    "voided_tabs",
    "voided_amount",
    "voided_lines",
    "adjustments",
    "write_offs",
    "deposits_taken",
    "deposits_refunded",
    "deposits_kept",
    "closed_by",
    "closed_at",
)


@dataclass(frozen=True)
class ZReport:
    """One closed day, its amounts in major units."""

    date: str
    currency: str
    opening_float: Decimal
    expected_cash: Decimal
    counted_cash: Decimal
    difference: Decimal
    takings: Decimal
    cash: Decimal
    card: Decimal
    card_terminal: Decimal
    tips: Decimal
    refunds: Decimal
    voided_tabs: int
    voided_amount: Decimal
    voided_lines: Decimal
    adjustments: Decimal
    write_offs: Decimal
    deposits_taken: Decimal
    deposits_refunded: Decimal
    deposits_kept: Decimal
    closed_by: str
    closed_at: str


# --- Beancount -------------------------------------------------------------


def _quoted(text: str) -> str:
    """A Beancount string: one line, no quote or backslash to escape."""
    flat = " ".join(text.replace("\\", "/").replace('"', "'").split())
    return f'"{flat}"'


def _amount(amount: int, digits: int, currency: str) -> str:
    return f"{major(amount, digits)} {currency}"


def beancount_lines(
    legs: Iterable[PostedLeg],
    period: Period,
    currency: str,
    digits: int,
    opening: dict[str, int],
    title: str,
    on_closing: Callable[[dict[str, int]], None] | None = None,
) -> Iterator[str]:
    """A Beancount file ``bean-check`` accepts: every account opened on the
    first day, the balances carried from before the period as one opening
    entry, one transaction per entry, and a ``balance`` assertion per account
    on the day after the period (Beancount checks a balance at the start of its
    day), each the opening balance plus the period's legs."""
    first = period.first.isoformat()
    yield f"option {_quoted('title')} {_quoted(title)}\n"
    yield f'option "operating_currency" "{currency}"\n\n'
    accounts = [a.value for a in Account]
    seen = set(accounts)
    for code in sorted(opening):
        if code not in seen:
            accounts.append(code)
            seen.add(code)
    for code in accounts:
        yield f"{first} open {beancount_account(code)} {currency}\n"
    yield "\n"
    closing = {code: opening.get(code, 0) for code in accounts}
    carried = [(code, opening[code]) for code in sorted(opening) if opening[code]]
    if carried:
        yield f'{first} * "servefirst" "Opening balances: everything before {first}"\n'
        for code, balance in carried:
            yield f"  {beancount_account(code)}  {_amount(balance, digits, currency)}\n"
        yield "\n"
    entry: list[PostedLeg] = []
    for leg in legs:
        if entry and leg.entry_id != entry[0].entry_id:
            yield _transaction(entry, period, digits)
            entry = []
        if leg.account not in closing:
            # A code outside the plan: open it where it is first seen.
            yield f"{first} open {beancount_account(leg.account)} {currency}\n"
            closing[leg.account] = 0
        closing[leg.account] += leg.delta
        entry.append(leg)
    if entry:
        yield _transaction(entry, period, digits)
    after = (period.last + timedelta(days=1)).isoformat()
    yield "\n"
    for code in closing:
        account = beancount_account(code)
        yield f"{after} balance {account}  {_amount(closing[code], digits, currency)}\n"
    if on_closing is not None:
        on_closing(closing)


def _transaction(legs: list[PostedLeg], period: Period, digits: int) -> str:
    head = legs[0]
    day = period.day_of(head.created_at).isoformat()
    narration = head.memo or head.kind
    lines = [f"{day} * {_quoted(head.kind)} {_quoted(narration)}\n"]
    lines.append(f"  entry: {_quoted(head.entry_id)}\n")
    if head.tab_id:
        lines.append(f"  tab: {_quoted(head.tab_id)}\n")
    for leg in legs:
        amount = _amount(leg.delta, digits, leg.currency)
        lines.append(f"  {beancount_account(leg.account)}  {amount}\n")
    return "".join(lines) + "\n"
