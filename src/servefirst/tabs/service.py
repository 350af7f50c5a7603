"""Use cases of a tab: open, add a line, serve, settle, void, accept the terms, read.

Each use case lives in a module of its own (``opening``, ``lines``,
``closing``; the reads in ``reading``, the tab limit in ``limits``) and is
named here, where the rest of servefirst finds them. They reach the database
only through the unit of work's repositories (``tabs.repository``).
"""

from __future__ import annotations

from servefirst.db.direct import move_rows
from servefirst.db.uow import UnitOfWork
from servefirst.events.service import emit
from servefirst.tabs.closing import mark_overdue, serve, settle, void, write_off
from servefirst.tabs.invoicing import chase_anchor, issue_invoice, overdue_from
from servefirst.tabs.limits import TabLimit, tab_limit_for
from servefirst.tabs.lines import add_line
from servefirst.tabs.models import Tab
from servefirst.tabs.opening import open_tab
from servefirst.tabs.reading import (
    bill_of,
    find_by_short_code,
    get_tab,
    lines_of,
    list_tabs,
    lock_tab,
    sold_quantities,
    tab_for_token,
    tab_in_hand,
)
from servefirst.tabs.rules import invoice_overdue
from servefirst.tabs.sold_lines import LineTerms, LineView, SoldLine


def accept_terms(uow: UnitOfWork, token: str) -> Tab:
    tab = tab_for_token(uow, token, lock=True)
    if tab.terms_accepted_at is None:
        uow.tabs.write(tab, terms_accepted_at=uow.clock.now())
        emit(uow, "tab.terms_accepted", tab.tab_id, {})
    return tab


__all__ = [
    "sold_quantities",
    "lock_tabs_of",
    "LineTerms",
    "LineView",
    "SoldLine",
    "TabLimit",
    "accept_terms",
    "chase_anchor",
    "invoice_overdue",
    "issue_invoice",
    "overdue_from",
    "add_line",
    "bill_of",
    "find_by_short_code",
    "get_tab",
    "lines_of",
    "list_tabs",
    "lock_tab",
    "mark_overdue",
    "open_tab",
    "serve",
    "settle",
    "tab_for_token",
    "tab_in_hand",
    "tab_limit_for",
    "void",
    "write_off",
]


def move_customer(uow: UnitOfWork, merged_id: str, into_id: str) -> int:
    """A merge of duplicate customers: ``merged_id``'s tabs (open or closed)
    become ``into_id``'s (their rows held first: ``lock_tabs_of``)."""
    uow.tabs.lock_tabs_of((merged_id, into_id))
    return move_rows(uow, Tab.customer_id, merged_id, into_id)


def lock_tabs_of(uow: UnitOfWork, customer_ids: tuple[str, ...]) -> None:
    """Hold every tab of these customers until commit, in id order (PostgreSQL)."""
    uow.tabs.lock_tabs_of(customer_ids)
