"""Finding a tab: by id, by the customer's token, by the code read aloud at
the counter; and reading its lines. Each goes through the tab repository."""

from __future__ import annotations

from datetime import timedelta

from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import InvalidRequest, NotFound
from servefirst.kit.i18n import N_
from servefirst.kit.ids import merchant_of_credential
from servefirst.tabs.models import Tab
from servefirst.tabs.rules import Bill, TabStatus
from servefirst.tabs.sold_lines import LineView


def bill_of(tab: Tab) -> Bill:
    return Bill(tab.subtotal, tab.adjustments, tab.paid, tab.deposit_applied)


def lock_tab(uow: UnitOfWork, tab_id: str) -> Tab:
    """Load a tab for change. On PostgreSQL the row stays locked until commit."""
    return uow.tabs.lock(tab_id)


def get_tab(uow: UnitOfWork, tab_id: str) -> Tab:
    return uow.tabs.get(tab_id)


def tab_for_token(uow: UnitOfWork, token: str, *, lock: bool = False) -> Tab:
    """The customer's tab; any unknown or malformed token is simply 404."""
    if merchant_of_credential(token) != uow.merchant:
        raise NotFound("No such tab.", code="tab_not_found")
    tab = uow.tabs.by_token(token, lock=lock)
    if tab is None:
        raise NotFound("No such tab.", code="tab_not_found")
    return tab


#: Said at the counter when the code box is sent empty (kit.refusals says it again).
NO_CODE_TYPED = N_("Type the tab's code: the letters and digits on the customer's tab.")


def find_by_short_code(uow: UnitOfWork, short_code: str) -> Tab:
    code = short_code.strip().upper()
    if not code:  # the box sent empty: nothing to look up, and no tab to name
        raise InvalidRequest(NO_CODE_TYPED, param="short_code", figures={"words": NO_CODE_TYPED})
    tab = uow.tabs.by_short_code(code)
    if tab is None:
        raise NotFound(
            f"No tab has the code '{short_code}'.",
            param="short_code",
            # Said again at the counter in the member's language (kit.refusals).
            figures={"words": N_("No tab has the code '%(code)s'."), "code": short_code[:20]},
        )
    return tab


def tab_in_hand(uow: UnitOfWork, tab_id: str) -> Tab:
    """The tab this transaction already locked (and maybe changed), else read it.

    For building a response after a use case: the locked tab is the row as
    this transaction left it, so no second SELECT of the same row."""
    return uow.tabs.in_hand(tab_id)


def lines_of(uow: UnitOfWork, tab: Tab) -> list[LineView]:
    """The tab's lines, each with the terms it was sold under (every tab
    response shows them)."""
    return uow.tabs.lines_with_terms(tab)


def list_tabs(
    uow: UnitOfWork,
    *,
    status: str | None = None,
    customer_id: str | None = None,
    limit: int = 50,
) -> list[Tab]:
    return uow.tabs.newest(
        status=TabStatus(status).value if status else None, customer_id=customer_id, limit=limit
    )


#: How far back "most sold" looks for the counter's grid of services.
BEST_SELLERS_DAYS = 90


def sold_quantities(uow: UnitOfWork) -> dict[str, int]:
    """Each service's quantity sold in the last ``BEST_SELLERS_DAYS`` days."""
    return uow.tabs.sold_quantities(uow.clock.now() - timedelta(days=BEST_SELLERS_DAYS))
