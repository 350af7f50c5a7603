"""Pure tax rules: a rate's percent, the tax in a line, a tab's net, tax and gross.

Everything here is ``Decimal`` arithmetic on integer minor units, rounded in
one place (``to_cents``, half up: the commercial rounding VAT and sales-tax
authorities ask for). The parts always add up to the cent: for every rate and
for the tab, ``net + tax == gross`` holds because one of the three is always
computed as the difference of the other two, never rounded on its own.

How a tab's tax is found (``tab_tax``):

1. the live lines are grouped by rate (lines with no rate form an untaxed group);
2. each group is *charged*: with ``rounding="line"`` its tax is the sum of each
   line's rounded tax, with ``"receipt"`` the group's entered amount is taxed
   and rounded once;
   prices that include tax are gross (tax = gross * p / (100 + p)), prices
   that exclude it are net (tax = net * p / 100, added on top);
3. what was taken off the bill since (guarantee discounts, the bill's part of
   refunds: ``reductions``, gross) is shared between the groups in proportion
   to their gross (``kit.apportion.share``: the shares add up to the cent, and
   more taken off never takes a cent back from a group, so each entry, the
   difference of two such splits, gives back nothing negative under any rate),
   and each group's share splits into net and tax in the group's own proportion.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from servefirst.kit import apportion
from servefirst.kit.apportion import Split
from servefirst.kit.errors import InvalidRequest
from servefirst.kit.i18n import N_

#: The one rounding rule of tax amounts.
ROUNDING = ROUND_HALF_UP
HUNDRED = Decimal(100)
#: A percent is written with at most this many decimals ("5.5", "13.975").
PERCENT_DECIMALS = 4


class TaxRounding(StrEnum):
    """Where the merchant's jurisdiction rounds tax."""

    LINE = "line"  # each line's tax rounded, the receipt adds them up
    RECEIPT = "receipt"  # each rate's total taxed once per receipt


def to_cents(amount: Decimal) -> int:
    """The one rounding of a tax amount to minor units."""
    return int(amount.to_integral_value(rounding=ROUNDING))


def parse_percent(text: object, *, param: str = "percent") -> Decimal:
    """A rate's percent from its text ("23", "5.5"): 0 to 100, at most four
    decimals, or a named 422. Floats are refused: a rate is written exactly."""
    if not isinstance(text, str):
        raise InvalidRequest(
            'percent must be a decimal number written as text, e.g. "23" or "5.5".', param=param
        )
    try:
        percent = Decimal(text.strip())
    except InvalidOperation:
        raise InvalidRequest(
            f'\'{text[:20]}\' is not a number; write the percent as text, e.g. "23" or "5.5".',
            param=param,
            figures={
                "words": N_("'%(typed)s' is not a percent; write it like 23 or 5.5."),
                "typed": text[:20],
            },
        ) from None
    if not percent.is_finite() or percent < 0 or percent > HUNDRED:
        raise InvalidRequest(
            "percent must be between 0 and 100.", code="percent_out_of_range", param=param
        )
    if percent.as_tuple().exponent < -PERCENT_DECIMALS:  # type: ignore[operator]
        raise InvalidRequest(
            f"percent takes at most {PERCENT_DECIMALS} decimals.",
            param=param,
            figures={
                "words": N_("A percent takes at most %(digits)s decimals."),
                "digits": PERCENT_DECIMALS,
            },
        )
    return percent.normalize() if percent else Decimal(0)


def percent_text(percent: Decimal) -> str:
    """How a percent is written back: "23", "5.5" (never "2.3E+1")."""
    return format(percent.normalize(), "f") if percent else "0"


def names_its_percent(name: str, percent: Decimal) -> bool:
    """Whether a rate's name already says its percent ("IVA 13%", "IVA 5,5 %"):
    then a label shows the name alone, never "IVA 13% (13%)"."""
    text = percent_text(percent)
    return any(
        re.search(rf"(?<![\d.,]){re.escape(form)}\s*%", name)
        for form in {text, text.replace(".", ",")}
    )


def tax_in(amount: int, percent: Decimal, *, included: bool) -> int:
    """The tax of ``amount`` at ``percent``: inside it when prices include tax,
    on top of it when they do not."""
    if not percent:
        return 0
    if included:
        return to_cents(Decimal(amount) * percent / (HUNDRED + percent))
    return to_cents(Decimal(amount) * percent / HUNDRED)


@dataclass(frozen=True, slots=True)
class TaxedLine:
    """A live line as the tax sees it: its amount as entered and its rate
    (``rate_id`` None: a service without a tax rate)."""

    amount: int
    rate_id: str | None = None
    percent: Decimal | None = None


@dataclass(frozen=True, slots=True)
class RateBase:
    """One rate's lines on a tab: the amounts as entered, and the sum of each
    line's rounded tax (what ``rounding="line"`` charges)."""

    rate_id: str | None
    percent: Decimal
    entered: int
    line_tax: int

    def charged(self, rounding: TaxRounding, included: bool) -> RatePart:
        if rounding is TaxRounding.LINE:
            tax = self.line_tax
        else:
            tax = tax_in(self.entered, self.percent, included=included)
        net = self.entered - tax if included else self.entered
        return RatePart(self.rate_id, self.percent, net, tax)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rate_id": self.rate_id,
            "percent": percent_text(self.percent),
            "entered": self.entered,
            "line_tax": self.line_tax,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RateBase:
        return cls(data["rate_id"], Decimal(data["percent"]), data["entered"], data["line_tax"])


@dataclass(frozen=True, slots=True)
class RatePart:
    """Net and tax of one rate; ``gross`` is their sum, always."""

    rate_id: str | None
    percent: Decimal
    net: int
    tax: int

    @property
    def gross(self) -> int:
        return self.net + self.tax


@dataclass(frozen=True, slots=True)
class TabTax:
    """A tab's tax: one part per rate (and one for untaxed lines)."""

    parts: tuple[RatePart, ...]

    @property
    def net(self) -> int:
        return sum(p.net for p in self.parts)

    @property
    def tax(self) -> int:
        return sum(p.tax for p in self.parts)

    @property
    def gross(self) -> int:
        return self.net + self.tax

    @property
    def rated(self) -> tuple[RatePart, ...]:
        """The parts under a tax rate (what a receipt's tax lines and the tax report show)."""
        return tuple(p for p in self.parts if p.rate_id is not None)


def _key(rate_id: str | None) -> str:
    return "" if rate_id is None else rate_id


def bases_of(lines: Iterable[TaxedLine], *, included: bool) -> tuple[RateBase, ...]:
    """The live lines grouped by rate, in a fixed order (untaxed first)."""
    groups: dict[str, RateBase] = {}
    for line in lines:
        groups[_key(line.rate_id)] = add_line(groups.get(_key(line.rate_id)), line, included)
    return tuple(groups[k] for k in sorted(groups) if groups[k].entered or groups[k].line_tax)


def add_line(base: RateBase | None, line: TaxedLine, included: bool, sign: int = 1) -> RateBase:
    """``base`` with ``line`` added (``sign=-1``: taken off, a void)."""
    percent = line.percent if line.rate_id is not None and line.percent is not None else Decimal(0)
    tax = tax_in(line.amount, percent, included=included)
    if base is None:
        base = RateBase(line.rate_id, percent, 0, 0)
    return RateBase(
        base.rate_id, base.percent, base.entered + sign * line.amount, base.line_tax + sign * tax
    )


def with_line(
    bases: Iterable[RateBase], line: TaxedLine, *, included: bool, sign: int = 1
) -> tuple[RateBase, ...]:
    """The bases after ``line`` is added (or, ``sign=-1``, voided)."""
    groups = {_key(b.rate_id): b for b in bases}
    key = _key(line.rate_id)
    groups[key] = add_line(groups.get(key), line, included, sign)
    return tuple(groups[k] for k in sorted(groups) if groups[k].entered or groups[k].line_tax)


def reduce(charged: TabTax, reductions: int, split: Split | None = None) -> TabTax:
    """``charged`` less ``reductions`` (gross), shared in proportion
    (``apportion.share``, unless ``split`` names the rule of older entries)."""
    if reductions == 0:
        return charged
    if reductions < 0 or reductions > charged.gross:
        raise ValueError(f"cannot take {reductions} off a tab of {charged.gross}")
    shares = (split or apportion.share)(reductions, [p.gross for p in charged.parts])
    parts = []
    for part, taken in zip(charged.parts, shares, strict=True):
        # The share's tax in the part's own proportion; its net is the rest.
        tax_taken = to_cents(Decimal(taken) * part.tax / part.gross) if part.gross else 0
        parts.append(
            RatePart(
                part.rate_id, part.percent, part.net - (taken - tax_taken), part.tax - tax_taken
            )
        )
    return TabTax(tuple(parts))


def charged_tax(
    bases: Iterable[RateBase], rounding: TaxRounding | str, prices_include_tax: bool
) -> TabTax:
    """What the lines charge, per rate, before anything is taken off."""
    mode = TaxRounding(rounding)
    return TabTax(tuple(b.charged(mode, prices_include_tax) for b in bases))


def tab_tax(
    lines: Iterable[TaxedLine],
    rounding: TaxRounding | str,
    prices_include_tax: bool,
    reductions: int = 0,
) -> TabTax:
    """A tab's net, tax per rate and gross: the one computation everything
    (the ledger, the tab's totals, receipts, the tax report) goes through.

    ``lines``: the live lines (voided ones left out), amounts as entered.
    ``reductions``: what was taken off the bill since, gross (discounts,
    rewards, the bill's part of refunds)."""
    bases = bases_of(lines, included=prices_include_tax)
    return reduce(charged_tax(bases, rounding, prices_include_tax), reductions)


def movement(before: TabTax, after: TabTax) -> tuple[RatePart, ...]:
    """Per rate, what changed from ``before`` to ``after`` (signed; rated
    parts only, unchanged ones left out): the tax report's rows of one entry."""
    was = {_key(p.rate_id): p for p in before.rated}
    now = {_key(p.rate_id): p for p in after.rated}
    moved = []
    for key in sorted(set(was) | set(now)):
        old, new = was.get(key), now.get(key)
        ref = new or old
        assert ref is not None
        net = (new.net if new else 0) - (old.net if old else 0)
        tax = (new.tax if new else 0) - (old.tax if old else 0)
        if net or tax:
            moved.append(RatePart(ref.rate_id, ref.percent, net, tax))
    return tuple(moved)


@dataclass(frozen=True, slots=True)
class TaxShift:
    """What one change of a tab (a line, a void, a discount, a refund) does to
    its tax: the bill's gross charged moves by ``charged``, and per rate the
    net and tax move by ``moved``. ``tax`` is what the entry posts to tax payable."""

    charged: int
    moved: tuple[RatePart, ...]

    @property
    def tax(self) -> int:
        return sum(p.tax for p in self.moved)


@dataclass(frozen=True, slots=True)
class TabTaxState:
    """What a tab keeps to know its tax: how it is taxed (fixed by the first
    taxed line, so a later change of the merchant's settings leaves an open
    tab alone) and its lines summed per rate."""

    prices_include_tax: bool
    rounding: TaxRounding
    bases: tuple[RateBase, ...] = ()

    @classmethod
    def start(cls, prices_include_tax: bool, rounding: str, untaxed: int) -> TabTaxState:
        """A tab's first taxed line is coming: ``untaxed``, what its lines
        charged so far (none of them taxed), becomes the untaxed group."""
        bases = (RateBase(None, Decimal(0), untaxed, 0),) if untaxed else ()
        return cls(prices_include_tax, TaxRounding(rounding), bases)

    def charged(self) -> TabTax:
        return charged_tax(self.bases, self.rounding, self.prices_include_tax)

    def tax(self, reductions: int = 0, split: Split | None = None) -> TabTax:
        return reduce(self.charged(), reductions, split)

    def with_line(self, line: TaxedLine, sign: int = 1) -> TabTaxState:
        bases = with_line(self.bases, line, included=self.prices_include_tax, sign=sign)
        return TabTaxState(self.prices_include_tax, self.rounding, bases)

    def as_dict(self) -> dict[str, Any]:
        return {
            "prices_include_tax": self.prices_include_tax,
            "rounding": self.rounding.value,
            "bases": [b.as_dict() for b in self.bases],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TabTaxState:
        return cls(
            bool(data["prices_include_tax"]),
            TaxRounding(data["rounding"]),
            tuple(RateBase.from_dict(b) for b in data["bases"]),
        )


def shift(
    before: TabTaxState,
    after: TabTaxState,
    reductions_before: int,
    reductions_after: int,
    split: Split | None = None,
) -> TaxShift:
    """The change from (``before``, ``reductions_before``) to (``after``, ``reductions_after``)."""
    return TaxShift(
        after.charged().gross - before.charged().gross,
        movement(before.tax(reductions_before, split), after.tax(reductions_after, split)),
    )


def given_back(
    state: TabTaxState, taken_before: int, refunds: Iterable[int], split: Split | None = None
) -> tuple[tuple[RatePart, ...], ...]:
    """Per refund of the bill (gross, in the order they were booked), the net
    and tax it gave back under each rate: exactly what its journal entry took
    back (``shift`` from the reductions before it to those after, as
    ``taxes.service.for_reduction`` posts it), signs turned so a refund reads
    positive. ``taken_before``: what came off the bill before the first
    refund (discounts, rewards). ``split``: the rule the refunds were
    shared by when they were posted (``apportion.share`` unless told).

    Each refund is the difference of two states of the tab, never rounded on
    its own: together they never give back more tax under a rate than the
    sale charged, and refunds of the whole bill give back exactly its tax."""
    parts: list[tuple[RatePart, ...]] = []
    taken = taken_before
    for amount in refunds:
        moved = shift(state, state, taken, taken + amount, split).moved
        parts.append(tuple(RatePart(p.rate_id, p.percent, -p.net, -p.tax) for p in moved))
        taken += amount
    return tuple(parts)
