"""A member leaving the business, and what their departure stops: whether
they may be marked as gone (``rules.leaving_refusal``), their sessions ended,
and the checks that keep new work from someone who left.

Kept beside ``service`` (which calls it when ``active`` changes) so that the
staff service stays a story of members and sign-ins.
"""

from __future__ import annotations

from sqlalchemy import delete, select

from servefirst.bookings.staff_time import lock_staff_calendar, upcoming
from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import Conflict
from servefirst.kit.i18n import N_
from servefirst.staff.models import StaffMember, StaffSession
from servefirst.staff.rules import Access, last_owner, leaving_refusal


def active_ids(uow: UnitOfWork) -> set[str]:
    """The ids of the current team (who may be booked and credited)."""
    return set(
        uow.session.scalars(
            select(StaffMember.staff_id).where(
                StaffMember.merchant_id == uow.merchant, StaffMember.active.is_(True)
            )
        )
    )


#: A refusal's words, said again in the page's language (``kit.refusals``).
_LEFT = N_("%(name)s has left the business; choose someone on the team.")


def ensure_active(uow: UnitOfWork, staff_id: str, *, param: str = "staff_id") -> None:
    """Refuse (409 ``staff_inactive``) new work for someone who left. A name
    that is no member passes: callers refuse unknown ids themselves (404), and
    a booking kept from before they did may name free text."""
    # Read afresh (not the session's copy): a booking calls this holding the
    # person's calendar lock, after which a departure just committed shows.
    found = uow.session.execute(
        select(StaffMember.name, StaffMember.active).where(
            StaffMember.merchant_id == uow.merchant, StaffMember.staff_id == staff_id
        )
    ).first()
    if found is not None and not found.active:
        raise Conflict(
            f"{found.name} has left the business; choose someone on the team.",
            code="staff_inactive",
            param=param,
            figures={"words": _LEFT, "name": found.name},
        )


def _other_owners(uow: UnitOfWork, member: StaffMember) -> int:
    """The current owners besides ``member``, their rows locked in id order:
    two owners marking each other as gone (or as managers) at once cannot
    both pass, leaving nobody to run the business."""
    owners_now = uow.session.execute(
        select(StaffMember.staff_id, StaffMember.active)
        .where(StaffMember.merchant_id == uow.merchant, StaffMember.access == Access.OWNER)
        .order_by(StaffMember.staff_id)
        .with_for_update()
    ).all()
    return sum(1 for who, active in owners_now if active and who != member.staff_id)


def may_step_down(uow: UnitOfWork, member: StaffMember) -> None:
    """409 ``last_owner`` when the business's last owner would become a
    manager or staff: then nobody could run the console's owner pages."""
    if member.active and member.access == Access.OWNER and _other_owners(uow, member) == 0:
        raise last_owner(member.name, param="access")


def may_leave(uow: UnitOfWork, member: StaffMember, acting: str | None) -> None:
    """409 when ``member`` may not be marked as having left (``leaving_refusal``)."""
    other_owners = _other_owners(uow, member)
    # The person's calendar, locked as a booking locks it: one made meanwhile
    # is counted below, or waits and then sees that they left.
    lock_staff_calendar(uow, member.staff_id)
    refusal = leaving_refusal(
        member.name,
        is_self=acting == member.staff_id,
        is_owner=member.access == Access.OWNER,
        other_owners=other_owners,
        upcoming=upcoming(uow, member.staff_id),
    )
    if refusal is not None:
        raise refusal


def sign_out_everywhere(uow: UnitOfWork, staff_id: str) -> None:
    """Whoever left is signed out of every browser, now."""
    uow.session.execute(
        delete(StaffSession).where(
            StaffSession.merchant_id == uow.merchant, StaffSession.staff_id == staff_id
        )
    )
