"""Tax's pure rules: a rate's percent, a line's tax, a tab's net, tax and gross
(inclusive and exclusive prices, line and receipt rounding), and the parts
always adding up to the cent through discounts, refunds and voids."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servefirst.kit.errors import InvalidRequest
from servefirst.taxes.rules import (
    TabTax,
    TabTaxState,
    TaxedLine,
    TaxRounding,
    given_back,
    movement,
    names_its_percent,
    parse_percent,
    percent_text,
    shift,
    tab_tax,
    tax_in,
)

RATES = [("txr_std", Decimal(23)), ("txr_red", Decimal("5.5")), ("txr_zero", Decimal(0))]


def test_a_portuguese_cafe_price_of_12_30_holds_2_30_of_vat() -> None:
    tax = tab_tax([TaxedLine(1230, "txr_std", Decimal(23))], "line", True)
    assert (tax.net, tax.tax, tax.gross) == (1000, 230, 1230)


def test_a_us_price_of_10_00_at_5_5_percent_adds_0_55_on_top() -> None:
    tax = tab_tax([TaxedLine(1000, "txr_red", Decimal("5.5"))], "line", False)
    assert (tax.net, tax.tax, tax.gross) == (1000, 55, 1055)


def test_receipt_rounding_taxes_the_rates_total_once_where_line_rounding_adds_up_lines() -> None:
    lines = [TaxedLine(1, "txr_std", Decimal(23))] * 3
    # Each cent holds 0.187 of tax, rounded to nothing line by line; 3 cents hold 0.56.
    assert tab_tax(lines, TaxRounding.LINE, True).tax == 0
    assert tab_tax(lines, TaxRounding.RECEIPT, True).tax == 1


def test_half_a_cent_rounds_up() -> None:
    assert tax_in(10, Decimal(5), included=False) == 1  # 0.5 -> 1
    assert tax_in(30, Decimal(5), included=False) == 2  # 1.5 -> 2


def test_a_discount_takes_tax_off_in_proportion_to_each_rate() -> None:
    lines = [TaxedLine(1230, "txr_std", Decimal(23)), TaxedLine(1055, "txr_red", Decimal("5.5"))]
    tax = tab_tax(lines, "line", True, reductions=457)  # a fifth of 2285
    by_rate = {p.rate_id: p for p in tax.parts}
    assert by_rate["txr_std"].gross == 984 and by_rate["txr_std"].tax == 184
    assert by_rate["txr_red"].gross == 844 and by_rate["txr_red"].tax == 44
    assert tax.gross == 2285 - 457


def test_untaxed_lines_share_a_discount_but_carry_no_tax() -> None:
    tax = tab_tax([TaxedLine(1000), TaxedLine(1230, "txr_std", Decimal(23))], "line", True, 223)
    assert tax.rated[0].gross == 1230 - 123
    assert [p.tax for p in tax.parts if p.rate_id is None] == [0]


@pytest.mark.parametrize(
    ("given_text", "expected"),
    [
        ("23", "23"),
        ("5.5", "5.5"),
        (" 13.975 ", "13.975"),
        ("0", "0"),
        ("100", "100"),
        ("6.00", "6"),
    ],
)
def test_a_rate_is_written_as_a_decimal(given_text: str, expected: str) -> None:
    assert percent_text(parse_percent(given_text)) == expected


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        ("150", "percent_out_of_range"),
        ("-1", "percent_out_of_range"),
        ("abc", "parameter_invalid"),
        ("", "parameter_invalid"),
        ("NaN", "percent_out_of_range"),
        ("Infinity", "percent_out_of_range"),
        ("5.55555", "parameter_invalid"),
        (23, "parameter_invalid"),
        (5.5, "parameter_invalid"),
        (None, "parameter_invalid"),
    ],
)
def test_a_rate_that_cannot_be_is_refused(bad: object, code: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        parse_percent(bad)
    assert refused.value.code == code and refused.value.param == "percent"


# --- random tabs -------------------------------------------------------------------

rates = st.sampled_from([(None, None), *RATES])
lines = st.lists(
    st.tuples(st.integers(0, 50_000), rates).map(lambda t: TaxedLine(t[0], t[1][0], t[1][1])),
    min_size=1,
    max_size=8,
)
modes = st.tuples(st.sampled_from(list(TaxRounding)), st.booleans())


def _adds_up(tax: TabTax) -> None:
    for part in tax.parts:
        assert part.net >= 0 and part.tax >= 0
        assert part.net + part.tax == part.gross
    assert tax.net + tax.tax == tax.gross
    assert sum(p.gross for p in tax.parts) == tax.gross


@settings(max_examples=300)
@given(lines, modes, st.floats(0, 1))
def test_net_and_tax_add_up_to_gross_for_every_rate_and_the_tab(
    sold: list[TaxedLine], mode: tuple[TaxRounding, bool], taken: float
) -> None:
    rounding, included = mode
    charged = tab_tax(sold, rounding, included)
    entered = sum(line.amount for line in sold)
    assert (charged.gross if included else charged.net) == entered
    reductions = int(charged.gross * taken)
    tax = tab_tax(sold, rounding, included, reductions)
    _adds_up(tax)
    assert tax.gross == charged.gross - reductions
    assert tax.tax <= charged.tax


@st.composite
def histories(draw: st.DrawFn) -> list[tuple[str, object]]:
    """A tab's life: lines added, some voided, discounts and refunds between."""
    events: list[tuple[str, object]] = []
    for _ in range(draw(st.integers(1, 10))):
        kind = draw(st.sampled_from(["line", "line", "void", "reduce"]))
        if kind == "line":
            events.append(("line", draw(lines)[0]))
        elif kind == "void":
            events.append(("void", draw(st.integers(0, 9))))
        else:
            events.append(("reduce", draw(st.floats(0, 1))))
    return events


@settings(max_examples=300)
@given(histories(), modes)
def test_the_movements_of_a_tabs_life_add_up_to_its_tax_at_the_end(
    events: list[tuple[str, object]], mode: tuple[TaxRounding, bool]
) -> None:
    rounding, included = mode
    state = TabTaxState(included, rounding)
    live: list[TaxedLine] = []
    reductions = 0
    posted: dict[str | None, list[int]] = {}
    charged = 0
    for kind, what in events:
        before, reductions_before = state, reductions
        if kind == "line":
            assert isinstance(what, TaxedLine)
            live.append(what)
            state = state.with_line(what)
        elif kind == "void" and live:
            assert isinstance(what, int)
            gone = live.pop(what % len(live))
            after = state.with_line(gone, sign=-1)
            # A void is taken only while what is still owed covers it.
            if after.charged().gross < reductions:
                live.append(gone)
                continue
            state = after
        elif kind == "reduce":
            assert isinstance(what, float)
            reductions += int((state.charged().gross - reductions) * what)
        moved = shift(before, state, reductions_before, reductions)
        charged += moved.charged
        for part in moved.moved:
            net, tax = posted.setdefault(part.rate_id, [0, 0])
            posted[part.rate_id] = [net + part.net, tax + part.tax]
    # The state kept line by line is the tab computed afresh from its live lines.
    final = tab_tax(live, rounding, included, reductions)
    assert state.tax(reductions) == final
    _adds_up(final)
    assert charged == final.gross + reductions
    assert {k: v for k, v in posted.items() if v != [0, 0]} == {
        p.rate_id: [p.net, p.tax] for p in final.rated if p.net or p.tax
    }


def test_the_state_a_tab_keeps_reads_back_the_same() -> None:
    state = TabTaxState.start(True, "receipt", 500).with_line(
        TaxedLine(1230, "txr_std", Decimal(23))
    )
    assert TabTaxState.from_dict(state.as_dict()) == state
    assert movement(TabTax(()), state.tax()) == state.tax().rated


# --- what refunds give back ---------------------------------------------------------


def test_a_lunch_refunded_in_two_halves_gives_back_its_2_30_of_vat_once() -> None:
    state = TabTaxState(True, TaxRounding.LINE).with_line(TaxedLine(1230, "txr_std", Decimal(23)))
    first, rest = given_back(state, 0, [615, 615])
    assert [(p.rate_id, p.net, p.tax) for p in first] == [("txr_std", 500, 115)]
    assert [(p.rate_id, p.net, p.tax) for p in rest] == [("txr_std", 500, 115)]


def test_a_refund_after_a_discount_splits_what_is_left_of_the_sale() -> None:
    state = TabTaxState(True, TaxRounding.LINE).with_line(TaxedLine(1230, "txr_std", Decimal(23)))
    sale = state.tax(123)  # 1.23 off before paying: 11.07, 2.07 of it tax
    [refund] = given_back(state, 123, [1107])
    assert [(p.net, p.tax) for p in refund] == [(p.net, p.tax) for p in sale.rated]


@st.composite
def refunded_sales(draw: st.DrawFn) -> tuple[TabTaxState, int, list[int], bool]:
    """A sale (random lines and rates, both roundings and kinds of prices,
    maybe a discount) and refunds of its bill, in whole or in part."""
    rounding, included = draw(modes)
    state = TabTaxState(included, rounding)
    for line in draw(lines):
        state = state.with_line(line)
    gross = state.charged().gross
    discount = int(gross * draw(st.floats(0, 0.5)))
    left = gross - discount
    refunds: list[int] = []
    for fraction in draw(st.lists(st.floats(0, 1), max_size=5)):
        amount = int((left - sum(refunds)) * fraction)
        if amount:
            refunds.append(amount)
    whole = draw(st.booleans())
    if whole and left > sum(refunds):
        refunds.append(left - sum(refunds))  # the rest: refunded in full
    return state, discount, refunds, whole


@settings(max_examples=400)
@given(refunded_sales())
def test_refunds_never_give_back_more_tax_than_the_sale_charged_and_all_of_it_in_full(
    case: tuple[TabTaxState, int, list[int], bool],
) -> None:
    state, discount, refunds, whole = case
    sale = {p.rate_id: p for p in state.tax(discount).rated}
    back: dict[str | None, list[int]] = {}
    for amount, parts in zip(refunds, given_back(state, discount, refunds), strict=True):
        # A refund's parts are whole cents that add up to no more than it gave back
        # (all of it when every line is taxed; the rest is the untaxed lines' share).
        assert sum(p.gross for p in parts) <= amount
        for part in parts:
            net, tax = back.setdefault(part.rate_id, [0, 0])
            back[part.rate_id] = [net + part.net, tax + part.tax]
    for rate_id, (net, tax) in back.items():
        assert 0 <= tax <= sale[rate_id].tax and 0 <= net <= sale[rate_id].net
    # What is left after the refunds is what the tab says is left: not a cent lost.
    left = {p.rate_id: p for p in state.tax(discount + sum(refunds)).rated}
    for rate_id, part in sale.items():
        net, tax = back.get(rate_id, [0, 0])
        assert (part.net - net, part.tax - tax) == (left[rate_id].net, left[rate_id].tax)
    if whole and state.tax(discount).gross:
        assert {k: v for k, v in back.items() if v != [0, 0]} == {
            k: [p.net, p.tax] for k, p in sale.items() if p.net or p.tax
        }


# --- each discount or refund on its own --------------------------------------------

MANY_RATES = [
    (f"txr_{n}", Decimal(p)) for n, p in enumerate(["23", "13", "6", "5.5", "21", "9", "0"])
]
amounts = st.one_of(st.integers(0, 400), st.integers(0, 50_000))
many_rated_lines = st.lists(
    st.tuples(amounts, st.sampled_from([(None, None), *MANY_RATES])).map(
        lambda t: TaxedLine(t[0], t[1][0], t[1][1])
    ),
    min_size=1,
    max_size=12,
)


def test_a_refund_of_four_cents_gives_back_no_negative_tax_under_any_of_four_rates() -> None:
    # Largest remainder split 1.82 and 1.86 off this bill so that the 0.04
    # between them gave back -0.01 under 5.5 % (and 0.01 more under 6 %).
    state = TabTaxState(True, TaxRounding.LINE)
    for amount, percent in ((310, "23"), (30, "5.5"), (210, "13"), (315, "6")):
        state = state.with_line(TaxedLine(amount, f"txr_{percent}", Decimal(percent)))
    [back] = given_back(state, 182, [4])
    assert all(p.net >= 0 and p.tax >= 0 for p in back)
    assert sum(p.gross for p in back) == 4


@settings(max_examples=500)
@given(many_rated_lines, modes, st.lists(st.integers(1, 60) | st.floats(0, 1), max_size=10))
def test_every_discount_or_refund_gives_back_net_and_tax_under_every_rate_never_negative(
    sold: list[TaxedLine], mode: tuple[TaxRounding, bool], steps: list[int | float]
) -> None:
    rounding, included = mode
    state = TabTaxState(included, rounding)
    for line in sold:
        state = state.with_line(line)
    gross = state.charged().gross
    taken = 0
    for step in steps:
        left = gross - taken
        amount = min(step, left) if isinstance(step, int) else int(left * step)
        before, after = state.tax(taken), state.tax(taken + amount)
        # Every part (the untaxed lines' too) gives back a non-negative gross,
        # and the parts add up to what was taken off.
        back = [b.gross - a.gross for b, a in zip(before.parts, after.parts, strict=True)]
        assert all(cents >= 0 for cents in back) and sum(back) == amount
        for part in shift(state, state, taken, taken + amount).moved:
            assert part.net <= 0 and part.tax <= 0  # signed as the entry posts it
        taken += amount


@pytest.mark.parametrize(
    ("name", "percent", "says_it"),
    [
        ("IVA 13%", "13", True),
        ("IVA 13 %", "13", True),
        ("IVA 5,5%", "5.5", True),
        ("Reduced", "13", False),
        ("IVA 113%", "13", False),
        ("IVA 23%", "13", False),
    ],
)
def test_a_rate_named_with_its_percent_is_not_labelled_with_it_twice(
    name: str, percent: str, says_it: bool
) -> None:
    assert names_its_percent(name, Decimal(percent)) is says_it
