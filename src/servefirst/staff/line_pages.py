"""The tab page's add-line form: what was served, how many, and who did it
(``line_credit``). A refused service, quantity or "Done by" is said beside its
field, the rest of the form as sent; a refusal of the tab itself (paid since,
past its limit) above the page. Nothing is added."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from servefirst.bookings.hold_raises import raise_in_turn
from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import InvalidRequest, ServefirstError
from servefirst.staff import service as staff
from servefirst.staff.line_credit import credited
from servefirst.staff.tab_pages import tab_page_refusing
from servefirst.staff.web import act
from servefirst.tabs import service as tabs

router = APIRouter(prefix="/staff", include_in_schema=False)

FormText = Annotated[str, Form()]

#: The fields whose refusal is said beside them.
BESIDE = frozenset({"service_id", "quantity", "staff_id"})


def _quantity(text: str) -> int:
    try:
        return int(text.strip() or "1")
    except ValueError:
        raise InvalidRequest("Quantity must be a whole number.", param="quantity") from None


@router.post("/tabs/{tab_id}/lines")
def add_line(
    request: Request,
    tab_id: str,
    service_id: FormText = "",
    quantity: FormText = "1",
    staff_id: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    sent = {
        "form": "add-line",
        "service_id": service_id,
        "quantity": quantity,
        "staff_id": staff_id,
    }

    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        if not service_id:
            raise InvalidRequest("Choose what was served.", param="service_id")
        tabs.add_line(
            uow,
            tab_id,
            service_id=service_id,
            quantity=_quantity(quantity),
            staff_id=credited(uow, tab_id, staff_id, me.account.staff_id),
        )
        raise_in_turn(uow, tab_id)  # the card hold behind the tab grows with it
        return f"/staff/tabs/{tab_id}?done=line"

    def on_error(uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError) -> Response:
        beside = exc.param in BESIDE
        return tab_page_refusing(request, uow, me, tab_id, exc, sent, beside=beside)

    return act(request, csrf_token, change, on_error)
