"""The scope a repository works in: one merchant's open transaction.

The unit of work (``db/uow.py``) hands out the repositories and is what they
work through; they are typed against this protocol, not against the unit of
work, so a repository depends on what it uses (a session, a connection, the
merchant, the dialect) and the unit of work that holds the repositories is
not imported back by them. Fakes for service tests satisfy it the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

    from servefirst.kit.clock import Clock


class TransactionScope(Protocol):
    """One merchant's transaction, as a repository sees it."""

    clock: Clock
    #: The engine's dialect name: ``sqlite`` or ``postgresql``.
    dialect: str

    @property
    def session(self) -> Session:
        """The ORM session of the transaction."""
        ...

    @property
    def connection(self) -> Connection:
        """The transaction's connection, for plain SQL (Core, no ORM)."""
        ...

    @property
    def merchant(self) -> str:
        """The merchant every row read or written belongs to."""
        ...

    @property
    def locks_rows(self) -> bool:
        """Whether rows must be locked (``FOR UPDATE``) to be changed safely."""
        ...

    def flush(self) -> None:
        """Write the session's pending changes, so plain SQL sent next sees them."""
        ...
