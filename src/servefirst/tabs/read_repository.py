"""The reads other features ask of tabs (messages, concerns, reviews, the
staff console), named here so the tabs' SQL stays in ``tabs/``: a feature
reaches tabs through its service or repository, never its tables.

The tab repository (``repository.py``) keeps the reads and writes of the
money path; these are plain reads beside it.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, select

from servefirst.db.by_id import column_by_id
from servefirst.tabs.models import Tab, TabLine

if TYPE_CHECKING:
    from servefirst.db.uow import UnitOfWork


def tab_if_any(uow: UnitOfWork, tab_id: str) -> Tab | None:
    """The tab, or None if there is none (a message about one since gone)."""
    return uow.session.get(Tab, (uow.merchant, tab_id))


def tabs_by_id(uow: UnitOfWork, tab_ids: Collection[str]) -> dict[str, Tab]:
    """These tabs, by id (a tab not found is left out)."""
    if not tab_ids:
        return {}
    found = uow.session.scalars(
        select(Tab).where(Tab.merchant_id == uow.merchant, Tab.tab_id.in_(tab_ids))
    )
    return {tab.tab_id: tab for tab in found}


def statuses_of(uow: UnitOfWork, tab_ids: Collection[str]) -> dict[str, str]:
    """Each tab's status, by id (a tab not found is left out)."""
    return column_by_id(uow, Tab.tab_id, Tab.status, tab_ids)


def lines_on_the_bill(uow: UnitOfWork, tab_id: str) -> list[tuple[str, int, int]]:
    """Name, quantity and amount of each line the bill still carries (a
    voided line was taken off it), in the order they were added."""
    rows = uow.session.execute(
        select(TabLine.name, TabLine.quantity, TabLine.amount)
        .where(
            TabLine.merchant_id == uow.merchant,
            TabLine.tab_id == tab_id,
            TabLine.voided_at.is_(None),
        )
        .order_by(TabLine.line_no)
    )
    return [(name, quantity, amount) for name, quantity, amount in rows]


def tab_ids_of_customer(uow: UnitOfWork, customer_id: str) -> Select[str]:
    """The customer's tabs' ids, as a subquery for a count made elsewhere (it
    runs inside the asker's statement: no round trip of its own)."""
    return select(Tab.tab_id).where(Tab.merchant_id == uow.merchant, Tab.customer_id == customer_id)


def served_lines_of(
    uow: UnitOfWork, tab_ids: Select[Any]
) -> list[tuple[str, str | None, str, str]]:
    """Tab id, who served, service and name of each line still on the bills
    of the tabs ``tab_ids`` selects (a subquery, run in this one statement), by
    tab and line. A voided line was rung up by mistake: left out."""
    rows = uow.session.execute(
        select(TabLine.tab_id, TabLine.staff_id, TabLine.service_id, TabLine.name)
        .where(
            TabLine.merchant_id == uow.merchant,
            TabLine.tab_id.in_(tab_ids),
            TabLine.voided_at.is_(None),
        )
        .order_by(TabLine.tab_id, TabLine.line_no)
    )
    return [(tab_id, staff_id, service_id, name) for tab_id, staff_id, service_id, name in rows]
