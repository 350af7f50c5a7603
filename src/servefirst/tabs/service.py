"""Use cases of a tab: open, add a line, serve, void, accept the terms, read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Executable, Table, and_, bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm.attributes import set_committed_value

from servefirst.bookings.holds import ensure_hold_covers, release_tab_hold
from servefirst.catalog.models import Service, ServiceTerms
from servefirst.catalog.service import get_service
from servefirst.customers.models import Customer
from servefirst.customers.service import (
    CREDIT_LOCK_COLUMN,
    credit_lock_params,
    get_customer,
    record_history,
    trust_of,
)
from servefirst.db.direct import attach, update_object
from servefirst.db.uow import UnitOfWork
from servefirst.events.service import emit
from servefirst.kit.errors import Conflict, NotFound, PolicyRefused
from servefirst.kit.ids import merchant_of_credential, new_id, new_short_code, new_tab_token
from servefirst.kit.money import Money
from servefirst.ledger import service as ledger
from servefirst.ledger.rules import Account, EntryBuilder, EntryKind
from servefirst.merchants.models import Merchant
from servefirst.merchants.service import get_merchant
from servefirst.tabs.models import Tab, TabLine
from servefirst.tabs.rules import (
    UNPAID,
    Bill,
    TabAction,
    TabStatus,
    ensure_can_add_line,
    ensure_can_serve,
    ensure_can_void,
    line_amount,
    transition,
)
from servefirst.trust.rules import TabLimitRule, Tier, TrustPolicy
from servefirst.trust.service import current_evidence, remember_clock, trust_now
from servefirst.trust.unlock import over_limit_unlocks, prepayment_unlocks


def bill_of(tab: Tab) -> Bill:
    return Bill(tab.subtotal, tab.adjustments, tab.paid, tab.deposit_applied)


@dataclass(frozen=True)
class TabLimit:
    tier: Tier
    pay_after: bool
    limit: int  # minor units
    outstanding: int  # owed across the customer's unpaid tabs
    on_time_visits: int = 0
    rule: TabLimitRule | None = None
    currency: str = "EUR"

    def shown(self, amount: int) -> str:
        """An amount as staff read it aloud: '€50.00', not 5000."""
        return Money(amount, self.currency).format()

    @property
    def available(self) -> int:
        return max(self.limit - self.outstanding, 0)


def tab_limit_for(uow: UnitOfWork, merchant: Merchant, customer: Customer) -> TabLimit:
    """The tier's limit, grown by the customer's on-time paid visits, and what
    they owe now across all their unpaid tabs."""
    policy = TrustPolicy.of(merchant.policy, merchant.currency)
    trust = trust_now(customer, policy=policy, now=uow.clock.now())
    rule = policy.rule(trust.tier)
    # A plain read on the transaction's connection (no ORM objects come
    # back): the session's execute path costs twice the calls. Its autoflush
    # is kept by hand, so the sum sees this transaction's own changes.
    uow.flush()
    outstanding = uow.connection.execute(
        _OUTSTANDING, {"m": uow.merchant, "c": customer.customer_id}
    ).scalar()
    visits = customer.paid_visits
    return TabLimit(
        trust.tier,
        rule.pay_after,
        rule.tab_limit.limit(visits),
        int(outstanding or 0),
        visits,
        rule.tab_limit,
        merchant.currency,
    )


#: What a customer owes across their unpaid tabs: built once (its compiled form
#: is cached), not rebuilt on every tab opened and line added.
_OUTSTANDING = select(
    func.coalesce(func.sum(Tab.subtotal - Tab.adjustments - Tab.paid - Tab.deposit_applied), 0)
).where(
    Tab.merchant_id == bindparam("m"),
    Tab.customer_id == bindparam("c"),
    Tab.status.in_([s.value for s in UNPAID]),
)


def _refuse_over_limit(limit: TabLimit, adding: int) -> None:
    unlock = over_limit_unlocks(limit, adding)
    raise PolicyRefused(
        f"This would take the customer past their tab limit ({limit.tier.value} tier: "
        f"{limit.shown(limit.limit)} with {limit.shown(limit.outstanding)} already owed, "
        f"{limit.shown(limit.available)} available). " + " ".join(u["message"] for u in unlock),
        code="tab_limit_exceeded",
        details={
            "tier": limit.tier.value,
            "limit": limit.limit,
            "tab_limit": limit.limit,
            "outstanding": limit.outstanding,
            "available": limit.available,
            "requested": adding,
            "unlock": unlock,
        },
    )


@dataclass(frozen=True)
class _Parties:
    customer: Customer
    merchant: Merchant
    service: Service | None


@cache
def _parties_query(with_service: bool, credit_lock: bool) -> Executable:
    """Whose tab it is and whose rules apply (and the service being added), in
    one round trip: opening a tab and adding a line need the customer's
    history and the merchant's policy; on PostgreSQL the same statement takes
    the customer's credit lock (see ``CREDIT_LOCK_COLUMN``)."""
    query: Any = (
        select(Customer, Merchant)
        .join(Merchant, Merchant.merchant_id == Customer.merchant_id)
        .where(Customer.merchant_id == bindparam("m"), Customer.customer_id == bindparam("c"))
    )
    if with_service:
        query = query.join(
            Service,
            and_(Service.merchant_id == Customer.merchant_id, Service.service_id == bindparam("s")),
        ).add_columns(Service)
    if credit_lock:
        query = query.add_columns(CREDIT_LOCK_COLUMN)
    return query


def _parties(
    uow: UnitOfWork, customer_id: str, *, service_id: str | None = None, credit_lock: bool
) -> _Parties:
    """The customer, the merchant and (given ``service_id``) the service; with
    ``credit_lock`` the customer's credit lock is held until commit."""
    remember_clock(uow)  # as get_customer does: trust reads the clock from the session
    in_query = credit_lock and uow.locks_rows
    params = {"m": uow.merchant, "c": customer_id, "s": service_id}
    if in_query:
        params |= credit_lock_params(uow, customer_id)
    row = uow.session.execute(_parties_query(service_id is not None, in_query), params).first()
    if row is None:
        # Say what is missing, in the order the request names things.
        if service_id is not None:
            get_service(uow, service_id)
        get_merchant(uow)  # an unknown merchant says so; else the customer is unknown
        raise NotFound(f"No such customer: '{customer_id}'.", param="customer_id")
    return _Parties(row[0], row[1], row[2] if service_id is not None else None)


def open_tab(uow: UnitOfWork, *, customer_id: str, secured: bool = False) -> Tab:
    """Open a tab. ``secured``: a booking's deposit or card hold stands behind
    it (check-in), so the tier's pay-after refusal does not apply."""
    # What the customer owes is checked under their credit lock (see add_line).
    parties = _parties(uow, customer_id, credit_lock=not secured)
    customer, merchant = parties.customer, parties.merchant
    limit = tab_limit_for(uow, merchant, customer)
    if not secured and not limit.pay_after:
        policy = TrustPolicy.of(merchant.policy, merchant.currency)
        unlock = prepayment_unlocks(current_evidence(customer, policy, uow.clock.now()), policy)
        raise PolicyRefused(
            f"This customer's tier ({limit.tier.value}) may not pay after. "
            + " ".join(u["message"] for u in unlock),
            code="prepayment_required",
            details={
                "tier": limit.tier.value,
                "factors": trust_of(customer).factors,
                "limit": limit.limit,
                "outstanding": limit.outstanding,
                "available": limit.available,
                "unlock": unlock,
            },
        )
    if not secured and limit.outstanding >= limit.limit:
        _refuse_over_limit(limit, 0)
    tab = _insert_tab(
        uow,
        {
            "merchant_id": uow.merchant,
            "tab_id": new_id("tab"),
            "customer_id": customer.customer_id,
            "token": new_tab_token(uow.merchant),
            "status": TabStatus.OPEN.value,
            "currency": merchant.currency,
            "subtotal": 0,
            "adjustments": 0,
            "paid": 0,
            "tips": 0,
            "deposit_applied": 0,
            "line_count": 0,
            "card_held": False,
            "opened_at": uow.clock.now(),
            "served_at": None,
            "closed_at": None,
            "terms_accepted_at": None,
        },
    )
    emit(uow, "tab.opened", tab.tab_id, {"customer_id": customer.customer_id})
    return tab


# The hot lookups are built once, with bound parameters: building a statement
# and hashing its cache key on every call cost more than running it on SQLite.
_TAB = select(Tab).where(Tab.merchant_id == bindparam("m"), Tab.tab_id == bindparam("t"))
_TAB_FOR_UPDATE = _TAB.with_for_update().execution_options(populate_existing=True)
_TAB_BY_TOKEN = select(Tab).where(Tab.merchant_id == bindparam("m"), Tab.token == bindparam("k"))
_TAB_BY_TOKEN_FOR_UPDATE = _TAB_BY_TOKEN.with_for_update().execution_options(populate_existing=True)

#: A new short code is drawn this many times before opening the tab gives up
#: (31^6 codes a merchant: a second draw is already a one-in-a-thousand event
#: for a merchant with a million tabs).
SHORT_CODE_DRAWS = 8


def _insert_tab(uow: UnitOfWork, row: dict[str, Any]) -> Tab:
    """Insert the tab with a short code no other tab of the merchant has, and
    return it as a persistent object of the session.

    The unique constraint decides, not a look first: ``ON CONFLICT DO
    NOTHING`` on (merchant, short code) inserts nothing when the code is
    taken, and another code is drawn. One statement instead of a SELECT and
    the ORM's flush, and two tabs opened at once can no longer both pass the
    look and then fail on the constraint. Every column is given, so the object
    made from the row has nothing to load later.
    """
    statement = _OPEN_TAB[uow.dialect]
    for _ in range(SHORT_CODE_DRAWS):
        row["short_code"] = new_short_code()
        if uow.connection.execute(statement, row).first() is not None:
            # Persistent and clean, as if loaded: a booking's check-in goes on
            # changing it.
            return attach(uow, Tab(**row))
    raise Conflict(
        "No free short code could be drawn for the tab; try again.", code="short_code_taken"
    )


_TABS = cast(Table, Tab.__table__)
_OPEN_TAB = {
    dialect: insert_for(_TABS)
    .on_conflict_do_nothing(index_elements=[_TABS.c.merchant_id, _TABS.c.short_code])
    .returning(_TABS.c.tab_id)
    for dialect, insert_for in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}


def lock_tab(uow: UnitOfWork, tab_id: str) -> Tab:
    """Load a tab for change. On PostgreSQL the row stays locked until commit."""
    tab = uow.session.scalar(_TAB_FOR_UPDATE, {"m": uow.merchant, "t": tab_id})
    if tab is None:
        raise NotFound(f"No such tab: '{tab_id}'.", param="tab_id")
    uow.locked[("tabs", tab.tab_id)] = tab
    return tab


def get_tab(uow: UnitOfWork, tab_id: str) -> Tab:
    tab = uow.session.scalar(_TAB, {"m": uow.merchant, "t": tab_id})
    if tab is None:
        raise NotFound(f"No such tab: '{tab_id}'.", param="tab_id")
    return tab


def tab_for_token(uow: UnitOfWork, token: str, *, lock: bool = False) -> Tab:
    """The customer's tab; any unknown or malformed token is simply 404."""
    if merchant_of_credential(token) != uow.merchant:
        raise NotFound("No such tab.", code="tab_not_found")
    query = _TAB_BY_TOKEN_FOR_UPDATE if lock else _TAB_BY_TOKEN
    tab = uow.session.scalar(query, {"m": uow.merchant, "k": token})
    if tab is None:
        raise NotFound("No such tab.", code="tab_not_found")
    if lock:
        uow.locked[("tabs", tab.tab_id)] = tab
    return tab


def find_by_short_code(uow: UnitOfWork, short_code: str) -> Tab:
    tab = uow.session.scalar(
        select(Tab).where(
            Tab.merchant_id == uow.merchant, Tab.short_code == short_code.strip().upper()
        )
    )
    if tab is None:
        raise NotFound(f"No tab has the code '{short_code}'.", param="short_code")
    return tab


def add_line(
    uow: UnitOfWork,
    tab_id: str,
    *,
    service_id: str,
    quantity: int = 1,
    staff_id: str | None = None,
    secured: bool = False,
) -> Tab:
    """Add a line priced now. ``secured``: the booked service at check-in, which
    the booking's deposit already stands behind (no tab-limit check)."""
    tab = lock_tab(uow, tab_id)
    ensure_can_add_line(tab.status)
    # Tab row first, then the customer's credit lock, then the sum across all
    # their tabs: a line on another tab of theirs waits here, so the two
    # cannot both pass the limit.
    parties = _parties(uow, tab.customer_id, service_id=service_id, credit_lock=not secured)
    service = cast(Service, parties.service)
    customer, merchant = parties.customer, parties.merchant
    if not service.active:
        raise Conflict(
            f"'{service.name}' is no longer offered.", code="service_inactive", param="service_id"
        )
    amount = line_amount(service.price, quantity)
    limit = tab_limit_for(uow, merchant, customer)
    if not secured and limit.outstanding + amount > limit.limit:
        _refuse_over_limit(limit, amount)
    line_no = tab.line_count + 1
    subtotal = tab.subtotal + amount
    # Plain SQL, not the ORM: nothing here reads the line back as an object (a
    # response reads the tab's lines with their terms in one query), and the
    # tab's new totals go with the line (on PostgreSQL in the same statement),
    # so neither pays for the ORM's flush on every line added: a line took
    # 5.35 ms of Python CPU instead of 6.1 on PostgreSQL, 3.8 instead of 4.3
    # on SQLite (this slow machine, four and three interleaved rounds).
    params = {
        "l_merchant_id": uow.merchant,
        "l_tab_id": tab.tab_id,
        "l_line_no": line_no,
        "l_service_id": service.service_id,
        "l_terms_version": service.terms_version,
        "l_name": service.name,
        "l_unit_price": service.price,
        "l_quantity": quantity,
        "l_amount": amount,
        "l_staff_id": staff_id,
        "l_created_at": uow.clock.now(),
        "subtotal_after": subtotal,
    }
    if uow.dialect == "postgresql":
        uow.connection.execute(_ADD_LINE_AND_SET_TOTALS, params)
    else:
        uow.connection.execute(_INSERT_LINE, params)
        uow.connection.execute(_SET_TAB_TOTALS, params)
    # The tab object says what the row now says, without a second UPDATE.
    set_committed_value(tab, "line_count", line_no)
    set_committed_value(tab, "subtotal", subtotal)
    if amount:
        # Revenue is earned as the service is given: the customer now owes it.
        ledger.post(
            uow,
            EntryBuilder(EntryKind.TAB_CHARGE, tab.currency, memo=service.name, tab_id=tab.tab_id)
            .debit(Account.RECEIVABLES, amount)
            .credit(Account.REVENUE, amount)
            .build(),
        )
    emit(
        uow,
        "tab.line_added",
        tab.tab_id,
        {"line_no": line_no, "service_id": service.service_id, "amount": amount},
    )
    # A card hold behind the tab grows with it now, not at the end of the evening.
    ensure_hold_covers(uow, tab)
    return tab


_LINES = cast(Table, TabLine.__table__)
# Parameters named apart from the columns (SQLAlchemy reserves the column
# names for its own VALUES): the line's ``l_<column>``, and the tab's totals.
_INSERT_LINE = insert(_LINES).values({c.name: bindparam(f"l_{c.name}") for c in _LINES.columns})
_SET_TAB_TOTALS = (
    update(cast(Table, Tab.__table__))
    .where(Tab.merchant_id == bindparam("l_merchant_id"), Tab.tab_id == bindparam("l_tab_id"))
    .values(line_count=bindparam("l_line_no"), subtotal=bindparam("subtotal_after"))
)

#: PostgreSQL allows an INSERT inside WITH (SQLite does not): the tab's
#: UPDATE carries the line's INSERT, one round trip for both.
_ADD_LINE_AND_SET_TOTALS = _SET_TAB_TOTALS.add_cte(_INSERT_LINE.cte("line"))


def serve(uow: UnitOfWork, tab_id: str) -> Tab:
    tab = lock_tab(uow, tab_id)
    ensure_can_serve(tab.status, tab.line_count)
    update_object(
        uow, tab, status=transition(tab.status, TabAction.SERVE).value, served_at=uow.clock.now()
    )
    emit(uow, "tab.served", tab.tab_id, {"total": bill_of(tab).total})
    if bill_of(tab).due == 0:  # prepaid, or covered by a deposit
        settle(uow, tab)
    uow.session.flush()
    return tab


def settle(uow: UnitOfWork, tab: Tab, **also: Any) -> None:
    """The bill is covered: close the tab and let the customer's history show it.
    ``also``: more of the tab's columns to write in the same UPDATE (what a
    payment changed)."""
    # Lock the customer before the tab row changes again. On PostgreSQL a
    # second UPDATE of a row this transaction already updated re-checks its
    # foreign keys, taking a KEY SHARE lock on the customer; two transactions
    # settling one customer's tabs would then each hold that lock and wait to
    # upgrade it to FOR UPDATE in record_history: a deadlock.
    get_customer(uow, tab.customer_id, lock=True)
    was_overdue = tab.status == TabStatus.OVERDUE
    status = transition(tab.status, TabAction.SETTLE).value
    update_object(uow, tab, status=status, closed_at=uow.clock.now(), **also)
    record_history(uow, tab.customer_id, "late_payments" if was_overdue else "paid_visits")
    release_tab_hold(uow, tab)  # paid another way: the card hold is no longer needed
    emit(uow, "tab.paid", tab.tab_id, {"total": bill_of(tab).total, "tips": tab.tips})


def void(uow: UnitOfWork, tab_id: str) -> Tab:
    tab = lock_tab(uow, tab_id)
    ensure_can_void(tab.status, bill_of(tab))
    tab.status = transition(tab.status, TabAction.VOID).value
    tab.closed_at = uow.clock.now()
    release_tab_hold(uow, tab)
    uow.session.flush()
    emit(uow, "tab.voided", tab.tab_id, {})
    return tab


def mark_overdue(uow: UnitOfWork, tab_id: str) -> Tab:
    """A served tab left unpaid past its due time (reminders follow)."""
    tab = lock_tab(uow, tab_id)
    tab.status = transition(tab.status, TabAction.MARK_OVERDUE).value
    uow.session.flush()
    emit(uow, "tab.overdue", tab.tab_id, {"amount_due": bill_of(tab).due})
    return tab


def write_off(uow: UnitOfWork, tab_id: str) -> Tab:
    """Give up on what is still owed: the receivable becomes a loss."""
    tab = lock_tab(uow, tab_id)
    due = bill_of(tab).due
    tab.status = transition(tab.status, TabAction.WRITE_OFF).value
    tab.closed_at = uow.clock.now()
    record_history(uow, tab.customer_id, "write_offs")
    if due:
        ledger.post(
            uow,
            EntryBuilder(EntryKind.WRITE_OFF, tab.currency, memo="written off", tab_id=tab.tab_id)
            .debit(Account.WRITE_OFFS, due)
            .credit(Account.RECEIVABLES, due)
            .build(),
        )
    emit(uow, "tab.written_off", tab.tab_id, {"amount": due})
    return tab


def accept_terms(uow: UnitOfWork, token: str) -> Tab:
    tab = tab_for_token(uow, token, lock=True)
    if tab.terms_accepted_at is None:
        tab.terms_accepted_at = uow.clock.now()
        uow.session.flush()
        emit(uow, "tab.terms_accepted", tab.tab_id, {})
    return tab


@dataclass(frozen=True)
class LineTerms:
    """The promise a line was sold under (its service's terms at that version)."""

    expected_results: Any
    limits: Any


@dataclass(frozen=True, slots=True)
class SoldLine:
    """A line as sold (the ``tab_lines`` row), for reading: responses, pages."""

    merchant_id: str
    tab_id: str
    line_no: int
    service_id: str
    terms_version: int
    name: str
    unit_price: int
    quantity: int
    amount: int
    staff_id: str | None
    created_at: datetime


@dataclass(frozen=True)
class LineView:
    line: SoldLine
    terms: LineTerms


def lines_of(uow: UnitOfWork, tab: Tab) -> list[LineView]:
    if tab.line_count == 0:  # a tab just opened: nothing to read
        return []
    # One query: each line with the terms version it was sold under (every
    # tab response shows them, so no second round trip for the terms). Plain
    # rows, not ORM objects: lines are only read here, and a response after
    # each line added reads them all again.
    rows = uow.connection.execute(_LINES_WITH_TERMS, {"m": uow.merchant, "t": tab.tab_id})
    return [LineView(SoldLine(*row[:-2]), LineTerms(row[-2], row[-1])) for row in rows]


_TERMS = cast(Table, ServiceTerms.__table__)
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


def tab_in_hand(uow: UnitOfWork, tab_id: str) -> Tab:
    """The tab this transaction already locked (and maybe changed), else read it.

    For building a response after a use case: the locked tab is the row as
    this transaction left it, so no second SELECT of the same row."""
    held = uow.locked.get(("tabs", tab_id))
    if isinstance(held, Tab):
        return held
    tab = uow.session.get(Tab, (uow.merchant, tab_id))
    if tab is None:
        raise NotFound(f"No such tab: '{tab_id}'.", param="tab_id")
    return tab


def list_tabs(
    uow: UnitOfWork,
    *,
    status: str | None = None,
    customer_id: str | None = None,
    limit: int = 50,
) -> list[Tab]:
    query = select(Tab).where(Tab.merchant_id == uow.merchant)
    if status:
        query = query.where(Tab.status == TabStatus(status).value)
    if customer_id:
        query = query.where(Tab.customer_id == customer_id)
    return list(uow.session.scalars(query.order_by(Tab.opened_at.desc()).limit(limit)))
