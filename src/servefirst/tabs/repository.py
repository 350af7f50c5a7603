"""Where tabs are kept: every read, lock and write of a tab and its lines.

The use cases in ``tabs/`` (and the payments, concerns and bookings that
change a tab) ask for a tab by name (``lock``, ``by_token``, ``in_hand``) and
change it through ``write``: the one way a tab's state reaches its row. The
SQL, the locks and the differences between PostgreSQL and SQLite stay here.

A tab is written with plain SQL, and the session's object takes the new
values as if it had loaded them (``db.direct``): nothing is left for the
ORM's flush to write again.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, bindparam, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from servefirst.catalog.models import ServiceTerms
from servefirst.db.direct import attach, insert_object, mark_written, update_object
from servefirst.kit.errors import Conflict, NotFound
from servefirst.kit.ids import new_short_code
from servefirst.payments.models import Payment
from servefirst.tabs.models import Tab, TabLine
from servefirst.tabs.rules import UNPAID
from servefirst.tabs.sold_lines import LineTerms, LineView, SoldLine

if TYPE_CHECKING:
    from servefirst.db.scope import TransactionScope

#: A new short code is drawn this many times before opening the tab gives up
#: (31^6 codes a merchant: a second draw is already a one-in-a-thousand event
#: for a merchant with a million tabs).
SHORT_CODE_DRAWS = 8

#: The largest line number the column holds (a 32-bit INTEGER on PostgreSQL).
#: A path asking for a larger one names no line: asked of the database, the
#: driver would fail on the number (a 500) instead of finding nothing.
LAST_LINE_NO = 2**31 - 1


class TabRepository:
    """The tabs of the unit of work's merchant, in its transaction."""

    def __init__(self, uow: TransactionScope) -> None:
        self._uow = uow
        #: Tabs this transaction locked: the row as this transaction left it
        #: (a response built after a use case reads it without a second SELECT).
        self._locked: dict[str, Tab] = {}

    # --- reading and locking ---------------------------------------------------------

    def get(self, tab_id: str) -> Tab:
        tab = self._uow.session.scalar(_TAB, {"m": self._uow.merchant, "t": tab_id})
        if tab is None:
            raise NotFound(f"No such tab: '{tab_id}'.", param="tab_id")
        return tab

    def lock(self, tab_id: str) -> Tab:
        """The tab, for change. On PostgreSQL its row stays locked until commit."""
        tab = self._uow.session.scalar(_TAB_FOR_UPDATE, {"m": self._uow.merchant, "t": tab_id})
        if tab is None:
            raise NotFound(f"No such tab: '{tab_id}'.", param="tab_id")
        self._locked[tab.tab_id] = tab
        return tab

    def by_token(self, token: str, *, lock: bool = False) -> Tab | None:
        query = _TAB_BY_TOKEN_FOR_UPDATE if lock else _TAB_BY_TOKEN
        tab = self._uow.session.scalar(query, {"m": self._uow.merchant, "k": token})
        if tab is not None and lock:
            self._locked[tab.tab_id] = tab
        return tab

    def by_short_code(self, short_code: str) -> Tab | None:
        return self._uow.session.scalar(
            select(Tab).where(Tab.merchant_id == self._uow.merchant, Tab.short_code == short_code)
        )

    def in_hand(self, tab_id: str) -> Tab:
        """The tab this transaction locked (and maybe changed), else read it."""
        held = self._locked.get(tab_id)
        if held is not None:
            return held
        tab = self._uow.session.get(Tab, (self._uow.merchant, tab_id))
        if tab is None:
            raise NotFound(f"No such tab: '{tab_id}'.", param="tab_id")
        return tab

    def newest(
        self, *, status: str | None = None, customer_id: str | None = None, limit: int = 50
    ) -> list[Tab]:
        query = select(Tab).where(Tab.merchant_id == self._uow.merchant)
        if status:
            query = query.where(Tab.status == status)
        if customer_id:
            query = query.where(Tab.customer_id == customer_id)
        return list(self._uow.session.scalars(query.order_by(Tab.opened_at.desc()).limit(limit)))

    def served_before(self, cutoff: datetime, *, limit: int = 100) -> list[Tab]:
        """Served tabs still unpaid, served at or before ``cutoff``, oldest first."""
        return list(
            self._uow.session.scalars(
                select(Tab)
                .where(
                    Tab.merchant_id == self._uow.merchant,
                    Tab.status == "served",
                    Tab.served_at <= cutoff,
                )
                .order_by(Tab.served_at, Tab.tab_id)
                .limit(limit)
            )
        )

    def invoices_due_before(self, day: date, *, limit: int = 100) -> list[Tab]:
        """Served (unpaid) invoices whose due date is before ``day``, oldest due first."""
        return list(
            self._uow.session.scalars(
                select(Tab)
                .where(
                    Tab.merchant_id == self._uow.merchant,
                    Tab.status == "served",
                    Tab.due_date < day,
                )
                .order_by(Tab.due_date, Tab.tab_id)
                .limit(limit)
            )
        )

    def merchants_with_served_before(
        self, cutoff: datetime, *, due_before: date | None = None
    ) -> list[str]:
        """Every merchant with a served, unpaid tab served at or before
        ``cutoff``, or invoiced with a due date before ``due_before`` (the
        delivery worker's look across merchants)."""
        when = Tab.served_at <= cutoff
        if due_before is not None:
            when = or_(when, Tab.due_date < due_before)
        return list(
            self._uow.session.scalars(
                select(Tab.merchant_id).where(Tab.status == "served", when).distinct()
            )
        )

    def payments_pending_before(self, cutoff: datetime) -> list[tuple[str, str, str]]:
        """(merchant, tab, payment) of every card payment attempt still pending
        that began before ``cutoff`` and was not asked about again since (a
        retry carried it on: ``mark_asked``), across merchants (recovery's look)."""
        found = self._uow.session.execute(
            select(Payment.merchant_id, Payment.tab_id, Payment.payment_id)
            .where(
                Payment.status == "pending",
                func.coalesce(Payment.asked_at, Payment.created_at) < cutoff,
            )
            .order_by(Payment.created_at)
        )
        return [(row.merchant_id, row.tab_id, row.payment_id) for row in found]

    def outstanding(self, customer_id: str) -> int:
        """What the customer owes across their unpaid tabs, this transaction's
        own changes included."""
        # A plain read on the transaction's connection (no ORM objects come
        # back); the session's autoflush is kept by hand.
        self._uow.flush()
        owed = self._uow.connection.execute(
            _OUTSTANDING, {"m": self._uow.merchant, "c": customer_id}
        ).scalar()
        return int(owed or 0)

    def lock_tabs_of(self, customer_ids: tuple[str, ...]) -> None:
        """Hold every tab of these customers until commit, in tab id order
        (PostgreSQL): a merge takes the tabs first, as every use case does, so
        two merges of the same pair queue here instead of deadlocking later."""
        if self._uow.locks_rows:
            self._uow.session.execute(
                select(_TABS.c.tab_id)
                .where(
                    _TABS.c.merchant_id == self._uow.merchant,
                    _TABS.c.customer_id.in_(customer_ids),
                )
                .order_by(_TABS.c.tab_id)
                .with_for_update()
            )

    def sold_quantities(self, since: datetime) -> dict[str, int]:
        """How many of each service were sold since ``since`` (voided tabs too:
        what staff reach for at the counter, not what was paid)."""
        rows = self._uow.connection.execute(
            select(_LINES.c.service_id, func.sum(_LINES.c.quantity))
            .where(_LINES.c.merchant_id == self._uow.merchant, _LINES.c.created_at >= since)
            .group_by(_LINES.c.service_id)
        )
        return {service_id: int(sold or 0) for service_id, sold in rows}

    def lines_with_terms(self, tab: Tab) -> list[LineView]:
        """Each line with the terms version it was sold under, in one query."""
        if tab.line_count == 0:  # a tab just opened: nothing to read
            return []
        rows = self._uow.connection.execute(
            _LINES_WITH_TERMS, {"m": self._uow.merchant, "t": tab.tab_id}
        )
        return [LineView(SoldLine(*row[:-2]), LineTerms(row[-2], row[-1])) for row in rows]

    # --- writing -----------------------------------------------------------------------

    def add(self, row: dict[str, Any]) -> Tab:
        """Insert the tab with a short code no other tab of the merchant has.

        The unique constraint decides, not a look first: ``ON CONFLICT DO
        NOTHING`` on (merchant, short code) inserts nothing when the code is
        taken, and another code is drawn; two tabs opened at once cannot both
        pass a look and then fail on the constraint. Every column is given, so
        the tab returned has nothing to load later."""
        missing = _TAB_COLUMNS - row.keys() - {"short_code"}
        if missing:  # a column added later would be loaded back when the tab is read
            raise ValueError(f"a new tab's row must give every column: {sorted(missing)}")
        statement = _OPEN_TAB[self._uow.dialect]
        for _ in range(SHORT_CODE_DRAWS):
            row["short_code"] = new_short_code()
            if self._uow.connection.execute(statement, row).first() is not None:
                tab = attach(self._uow, Tab(**row))
                self._locked[tab.tab_id] = tab  # this transaction made it
                return tab
        raise Conflict(
            "No free short code could be drawn for the tab; try again.", code="short_code_taken"
        )

    def write(self, tab: Tab, **values: Any) -> None:
        """Set ``values`` (columns of the tab) on its row and on ``tab``: one
        UPDATE, the only way a tab's state is written."""
        update_object(self._uow, tab, **values)

    def add_line(
        self,
        tab: Tab,
        line: dict[str, Any],
        *,
        charged: int | None = None,
        taxes: dict[str, Any] | None = None,
    ) -> None:
        """Insert ``line`` (a ``tab_lines`` row, numbered next) and move the
        tab's line count and subtotal with it: on PostgreSQL the tab's UPDATE
        carries the line's INSERT, one round trip for both. ``charged``: what
        the bill grows by when it is not the line's amount (tax on top);
        ``taxes``: the tab's tax state after the line, when it is taxed."""
        params = {f"l_{name}": value for name, value in line.items()}
        params.setdefault("l_voided_at", None)  # a line is sold, not voided
        params.setdefault("l_void_reason", None)
        params.setdefault("l_tax_rate_id", None)
        params.setdefault("l_tax_percent", None)
        params["subtotal_after"] = tab.subtotal + (line["amount"] if charged is None else charged)
        if self._uow.dialect == "postgresql":
            self._uow.connection.execute(_ADD_LINE_AND_SET_TOTALS, params)
        else:
            self._uow.connection.execute(_INSERT_LINE, params)
            self._uow.connection.execute(_SET_TAB_TOTALS, params)
        # What the row now says, on the object, with nothing left to flush.
        mark_written(tab, line_count=line["line_no"], subtotal=params["subtotal_after"])
        if taxes is not None:  # a taxed tab (never a merchant without tax rates)
            self.write(tab, taxes=taxes)

    def line(self, tab: Tab, line_no: int) -> TabLine:
        line = None
        if 1 <= line_no <= LAST_LINE_NO:
            line = self._uow.session.get(TabLine, (self._uow.merchant, tab.tab_id, line_no))
        if line is None:
            raise NotFound(f"This tab has no line {line_no}.", param="line_no")
        return line

    def void_line(
        self,
        tab: Tab,
        line: TabLine,
        *,
        at: datetime,
        reason: str,
        charged: int | None = None,
        taxes: dict[str, Any] | None = None,
        deposit_applied: int | None = None,
    ) -> None:
        """Mark ``line`` voided and take what it charged (its amount, or
        ``charged`` with tax on top) off the tab's subtotal (two UPDATEs; the
        line stays, struck through); ``taxes``: the tab's tax state after;
        ``deposit_applied``: the deposit the smaller bill still uses, in the
        same UPDATE (the tab's ``never_overpaid`` check holds after each)."""
        update_object(self._uow, line, voided_at=at, void_reason=reason)
        more: dict[str, Any] = {} if taxes is None else {"taxes": taxes}
        if deposit_applied is not None:
            more["deposit_applied"] = deposit_applied
        self.write(
            tab, subtotal=tab.subtotal - (line.amount if charged is None else charged), **more
        )

    def payments(self, tab_id: str) -> list[Payment]:
        """The tab's payments, oldest first."""
        return list(
            self._uow.session.scalars(
                select(Payment)
                .where(Payment.merchant_id == self._uow.merchant, Payment.tab_id == tab_id)
                .order_by(Payment.created_at, Payment.payment_id)
            )
        )

    def add_payment(self, row: dict[str, Any]) -> Payment:
        """Record a payment on a tab (one INSERT); the tab's totals are written
        apart, with ``write``."""
        return insert_object(self._uow, Payment, row)

    def payment(self, payment_id: str) -> Payment:
        """A payment (or attempt) of this merchant, read afresh."""
        payment = self._uow.session.get(
            Payment, (self._uow.merchant, payment_id), populate_existing=True
        )
        if payment is None:
            raise NotFound(f"No such payment: '{payment_id}'.", param="payment_id")
        return payment

    def attempts_under(self, tab_id: str, request_key: str) -> list[Payment]:
        """The tab's attempts under the processor key ``request_key`` or one made
        from it for a later attempt (``payments.attempt_rules`` tells them apart)."""
        return list(
            self._uow.session.scalars(
                select(Payment).where(
                    Payment.merchant_id == self._uow.merchant,
                    Payment.tab_id == tab_id,
                    or_(
                        Payment.processor_key == request_key,
                        Payment.processor_key.startswith(f"{request_key}_", autoescape=True),
                    ),
                )
            )
        )

    def mark_asked(self, payment: Payment, at: datetime) -> None:
        """A pending attempt about to be asked of the processor again (a retry
        carrying it on): recovery leaves it alone for its grace from ``at``."""
        update_object(self._uow, payment, asked_at=at)

    def write_payment(self, payment: Payment, **values: Any) -> None:
        """Finish a payment attempt: its outcome, in one UPDATE."""
        update_object(self._uow, payment, **values)


_TABS = cast(Table, Tab.__table__)
_LINES = cast(Table, TabLine.__table__)
_TERMS = cast(Table, ServiceTerms.__table__)

# The hot statements are built once, with bound parameters: SQLAlchemy then
# finds their compiled form in its cache without building them on every call.
_TAB = select(Tab).where(Tab.merchant_id == bindparam("m"), Tab.tab_id == bindparam("t"))
_TAB_FOR_UPDATE = _TAB.with_for_update().execution_options(populate_existing=True)
_TAB_BY_TOKEN = select(Tab).where(Tab.merchant_id == bindparam("m"), Tab.token == bindparam("k"))
_TAB_BY_TOKEN_FOR_UPDATE = _TAB_BY_TOKEN.with_for_update().execution_options(populate_existing=True)

_OUTSTANDING = select(
    func.coalesce(func.sum(Tab.subtotal - Tab.adjustments - Tab.paid - Tab.deposit_applied), 0)
).where(
    Tab.merchant_id == bindparam("m"),
    Tab.customer_id == bindparam("c"),
    Tab.status.in_([s.value for s in UNPAID]),
)

_TAB_COLUMNS = frozenset(c.name for c in _TABS.columns)
_OPEN_TAB = {
    dialect: insert_for(_TABS)
    .on_conflict_do_nothing(index_elements=[_TABS.c.merchant_id, _TABS.c.short_code])
    .returning(_TABS.c.tab_id)
    for dialect, insert_for in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}

# Parameters named apart from the columns (SQLAlchemy reserves the column
# names for its own VALUES): the line's ``l_<column>``, and the tab's totals.
_INSERT_LINE = insert(_LINES).values({c.name: bindparam(f"l_{c.name}") for c in _LINES.columns})
_SET_TAB_TOTALS = (
    update(_TABS)
    .where(
        _TABS.c.merchant_id == bindparam("l_merchant_id"), _TABS.c.tab_id == bindparam("l_tab_id")
    )
    .values(line_count=bindparam("l_line_no"), subtotal=bindparam("subtotal_after"))
)
#: PostgreSQL allows an INSERT inside WITH (SQLite does not).
_ADD_LINE_AND_SET_TOTALS = _SET_TAB_TOTALS.add_cte(_INSERT_LINE.cte("line"))

_LINE_COLUMNS = [_LINES.c[name] for name in SoldLine.__dataclass_fields__]
_LINES_WITH_TERMS = (
    select(*_LINE_COLUMNS, _TERMS.c.expected_results, _TERMS.c.limits)
    .join(
        _TERMS,
        (_TERMS.c.merchant_id == _LINES.c.merchant_id)
        & (_TERMS.c.service_id == _LINES.c.service_id)
        & (_TERMS.c.version == _LINES.c.terms_version),
    )
    .where(_LINES.c.merchant_id == bindparam("m"), _LINES.c.tab_id == bindparam("t"))
    .order_by(_LINES.c.line_no)
)
