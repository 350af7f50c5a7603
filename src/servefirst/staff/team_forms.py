"""Running the team from the console (owners), on the team page: adding
someone, and changing a member's job title or access.

Each form is one call of the staff service the API calls too
(``create_member``, ``update_member``): the same checks, the same refusals
(the business's last owner keeps owner access: ``departures.may_step_down``).
A new member signs in the way every console login is made (``create_staff``,
as the demo and ``servefirst staff create`` do): an e-mail and a first
password the owner chooses and tells them. Both may be left empty for someone
who is booked and credited but never signs in.

A refusal gives the form back with the refusal beside its field, in the
reader's language, and nothing written; a password is never given back.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import ServefirstError
from servefirst.kit.refusals import in_words
from servefirst.staff import service as staff
from servefirst.staff.kept_forms import act_keeping
from servefirst.staff.rules import Access
from servefirst.staff.team_pages import NEEDS, PAGE, team_page

router = APIRouter(prefix="/staff", include_in_schema=False)

# No length limits here: FastAPI would answer a long value with its JSON, not
# the page; the service refuses it in words instead.
FormText = Annotated[str, Form()]
#: The fields of the add form a refusal can be said beside.
NEW_FIELDS = ("name", "role", "access", "email", "password")
#: The fields of a member's title and access form.
ACCESS_FIELDS = ("role", "access")
#: Where an owner who gave up owner access lands: the team page is no longer theirs.
STEPPED_DOWN = "/staff/today?done=access_changed"


@router.post("/team")
def add_member(
    request: Request,
    name: FormText = "",
    role: FormText = "",
    access: FormText = "",
    email: FormText = "",
    password: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    typed = {"name": name, "role": role, "access": access, "email": email}
    email = email.strip()

    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        staff.create_member(
            uow,
            name=name,
            role=role,
            access=access,
            email=email or None,
            password=password or None,
        )
        return f"{PAGE}?done={'added_login' if email else 'added'}"

    def on_error(uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError) -> Response:
        words = in_words(exc)
        if exc.param in NEW_FIELDS:
            kept = {**typed, "invalid": exc.param, "refusal": words}
            return team_page(request, uow, me, status=exc.status, new_member=kept)
        return team_page(request, uow, me, error=words, status=exc.status, new_member=typed)

    return act_keeping(request, csrf_token, change, on_error, needs=NEEDS)


@router.post("/team/{staff_id}/access")
def change_access(
    request: Request,
    staff_id: str,
    role: FormText = "",
    access: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    typed = {"staff_id": staff_id, "role": role, "access": access}

    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        staff.update_member(uow, staff_id, role=role, access=access, acting=me.account.staff_id)
        if staff_id == me.account.staff_id and not Access(access).allows(NEEDS):
            return STEPPED_DOWN
        return f"{PAGE}?done=access"

    def on_error(uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError) -> Response:
        words = in_words(exc)
        if exc.param in ACCESS_FIELDS:
            kept = {**typed, "invalid": exc.param, "refusal": words}
            return team_page(request, uow, me, status=exc.status, access_form=kept)
        return team_page(request, uow, me, error=words, status=exc.status, access_form=typed)

    return act_keeping(request, csrf_token, change, on_error, needs=NEEDS)
