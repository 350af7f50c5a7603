"""Money as an integer of minor units plus an ISO 4217 code; never a float.

Rounding of rates and percentages happens in exactly one place,
:func:`Money.percent`, and is half-up on the minor unit (the way a customer
checks a bill by hand). Splitting a sum into parts uses the largest-remainder
method so the parts always add up to the whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel.numbers import format_currency, get_currency_precision, list_currencies

from servefirst.kit.errors import InvalidRequest

#: The largest amount servefirst accepts in one field: 100 million in major
#: units of a two-decimal currency. Far above any tab, far below int64.
MAX_AMOUNT = 10_000_000_000


@lru_cache(maxsize=1)
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def normalize_currency(code: str) -> str:
    """Upper-case and validate an ISO 4217 code, or raise a 422."""
    upper = (code or "").strip().upper()
    if upper not in _known_currencies():
        raise InvalidRequest(
            f"'{code}' is not an ISO 4217 currency code (for example EUR, USD, GBP).",
            code="currency_invalid",
            param="currency",
        )
    return upper


@lru_cache(maxsize=256)
def minor_digits(currency: str) -> int:
    """How many decimals the currency's minor unit has (EUR 2, JPY 0, KWD 3).

    Cached: trust rules ask on every tab opened and line added, and babel
    looks the answer up in its locale data each time."""
    return int(get_currency_precision(currency))


@dataclass(frozen=True, slots=True)
class Money:
    amount: int
    currency: str

    def __post_init__(self) -> None:
        # bool is an int subclass; a True amount is always a bug.
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise TypeError(f"Money amount must be int minor units, got {self.amount!r}")
        if not isinstance(self.currency, str) or len(self.currency) != 3:
            raise TypeError(f"Money currency must be an ISO 4217 code, got {self.currency!r}")

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise ValueError(f"cannot mix {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, quantity: int) -> Money:
        if not isinstance(quantity, int) or isinstance(quantity, bool):
            raise TypeError("Money can only be multiplied by an int; use percent() for rates")
        return Money(self.amount * quantity, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def __bool__(self) -> bool:
        return self.amount != 0

    def percent(self, rate: Decimal | int | str) -> Money:
        """``rate`` percent of this amount, rounded half-up to the minor unit."""
        # A float rate (from a JSON policy) is read as the decimal it prints as:
        # Decimal(0.3) is 0.2999..., which would round 1.5 cents down to 1.
        exact = Decimal(self.amount) * Decimal(str(rate)) / Decimal(100)
        return Money(int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)), self.currency)

    def allocate(self, weights: list[int]) -> list[Money]:
        """Split into parts proportional to ``weights`` that add up exactly to the whole.

        Largest remainder: each part gets its floor share, then the leftover
        minor units go one by one to the parts with the largest remainders
        (ties to the earlier part, so the split is deterministic).
        """
        if not weights or any(w < 0 for w in weights) or sum(weights) == 0:
            raise ValueError("weights must be non-negative and not all zero")
        total = sum(weights)
        sign = -1 if self.amount < 0 else 1
        whole = abs(self.amount)
        shares = [whole * w // total for w in weights]
        remainders = [whole * w % total for w in weights]
        leftover = whole - sum(shares)
        order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
        for i in order[:leftover]:
            shares[i] += 1
        return [Money(sign * s, self.currency) for s in shares]

    def format(self, locale: str = "en_GB") -> str:
        """Human form for pages and receipts, e.g. '€4.50'."""
        major = Decimal(self.amount).scaleb(-minor_digits(self.currency))
        return str(format_currency(major, self.currency, locale=locale))

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
