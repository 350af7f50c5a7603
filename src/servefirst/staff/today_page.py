"""The Today page (``/staff/today``), where the console opens after sign-in.

Everyone sees the tabs still running with what each owes, the concerns
waiting and today's bookings; managers and owners also see the money: takings
so far by method, tips, what each service and each person sold, beside the
same weekday last week by the same hour. Days follow the merchant's clock.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from servefirst.db.uow import UnitOfWork
from servefirst.merchants.service import get_merchant
from servefirst.reports.today import service as today
from servefirst.staff import console
from servefirst.staff import service as staff
from servefirst.staff.home_page import page_context
from servefirst.staff.rules import Access
from servefirst.staff.web import render, show
from servefirst.webhooks import service as webhooks

router = APIRouter(prefix="/staff", include_in_schema=False)

#: Who sees the day's money (the same level that closes the day).
SEES_TAKINGS = Access.MANAGER


def _page(request: Request, uow: UnitOfWork, me: staff.SignedIn) -> Response:
    day = console.merchant_day(uow)
    merchant = get_merchant(uow)
    context = page_context(
        me,
        request,
        merchant_name=merchant.name,
        merchant=merchant,
        day=day.day,
        money=today.today(uow) if me.access.allows(SEES_TAKINGS) else None,
        tabs=console.running_tabs(uow),
        concerns=console.pending_concerns(uow),
        bookings=console.booking_rows(uow, day.start, day.end),
        # How the merchant is told an endpoint was disabled: where the console opens.
        disabled_endpoints=(
            [e for e in webhooks.list_endpoints(uow) if e.status == webhooks.DISABLED]
            if me.access.allows(Access.MANAGER)
            else []
        ),
    )
    return render(request, "staff/today.html", context)


@router.get("/today")
def today_page(request: Request) -> Response:
    return show(request, lambda uow, me: _page(request, uow, me))
