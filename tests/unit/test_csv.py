"""The one CSV writer: RFC 4180 with CRLF, text that cannot run as a formula in
a spreadsheet, numbers kept as numbers."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from servefirst.kit.csv import FORMULA_STARTS, cell, write_csv


def read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_a_formula_in_a_name_is_written_as_text() -> None:
    for name in ('=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"):
        assert cell(name) == "'" + name


def test_numbers_stay_numbers_even_negative_ones() -> None:
    assert cell(-450) == "-450"
    assert cell(Decimal("-12.50")) == "-12.50"
    assert cell(-1.5) == "-1.5"
    assert cell("-12.50") == "-12.50"  # a number sent as text is still a number
    assert cell(0) == "0"


def test_plain_text_and_empty_cells_are_left_alone() -> None:
    assert cell("Ana Costa") == "Ana Costa"
    assert cell("(unassigned)") == "(unassigned)"
    assert cell(None) == ""
    assert cell("") == ""


def test_rows_end_in_crlf_and_fields_are_quoted_per_rfc_4180() -> None:
    text = write_csv(["name", "paid"], [['Café "Azul", Lisboa', 450], ["line\nbreak", -20]])
    assert text == ('name,paid\r\n"Café ""Azul"", Lisboa",450\r\n"line\nbreak",-20\r\n')


text_cells = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30)
number_cells = st.integers(min_value=-(10**15), max_value=10**15) | st.decimals(
    allow_nan=False, allow_infinity=False, places=2, min_value=-(10**9), max_value=10**9
)
rows = st.lists(st.lists(text_cells | number_cells | st.none(), min_size=3, max_size=3), max_size=8)


@given(rows)
def test_what_is_written_reads_back_with_only_formulas_marked(
    table: list[list[str | int | Decimal | None]],
) -> None:
    written = write_csv(["a", "b", "c"], table)
    assert written.endswith("\r\n")
    assert read(written)[1:] == [[cell(value) for value in row] for row in table]
    for row, read_row in zip(table, read(written)[1:], strict=True):
        for value, text in zip(row, read_row, strict=True):
            if isinstance(value, int | Decimal):
                assert text == str(value)  # a number, sign and all
            elif isinstance(value, str) and text:
                assert (
                    not text.startswith(FORMULA_STARTS)
                    or text.lstrip("-").replace(".", "", 1).isdigit()
                )
                assert text.removeprefix("'") == value or text == value
