"""Whether a booking's step (or a tab's) still waits for the card processor's
answer, for the retry of a request that died between its phases
(``api.phased``): told to come back while it does, answered after."""

from __future__ import annotations

from servefirst.bookings import repository
from servefirst.db.uow import UnitOfWork


def booking_awaits_processor(uow: UnitOfWork, booking_id: str) -> bool:
    """A fee or a raise asked of the booking's card hold, or its deposit's
    refund, not answered yet (a check-in, a cancellation, a no-show, a move)."""
    return repository.awaits_processor(uow, booking_id)


def tab_awaits_processor(uow: UnitOfWork, tab_id: str) -> bool:
    """A raise of the tab's card hold (a line added), or the refund of a
    voided line's share of the deposit, not answered yet."""
    return repository.tab_awaits_processor(uow, tab_id)
