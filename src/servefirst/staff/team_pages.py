"""The team (``/staff/team``, owners): who works here now, who left, and the
two things an owner does when someone leaves or comes back. Adding someone
and changing a member's title or access are forms of the same page
(``team_forms``).

"Mark as left" ends the person's console sign-in at once and stops offering
them for bookings and tab lines; everything they did stays theirs. It is
refused, in words, for oneself, for the last owner and while bookings still
wait for them (the page shows how many, to move first). "Bring back" undoes
it. Both ask for a tick in a confirm box, as other irreversible-looking
changes of the console do.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from servefirst.bookings.staff_time import upcoming
from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import InvalidRequest, ServefirstError
from servefirst.kit.i18n import N_
from servefirst.kit.i18n import gettext as _
from servefirst.kit.refusals import in_words
from servefirst.merchants.service import get_merchant
from servefirst.staff import service as staff
from servefirst.staff.kept_forms import act_keeping
from servefirst.staff.rules import MAX_ROLE_LENGTH, Access
from servefirst.staff.web import base_context, render, show

router = APIRouter(prefix="/staff", include_in_schema=False)

# No length limits here: FastAPI would answer a long value with its JSON, not
# the page. Anything but "yes" is no tick; a long token is a stale form.
Choice = Annotated[str, Form()]
Token = Annotated[str, Form()]
PAGE = "/staff/team"
NEEDS = Access.OWNER
NOTICES = {
    "left": N_("Marked as left: they can no longer sign in, nor be booked."),
    "back": N_("Back on the team: they can be booked again, and sign in if they have a login."),
    "added": N_("Added to the team."),
    "added_login": N_(
        "Added to the team: they sign in at /staff with the e-mail and the password you chose."
    ),
    "access": N_("Title and access saved: their menu shows what the new access opens."),
}


def team_page(
    request: Request,
    uow: UnitOfWork,
    me: staff.SignedIn,
    *,
    error: str | None = None,
    status: int = 200,
    refused_for: str = "",
    new_member: dict[str, Any] | None = None,
    access_form: dict[str, Any] | None = None,
) -> Response:
    """The team page; ``refused_for``: the member whose leave or return was
    refused; ``new_member``/``access_form``: a refused form's entries, given back."""
    members = staff.list_members(uow, include_inactive=True)
    current = [m for m in members if m.active]
    context = base_context(
        me,
        request,
        merchant_name=get_merchant(uow).name,
        current=current,
        gone=[m for m in members if not m.active],
        waiting={m.staff_id: upcoming(uow, m.staff_id) for m in current},
        logins={m.staff_id for m in members if staff.account_of(uow, m.staff_id) is not None},
        error=error,
        refused_for=refused_for,
        new_member=new_member,
        access_form=access_form,
        most_title=MAX_ROLE_LENGTH,
    )
    done = NOTICES.get(request.query_params.get("done", ""))
    context["notice"] = _(done) if done else None
    return render(request, "staff/team.html", context, status)


@router.get("/team")
def the_team(request: Request) -> Response:
    return show(request, lambda uow, me: team_page(request, uow, me), needs=NEEDS)


def _set_active(
    request: Request, staff_id: str, active: bool, confirm: str, csrf_token: str
) -> Response:
    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        if confirm != "yes":
            raise InvalidRequest(
                _("Tick the box to confirm."), code="parameter_missing", param="confirm"
            )
        staff.update_member(uow, staff_id, active=active, acting=me.account.staff_id)
        return f"{PAGE}?done={'back' if active else 'left'}"

    def on_error(uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError) -> Response:
        words = in_words(exc)
        return team_page(request, uow, me, error=words, status=exc.status, refused_for=staff_id)

    return act_keeping(request, csrf_token, change, on_error, needs=NEEDS)


@router.post("/team/{staff_id}/leave")
def mark_as_left(
    request: Request, staff_id: str, confirm: Choice = "", csrf_token: Token = ""
) -> Response:
    return _set_active(request, staff_id, False, confirm, csrf_token)


@router.post("/team/{staff_id}/return")
def bring_back(
    request: Request, staff_id: str, confirm: Choice = "", csrf_token: Token = ""
) -> Response:
    return _set_active(request, staff_id, True, confirm, csrf_token)
