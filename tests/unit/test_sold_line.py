"""A line read for a response (``tabs.service.SoldLine``) is the whole row."""

from __future__ import annotations

from dataclasses import fields

from servefirst.tabs.models import TabLine
from servefirst.tabs.service import SoldLine


def test_a_sold_line_has_every_column_of_tab_lines_in_order() -> None:
    # lines_of builds it by position from the table's columns.
    assert [f.name for f in fields(SoldLine)] == [c.name for c in TabLine.__table__.columns]
