"""The console's home page (today's tabs, customers, bookings) and what its
redirects may announce: shared by the sign-in, tab and booking pages."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from servefirst.db.uow import UnitOfWork
from servefirst.kit.i18n import N_
from servefirst.staff import console
from servefirst.staff import service as staff
from servefirst.staff.web import NOTICES, base_context, render, searched

#: What a booking action's redirect may announce, on top of the console's notices.
BOOKING_NOTICES = {
    "checked_in": N_("Checked in: the booked service is on the tab."),
    "cancelled": N_("Booking cancelled."),
    "no_show": N_("Marked as a no-show."),
}


def page_context(me: staff.SignedIn, request: Request, **extra: Any) -> dict[str, Any]:
    """``base_context`` that also knows the booking notices."""
    context = base_context(me, request, **extra)
    done = request.query_params.get("done", "")
    if context.get("notice") is None and done not in NOTICES:
        context["notice"] = BOOKING_NOTICES.get(done)
    return context


def home_page(
    request: Request,
    uow: UnitOfWork,
    me: staff.SignedIn,
    q: str = "",
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    query, refusal = searched(q)
    home = console.home(uow, "" if refusal else query)
    if refusal:  # no one found, the search given back without its NUL
        home, status = replace(home, query=query), 422
    context = page_context(
        me,
        request,
        home=home,
        error=error,
        merchant_name=home.merchant.name,
        search_refusal=refusal,
    )
    return render(request, "staff/home.html", context, status)
