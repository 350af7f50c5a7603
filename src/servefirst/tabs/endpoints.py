from __future__ import annotations

from fastapi import APIRouter, Query, Request, Response

from servefirst.api.context import MerchantUoW, PublicURL
from servefirst.api.phased import Kept, once_per_key
from servefirst.api.routing import ServefirstRoute, answer_last
from servefirst.bookings.awaited import tab_awaits_processor as awaits
from servefirst.bookings.hold_raises import raise_off_the_loop
from servefirst.bookings.holds import tab_hold
from servefirst.db.uow import UnitOfWork
from servefirst.staff.departures import ensure_active
from servefirst.staff.service import get_member
from servefirst.tabs import service as tabs
from servefirst.tabs.models import Tab
from servefirst.tabs.schemas import LineIn, TabHoldOut, TabIn, TabList, TabOut, TabStatusName

router = APIRouter(prefix="/v1/tabs", tags=["tabs"], route_class=ServefirstRoute)


def present(uow: UnitOfWork, tab: Tab, public_url: str) -> TabOut:
    out = TabOut.build(tab, tabs.lines_of(uow, tab), public_url)
    held = tab_hold(uow, tab)
    if held is not None:
        out.hold = TabHoldOut.model_validate(held, from_attributes=True)
    return out


@router.post(
    "",
    status_code=201,
    response_model=TabOut,
    summary="Open a tab for a customer",
    responses={402: {"description": "prepayment_required or tab_limit_exceeded"}},
)
def create_tab(body: TabIn, uow: MerchantUoW, base: PublicURL) -> TabOut:
    tab = tabs.open_tab(uow, customer_id=body.customer_id)
    return present(uow, tab, base)


@router.get("", response_model=TabList, summary="List tabs (newest first), or find one by code")
def list_tabs(
    uow: MerchantUoW,
    base: PublicURL,
    status: TabStatusName | None = None,
    customer_id: str | None = None,
    short_code: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> TabList:
    if short_code:
        found = [tabs.find_by_short_code(uow, short_code)]
    else:
        found = tabs.list_tabs(uow, status=status, customer_id=customer_id, limit=limit)
    return TabList(data=[present(uow, t, base) for t in found])


@router.get("/{tab_id}", response_model=TabOut, summary="Get a tab")
def get_tab(tab_id: str, uow: MerchantUoW, base: PublicURL) -> TabOut:
    return present(uow, tabs.get_tab(uow, tab_id), base)


@router.post(
    "/{tab_id}/lines",
    response_model=TabOut,
    summary="Add a service to an open tab",
    responses={402: {"description": "tab_limit_exceeded"}},
)
async def add_line(
    tab_id: str, body: LineIn, uow: MerchantUoW, base: PublicURL, request: Request
) -> Response:
    def add() -> bool:
        if body.staff_id is not None:
            get_member(uow, body.staff_id)  # 404 param staff_id: earnings need a real person
            ensure_active(uow, body.staff_id)  # 409: someone who left does no new work
        tabs.add_line(
            uow, tab_id, service_id=body.service_id, quantity=body.quantity, staff_id=body.staff_id
        )
        # Only a tab with a card hold may ask a raise, committing the line first.
        return tabs.tab_in_hand(uow, tab_id).card_held

    async def then() -> None:
        # A card hold behind the tab grows with it: asked of the processor off the loop.
        await raise_off_the_loop(request, uow, tab_id)

    kept = Kept("added a line to this tab", "tab_id", tab_id, lambda: awaits(uow, tab_id))
    await once_per_key(request, uow, kept, add, then)
    return await answer_last(request, lambda: present(uow, tabs.tab_in_hand(uow, tab_id), base))


@router.post("/{tab_id}/serve", response_model=TabOut, summary="Mark the tab served")
def serve_tab(tab_id: str, uow: MerchantUoW, base: PublicURL) -> TabOut:
    return present(uow, tabs.serve(uow, tab_id), base)


@router.post(
    "/{tab_id}/void",
    response_model=TabOut,
    summary="Void an open tab with nothing owed and nothing paid",
)
def void_tab(tab_id: str, uow: MerchantUoW, base: PublicURL) -> TabOut:
    return present(uow, tabs.void(uow, tab_id), base)


@router.post(
    "/{tab_id}/overdue", response_model=TabOut, summary="Mark a served, unpaid tab overdue"
)
def mark_tab_overdue(tab_id: str, uow: MerchantUoW, base: PublicURL) -> TabOut:
    return present(uow, tabs.mark_overdue(uow, tab_id), base)


@router.post(
    "/{tab_id}/write-off",
    response_model=TabOut,
    summary="Write off what is still owed on a served or overdue tab",
)
def write_off_tab(tab_id: str, uow: MerchantUoW, base: PublicURL) -> TabOut:
    return present(uow, tabs.write_off(uow, tab_id), base)
