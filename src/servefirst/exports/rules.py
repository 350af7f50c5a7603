"""Pure rules of the accountant's exports: the period, how our accounts are
named in Beancount, how an amount in minor units is written, and the
account mapping's checks.

Sign convention: our balance is debits minus credits (``ledger.rules``), which
is exactly Beancount's: a posting's number is positive for a debit and
negative for a credit, so Income and Liabilities accounts read negative in both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from servefirst.kit.errors import InvalidRequest
from servefirst.ledger.rules import Account

#: Every account of our plan as a Beancount account (its five root types).
#: A new ``Account`` member is one line here; a unit test fails until it is.
BEANCOUNT_ACCOUNTS: dict[Account, str] = {
    Account.CASH: "Assets:Cash",
    Account.CARD_CLEARING: "Assets:CardClearing",
    Account.CARD_TERMINAL: "Assets:CardTerminal",
    Account.RECEIVABLES: "Assets:Receivables",
    Account.REVENUE: "Income:Revenue",
    # Contra-revenue: under Income, so net income stays revenue less these.
    Account.SATISFACTION_ADJUSTMENTS: "Income:SatisfactionAdjustments",
    Account.REFUNDS: "Income:Refunds",
    Account.DISPUTES_LOST: "Income:DisputesLost",
    Account.LOYALTY_REWARDS: "Income:LoyaltyRewards",
    Account.TIPS_PAYABLE: "Liabilities:TipsPayable",
    Account.TAX_PAYABLE: "Liabilities:TaxPayable",
    Account.DEPOSITS_HELD: "Liabilities:DepositsHeld",
    Account.NO_SHOW_FEES: "Income:NoShowFees",
    Account.WRITE_OFFS: "Expenses:WriteOffs",
    Account.CASH_OVER_SHORT: "Expenses:CashOverShort",
}

#: The longest period one export covers: a year and a day of slack for a leap year.
MAX_PERIOD_DAYS = 367
#: The days an export may name: any real business's books, and far from the
#: calendar's ends, where a day's midnight in a zone east of UTC has no UTC time.
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2999, 12, 31)
#: An accountant's account code: what their chart of accounts calls it.
MAX_CODE_LENGTH = 100
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def beancount_account(code: str) -> str:
    """Our account code as a Beancount account name."""
    try:
        return BEANCOUNT_ACCOUNTS[Account(code)]
    except (ValueError, KeyError):
        # A code outside the plan (never posted today) still exports, under Equity.
        parts = "".join(p.capitalize() for p in re.split(r"[^A-Za-z0-9]+", code) if p)
        return f"Equity:Unmapped:{parts or 'Account'}"


@dataclass(frozen=True, slots=True)
class Period:
    """Whole days of the merchant, first and last included."""

    first: date
    last: date
    zone: ZoneInfo

    @property
    def start(self) -> datetime:
        """The first day's midnight in the merchant's zone, in UTC."""
        return datetime.combine(self.first, time(), tzinfo=self.zone).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The midnight after the last day, in UTC (excluded)."""
        after = self.last + timedelta(days=1)
        return datetime.combine(after, time(), tzinfo=self.zone).astimezone(UTC)

    def day_of(self, moment: datetime) -> date:
        """The merchant's calendar day of ``moment``."""
        return moment.astimezone(self.zone).date()


def parse_day(text: str | date | None, param: str) -> date:
    """A date given as YYYY-MM-DD, or a clear 422."""
    try:
        day = text if isinstance(text, date) else date.fromisoformat((text or "").strip())
    except ValueError:
        raise InvalidRequest(
            f"'{param}' must be a date written YYYY-MM-DD, got {text!r}.",
            code="date_invalid",
            param=param,
        ) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidRequest(
            f"'{param}' must be a day from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}.",
            code="date_invalid",
            param=param,
        )
    return day


def period_of(first: str | date | None, last: str | date | None, zone: ZoneInfo) -> Period:
    """The period from ``first`` to ``last`` (both days included), checked."""
    start, end = parse_day(first, "from"), parse_day(last, "to")
    if start > end:
        raise InvalidRequest(
            f"'from' ({start.isoformat()}) is after 'to' ({end.isoformat()}).",
            code="period_invalid",
            param="from",
        )
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise InvalidRequest(
            f"One export covers at most {MAX_PERIOD_DAYS} days; split the period.",
            code="period_too_long",
            param="to",
        )
    return Period(start, end, zone)


def major(amount: int, digits: int) -> Decimal:
    """Minor units as the decimal an accountant types (450, 2 -> 4.50)."""
    return Decimal(amount).scaleb(-digits) if digits else Decimal(amount)


def check_code(code: object, param: str) -> str:
    """An accountant's account code or tax type: short, printable text."""
    if not isinstance(code, str) or not code.strip():
        raise InvalidRequest(
            "An account code is non-empty text.", code="account_code_invalid", param=param
        )
    code = code.strip()
    if len(code) > MAX_CODE_LENGTH or _CONTROL.search(code):
        raise InvalidRequest(
            f"An account code is at most {MAX_CODE_LENGTH} printable characters.",
            code="account_code_invalid",
            param=param,
        )
    return code


def check_account_mapping(accounts: dict[str, object]) -> dict[str, str]:
    """Our account code -> the accountant's code; an unknown code of ours is a 422."""
    known = {a.value for a in Account}
    checked: dict[str, str] = {}
    for ours, theirs in accounts.items():
        if ours not in known:
            raise InvalidRequest(
                f"'{ours}' is not a servefirst account (known: {', '.join(sorted(known))}).",
                code="account_unknown",
                param=f"accounts.{ours}",
            )
        checked[ours] = check_code(theirs, f"accounts.{ours}")
    return checked


def check_tax_rate_mapping(rates: dict[str, object], known: set[str]) -> dict[str, str]:
    """Our tax rate id -> the accountant's tax type; an unknown rate is a 422."""
    checked: dict[str, str] = {}
    for ours, theirs in rates.items():
        if ours not in known:
            raise InvalidRequest(
                f"'{ours}' is not one of this merchant's tax rates.",
                code="tax_rate_unknown",
                param=f"tax_rates.{ours}",
            )
        checked[ours] = check_code(theirs, f"tax_rates.{ours}")
    return checked
