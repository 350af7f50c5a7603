"""Leaving a review of a tab."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from servefirst.db.uow import UnitOfWork
from servefirst.earnings.period import Period
from servefirst.events.service import emit
from servefirst.kit.errors import Conflict, InvalidRequest
from servefirst.kit.ids import new_id
from servefirst.reviews.models import Review
from servefirst.reviews.rules import Satisfaction, satisfaction
from servefirst.staff import service as staff
from servefirst.tabs import read_repository as tabs
from servefirst.tabs.rules import CLOSED, TabStatus
from servefirst.tabs.service import tab_for_token

if TYPE_CHECKING:
    from servefirst.tabs.models import Tab


def review_tab(uow: UnitOfWork, token: str, *, rating: int, comment: str = "") -> Review:
    """One review per tab: a second replaces the first until the tab is paid."""
    if not 1 <= rating <= 5:
        raise InvalidRequest("rating must be a whole number from 1 to 5.", param="rating")
    tab = tab_for_token(uow, token, lock=True)
    if tab.status == TabStatus.VOID:
        raise Conflict("This tab was voided; there is nothing to review.", code="tab_state_invalid")
    existing = review_of(uow, tab)
    now = uow.clock.now()
    if existing is not None:
        if TabStatus(tab.status) in CLOSED:
            raise Conflict(
                "This tab is paid; its review can no longer change.", code="review_locked"
            )
        existing.rating = rating
        existing.comment = comment
        existing.updated_at = now
        uow.session.flush()
        emit(uow, "review.updated", existing.review_id, {"tab_id": tab.tab_id, "rating": rating})
        return existing
    review = Review(
        merchant_id=uow.merchant,
        tab_id=tab.tab_id,
        review_id=new_id("rev"),
        rating=rating,
        comment=comment,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(review)
    uow.session.flush()
    emit(uow, "review.created", review.review_id, {"tab_id": tab.tab_id, "rating": rating})
    return review


def review_of(uow: UnitOfWork, tab: Tab) -> Review | None:
    return uow.session.get(Review, (uow.merchant, tab.tab_id))


def _figures(s: Satisfaction) -> dict[str, Any]:
    return {
        "ratings": s.ratings,
        "average": None if s.average is None else str(s.average),
        "csat": None if s.csat is None else float(s.csat),
        "nps": None if s.nps is None else float(s.nps),
        "distribution": {str(r): c for r, c in s.distribution.items()},
    }


def satisfaction_report(uow: UnitOfWork, period: Period | None) -> dict[str, Any]:
    """CSAT and NPS-style figures overall, per staff member and per service.

    A review rates the whole tab: it counts once for each member who served a
    line on it and once for each service on it. ``period`` filters by when
    the review was last written."""
    wanted = [Review.merchant_id == uow.merchant]
    if period is not None:
        wanted += [Review.updated_at >= period.start, Review.updated_at < period.end]
    ratings = dict(uow.session.execute(select(Review.tab_id, Review.rating).where(*wanted)).all())
    by_staff: dict[str, dict[str, int]] = defaultdict(dict)
    by_service: dict[str, dict[str, int]] = defaultdict(dict)
    names: dict[str, str] = {}
    # The lines of the tabs reviewed (a voided line was rung up by mistake:
    # its service and person were not what the customer rated).
    lines = tabs.served_lines_of(uow, select(Review.tab_id).where(*wanted))
    # Keyed by tab: a member or service on two lines of one tab counts its review once.
    for tab_id, staff_id, service_id, name in lines:
        if staff_id:
            by_staff[staff_id][tab_id] = ratings[tab_id]
        by_service[service_id][tab_id] = ratings[tab_id]
        names.setdefault(service_id, name)
    # Those who left keep their name on the work they did.
    members = {m.staff_id: m.name for m in staff.list_members(uow, include_inactive=True)}
    return {
        "object": "satisfaction_report",
        "from": None if period is None else period.start.isoformat(),
        "to": None if period is None else period.end.isoformat(),
        "overall": _figures(satisfaction(ratings.values())),
        "staff": [
            {"staff_id": sid, "name": members.get(sid, sid), **_figures(satisfaction(r.values()))}
            for sid, r in sorted(by_staff.items(), key=lambda kv: (members.get(kv[0], ""), kv[0]))
        ],
        "services": [
            {"service_id": sid, "name": names[sid], **_figures(satisfaction(r.values()))}
            for sid, r in sorted(by_service.items(), key=lambda kv: (names[kv[0]], kv[0]))
        ],
    }
