"""Who a line added at the desk is credited with: the member its commission
and satisfaction count for (``earnings``).

Whoever is signed in is often not who did the service: the owner at the desk
swaps a booked colour for the cut the stylist did, a receptionist adds what a
stylist did. So the tab page's add-line form asks "Done by", among the people
the bookings day page lists (the merchant's current members: each serves
customers and is paid for it; whoever left is not offered), and first offers
the one a salon expects: the booking's member when the tab came from a
check-in, else whoever did the tab's last line, else the one signed in.
"""

from __future__ import annotations

from dataclasses import dataclass

from servefirst.bookings.repository import member_of_tab
from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import InvalidRequest
from servefirst.kit.i18n import gettext as _
from servefirst.staff.console import TabView
from servefirst.staff.service import list_members
from servefirst.tabs import service as tabs


@dataclass(frozen=True)
class DoneBy:
    """The form's "Done by": the people (id, name) and the one chosen."""

    people: list[tuple[str, str]]
    chosen: str


def _people(uow: UnitOfWork) -> list[tuple[str, str]]:
    """As the bookings day page's "With" lists them (``day_view``)."""
    return [(m.staff_id, m.name) for m in list_members(uow)]


def _usual(
    uow: UnitOfWork, tab_id: str, line_members: list[str | None], me: str, team: set[str]
) -> str:
    """The booking's member, else the last line's, else ``me``. A booking
    made over the API may name someone who is no member (free text): passed over."""
    for candidate in (member_of_tab(uow, tab_id), *reversed(line_members)):
        if candidate in team:
            return candidate
    return me


def done_by_form(uow: UnitOfWork, view: TabView, me: str, kept: str = "") -> DoneBy | None:
    """The tab page's "Done by", while lines can be added (None otherwise);
    ``kept``: the choice a refused form sent, when it is one of the people."""
    if not view.is_open:
        return None
    people = _people(uow)
    team = {staff_id for staff_id, _name in people}
    if kept in team:
        return DoneBy(people, kept)
    lines = [item.line.staff_id for item in view.lines]
    return DoneBy(people, _usual(uow, view.tab.tab_id, lines, me, team))


def credited(uow: UnitOfWork, tab_id: str, chosen: str, me: str) -> str:
    """The member a line added on ``tab_id`` is credited with: the one the form
    chose, who must be one of the people; blank (a form from before the
    field) is the one the form would have offered."""
    team = {staff_id for staff_id, _name in _people(uow)}
    chosen = chosen.strip()
    if chosen in team:
        return chosen
    if chosen:
        raise InvalidRequest(
            _("Choose who did it from the list: that person is not on the team."),
            param="staff_id",
        )
    lines = [item.line.staff_id for item in tabs.lines_of(uow, tabs.get_tab(uow, tab_id))]
    return _usual(uow, tab_id, lines, me, team)
