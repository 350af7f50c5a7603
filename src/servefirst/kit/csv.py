"""Every CSV the product writes, one way: RFC 4180 (comma, double quotes, CRLF
line ends), UTF-8 text, and safe to open in a spreadsheet.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula (a tab or carriage return first can hide one), so a customer named
``=HYPERLINK(...)`` could reach the accountant's machine through an export.
Such a text cell is written with a ``'`` in front, which spreadsheets show as
text (OWASP's advice). Numbers are written as numbers: a negative amount is
still ``-450``, not text.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal

#: A text cell starting with one of these is a formula to a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: A number that arrived as text ("-12.50"): no formula, kept as it is.
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")

Value = str | int | float | Decimal | None


def cell(value: Value) -> str:
    """One value as the text of its cell; None is an empty cell."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):
        return str(value)
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def write_csv(header: Iterable[str], rows: Iterable[Iterable[Value]]) -> str:
    """The whole file: the header row, then one row per item."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([cell(name) for name in header])
    writer.writerows([cell(value) for value in row] for row in rows)
    return out.getvalue()


def stream_csv(
    header: Iterable[str], rows: Iterable[Iterable[Value]], rows_per_chunk: int = 1000
) -> Iterator[str]:
    """The same file as ``write_csv``, a chunk of rows at a time: a large
    export is written (or sent) as it is read, never held whole."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([cell(name) for name in header])
    waiting = 0
    for row in rows:
        writer.writerow([cell(value) for value in row])
        waiting += 1
        if waiting >= rows_per_chunk:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
            waiting = 0
    if out.tell():
        yield out.getvalue()
