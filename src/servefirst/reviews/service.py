"""Leaving a review of a tab."""

from __future__ import annotations

from servefirst.db.uow import UnitOfWork
from servefirst.events.service import emit
from servefirst.kit.errors import Conflict, InvalidRequest
from servefirst.kit.ids import new_id
from servefirst.reviews.models import Review
from servefirst.tabs.models import Tab
from servefirst.tabs.rules import CLOSED, TabStatus
from servefirst.tabs.service import tab_for_token


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
