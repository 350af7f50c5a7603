"""Working hours in the console (``/staff/bookings/hours``): each person's
week, their dated exceptions (a holiday, changed hours) and the services they
perform, what online booking offers times from.

Everyone edits their own; managers and owners anyone's, chosen from the team.
The form is plain text a phone types easily (``hours_form``); the hours are
checked by the same rules as ``POST /v1/staff/{id}/hours``, and a refusal
gives the form back as typed with nothing saved.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.dates import get_day_names
from fastapi import APIRouter, Request
from fastapi.responses import Response

from servefirst.availability import service as availability
from servefirst.availability.hours import DAYS
from servefirst.catalog.service import list_services
from servefirst.db.uow import UnitOfWork
from servefirst.kit import i18n
from servefirst.kit.errors import Forbidden, InvalidRequest, ServefirstError
from servefirst.kit.i18n import gettext as _
from servefirst.kit.refusals import in_words
from servefirst.kit.typed import NUL, refuse_nul
from servefirst.kit.typed_days import form_of, shown_day
from servefirst.staff import service as staff
from servefirst.staff.hours_form import exceptions_of, ranges_of, text_of_exceptions, text_of_ranges
from servefirst.staff.kept_forms import act_keeping
from servefirst.staff.rules import Access
from servefirst.staff.web import base_context, render, show

router = APIRouter(prefix="/staff/bookings", include_in_schema=False)

PAGE = "/staff/bookings/hours"
#: The days the form's example lines name (a day off, a short day).
CHRISTMAS_EVE, NEW_YEARS_EVE = date(2026, 12, 24), date(2026, 12, 31)


def _whose(uow: UnitOfWork, me: staff.SignedIn, asked: str) -> str:
    """The person whose hours are read or changed: oneself, unless a manager
    or owner chose someone else."""
    mine = me.account.staff_id
    refuse_nul([("staff", asked)])  # no one's id: not looked up
    if not asked or asked == mine:
        return mine
    if not me.access.allows(Access.MANAGER):
        raise Forbidden(_("You can change your own working hours only."))
    staff.get_member(uow, asked, param="staff")  # 404 for someone not on the team
    return asked


def _typed_from(hours: dict[str, Any]) -> dict[str, Any]:
    weekly = hours.get("weekly", {})
    return {
        **{f"day.{day}": text_of_ranges(weekly.get(day, [])) for day in DAYS},
        "exceptions": text_of_exceptions(hours.get("exceptions", []), i18n.current_language()),
        "services": list(hours.get("services", [])),
        "no_week": "",
    }


def _page(
    request: Request,
    uow: UnitOfWork,
    me: staff.SignedIn,
    whose: str,
    *,
    typed: dict[str, Any] | None = None,
    error: str | None = None,
    beside: tuple[str, str] | None = None,
    status: int = 200,
) -> Response:
    """The hours form; ``beside``: the field refused and the refusal said by it."""
    names = get_day_names("wide", locale=i18n.current_language())
    if typed is None:
        typed = _typed_from(availability.get_hours(uow, whose).as_json())
    team = staff.list_members(uow) if me.access.allows(Access.MANAGER) else []
    context = base_context(
        me,
        request,
        whose=whose,
        whose_name=staff.get_member(uow, whose).name,
        team=[(m.staff_id, m.name) for m in team],
        days=[(day, names[index].capitalize()) for index, day in enumerate(DAYS)],
        services=[(s.service_id, s.name) for s, _terms in list_services(uow)],
        typed=typed,
        saved=request.query_params.get("saved") == "1",
        error=error,
        example_lines="\n".join(
            (
                shown_day(CHRISTMAS_EVE, i18n.current_language()),
                f"{shown_day(NEW_YEARS_EVE, i18n.current_language())} 09:00-13:00",
            )
        ),
        invalid=beside[0] if beside else "",
        refusal=beside[1] if beside else "",
    )
    return render(request, "staff/hours.html", context, status)


@router.get("/hours")
def hours_page(request: Request) -> Response:
    asked = request.query_params.get("staff", "")

    def build(uow: UnitOfWork, me: staff.SignedIn) -> Response:
        try:
            whose = _whose(uow, me, asked)
        except ServefirstError as exc:
            return _page(
                request, uow, me, me.account.staff_id, error=in_words(exc), status=exc.status
            )
        return _page(request, uow, me, whose)

    return show(request, build)


@router.post("/hours")
async def save_hours(request: Request) -> Response:
    form = await request.form()
    asked = str(form.get("staff", ""))
    typed: dict[str, Any] = {f"day.{day}": str(form.get(f"day.{day}", "")) for day in DAYS}
    typed["exceptions"] = str(form.get("exceptions", ""))
    typed["services"] = [str(s) for s in form.getlist("services")]
    typed["no_week"] = str(form.get("no_week", ""))

    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        whose = _whose(uow, me, asked)
        worked = any(availability.get_hours(uow, whose).as_json().get("weekly", {}).values())
        availability.set_hours(
            uow,
            whose,
            weekly={day: ranges_of(typed[f"day.{day}"], param=f"weekly.{day}") for day in DAYS},
            exceptions=exceptions_of(typed["exceptions"], i18n.current_language()),
            services=typed["services"],
        )
        # Asked once the rest reads well; refused, nothing of it is kept.
        _ensure_meant_to_empty_the_week(uow, whose, typed, worked=worked)
        return f"{PAGE}?staff={whose}&saved=1"

    def on_error(uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError) -> Response:
        # Refused for the person asked (not theirs to change, not on the team,
        # no one's id: a NUL): one's own.
        named = asked and NUL not in asked and exc.status not in {403, 404}
        whose = asked if named else me.account.staff_id
        field, words = _field_of(exc), _said(exc)
        if field is None:  # about the whole form (not theirs, expired): above it
            return _page(request, uow, me, whose, typed=typed, error=words, status=exc.status)
        return _page(request, uow, me, whose, typed=typed, beside=(field, words), status=exc.status)

    return act_keeping(request, str(form.get("csrf_token", "")), change, on_error)


def _ensure_meant_to_empty_the_week(
    uow: UnitOfWork, whose: str, typed: dict[str, Any], *, worked: bool
) -> None:
    """A week sent with every day empty, for someone who works some days, is
    asked about first: saved, online booking would offer no time with them
    (one tap on a phone clears a field by mistake more easily than it types
    one). Ticked, it is saved: a person away for good is taken off this way."""
    if not worked:
        return  # nothing to lose: no day had hours
    if typed["no_week"] == "yes" or any(typed[f"day.{day}"].strip() for day in DAYS):
        return
    raise InvalidRequest(
        _(
            "Every day is empty: online booking would offer no time with %(name)s."
            " Type their hours, or tick below to take them off online booking."
        )
        % {"name": staff.get_member(uow, whose).name},
        code="hours_week_empty",
        param="week",
    )


def _field_of(exc: ServefirstError) -> str | None:
    """The form's field a refusal is about, by the name the form gives it
    (``day.mon``, ``exceptions``, ``services``); None: the whole form."""
    where = exc.param or ""
    if where.startswith(("weekly.", "day.")):  # the hours' own words; the form's (a NUL)
        day = where.split(".")[1].split("[")[0]
        return f"day.{day}" if day in DAYS else None
    if where.startswith("exceptions"):
        return "exceptions"
    if where == "week":
        return "week"
    return "services" if where == "services" else None


def _said(exc: ServefirstError) -> str:
    """A refusal of the hours in the reader's words, naming the line to fix."""
    where = exc.param or ""
    if exc.code not in {"hours_invalid", "hours_overlap"}:
        return in_words(exc)
    if where.startswith("weekly."):
        names = get_day_names("wide", locale=i18n.current_language())
        day = where.split(".")[1].split("[")[0]
        line = names[DAYS.index(day)].capitalize() if day in DAYS else day
    else:
        line = _("Days off and changed hours")
        if exc.code == "hours_invalid":
            language = i18n.current_language()
            return _(
                "%(line)s: one day a line, its date (%(form)s) then its hours,"
                " like %(example)s 09:00-13:00; the date alone is a day off."
            ) % {
                "line": line,
                "form": form_of(language).letters,
                "example": shown_day(NEW_YEARS_EVE, language),
            }
    if exc.code == "hours_overlap":
        return _("%(line)s: two ranges overlap; give each time once.") % {"line": line}
    return _(
        "%(line)s: write hours as 09:00-13:00, several separated by commas,"
        " each ending after it starts."
    ) % {"line": line}
