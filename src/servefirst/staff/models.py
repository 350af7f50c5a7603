"""Staff accounts, their signed-in sessions and the sign-in attempts log.

How a sign-in finds its merchant
--------------------------------
Staff sign in with an e-mail and a password, nothing else: that is what a
café owner expects, and a barista should not have to know a merchant id.
E-mails are unique *per merchant* (the same person may work at two shops), so
the sign-in is the one place that looks accounts up without a merchant in hand:
an indexed, read-only query by e-mail (``ix_staff_accounts_email``). On a
sharded database (Citus) that query fans out to every shard, which is fine for
something as rare as a sign-in; no global routing table is needed, and every
table still keeps ``merchant_id`` first in its key. If one e-mail and password
open accounts at several merchants, the page asks which business.

Everything after the sign-in is routed: the session cookie carries the
merchant id in front of its secret (``mer_xxx.<secret>``), exactly like an API
key or a tab token (see ``kit/ids.py``), so each request reads one shard.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from servefirst.db.base import Base, UTCDateTime


class StaffAccount(Base):
    """Someone who works the counter (``staff``) or runs the business (``owner``)."""

    __tablename__ = "staff_accounts"
    __table_args__ = (
        ForeignKeyConstraint(["merchant_id"], ["merchants.merchant_id"]),
        UniqueConstraint("merchant_id", "email"),
        # The sign-in lookup (see the module docstring): not unique, on purpose.
        Index("ix_staff_accounts_email", "email"),
    )

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    staff_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    email: Mapped[str] = mapped_column(
        String(320), doc="Lower-cased; unique within the merchant, not across merchants."
    )
    name: Mapped[str] = mapped_column(String(200), doc="Shown on the console and on tab lines.")
    password_hash: Mapped[str] = mapped_column(
        String(255), doc="Argon2id hash in PHC form (parameters and salt inside)."
    )
    role: Mapped[str] = mapped_column(String(40), doc="The job title, free text ('barista').")
    access: Mapped[str] = mapped_column(
        String(16),
        default="staff",
        server_default="staff",
        doc="'staff', 'manager' or 'owner': what the console allows.",
    )
    language: Mapped[str | None] = mapped_column(
        String(8), nullable=True, doc="The console's language; null: the merchant's."
    )
    active: Mapped[bool] = mapped_column(
        Boolean,
        default=True,
        server_default=true(),
        doc="The member's ``active``, kept here too so a sign-in and each console"
        " request refuse someone who left without reading a second row.",
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StaffMember(Base):
    """A person who serves customers and is paid for it: the name on tab lines,
    the commission rate and the reviews that follow them.

    Whoever signs in to the console is a member too, under the same
    ``staff_id`` (``create_staff`` makes both); a member who never signs in
    (a stylist paid on commission) has no :class:`StaffAccount`, hence no
    e-mail and no password.
    """

    __tablename__ = "staff_members"
    __table_args__ = (
        ForeignKeyConstraint(["merchant_id"], ["merchants.merchant_id"]),
        CheckConstraint(
            "commission_bps >= 0 AND commission_bps <= 10000", name="commission_in_range"
        ),
    )

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    staff_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(40), doc="The job title, free text ('stylist').")
    access: Mapped[str] = mapped_column(
        String(16),
        default="staff",
        server_default="staff",
        doc="'staff', 'manager' or 'owner' (see ``Access``).",
    )
    commission_bps: Mapped[int] = mapped_column(
        Integer, doc="Commission on what was paid for their lines, in basis points (1000 = 10%)."
    )
    active: Mapped[bool] = mapped_column(
        Boolean,
        default=True,
        server_default=true(),
        doc="False once they left the business: no sign-in, no new bookings or lines,"
        " off the current team; their past lines, bookings and earnings stay theirs.",
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StaffSession(Base):
    """One signed-in browser. Only a SHA-256 of the cookie's secret is kept,
    so a copy of this table signs nobody in."""

    __tablename__ = "staff_sessions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["merchant_id", "staff_id"], ["staff_accounts.merchant_id", "staff_accounts.staff_id"]
        ),
        Index("ix_staff_sessions_expires", "merchant_id", "expires_at"),
    )

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    session_hash: Mapped[str] = mapped_column(
        String(64), primary_key=True, doc="sha256 hex of the whole cookie value."
    )
    staff_id: Mapped[str] = mapped_column(String(40))
    csrf_secret: Mapped[str] = mapped_column(
        String(64), doc="Put in every form of this session; a POST without it is refused."
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(
        UTCDateTime, doc="Absolute end of the session (a shift, not forever)."
    )


#: The ``merchant_id`` of attempts whose e-mail matched no account. Such
#: attempts belong to no merchant, yet must still count against the e-mail and
#: the client address; they live in this one bucket.
NO_MERCHANT = "-"


class SignInAttempt(Base):
    """Every sign-in try whose password was checked (a wrong current password
    on the password page too: ``password_change``): the audit trail, and how
    an address or a browser becomes known to an account (its successes here)."""

    __tablename__ = "staff_sign_in_attempts"
    __table_args__ = (
        Index("ix_staff_sign_in_attempts_email", "email_hash", "created_at"),
        Index("ix_staff_sign_in_attempts_ip", "client_ip", "created_at"),
    )

    merchant_id: Mapped[str] = mapped_column(
        String(16),
        primary_key=True,
        doc=f"The account's merchant, or '{NO_MERCHANT}' when the e-mail matched none.",
    )
    attempt_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    email_hash: Mapped[str] = mapped_column(
        String(64), doc="sha256 of the lower-cased e-mail: mistyped addresses are not kept."
    )
    client_ip: Mapped[str] = mapped_column(
        String(64), doc="The address uvicorn gave (a proxy's forwarded one only if trusted)."
    )
    succeeded: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    device_hash: Mapped[str | None] = mapped_column(
        String(64),
        nullable=True,
        doc="sha256 of the browser's known-device cookie, on a success; None before 0008.",
    )


class SignInThrottle(Base):
    """One count of sign-in tries (an e-mail's, an address's, or an account's
    from one known browser or address), kept in the database so the limit holds
    across server processes.

    A try takes this row's lock, is counted and committed *before* its
    password is checked (``staff.service.sign_in``): tries arriving together
    each see the ones before them, so at most the limit of them are checked.
    All rows live in the ``NO_MERCHANT`` bucket: a try is counted before
    anyone knows which merchant, if any, the e-mail belongs to.
    """

    __tablename__ = "staff_sign_in_throttles"

    merchant_id: Mapped[str] = mapped_column(
        String(16), primary_key=True, doc=f"Always '{NO_MERCHANT}'."
    )
    key: Mapped[str] = mapped_column(
        String(160),
        primary_key=True,
        doc="'email:<sha256>', 'address:<ip>' or 'known:<sha256>:<ip or device hash>'.",
    )
    tries: Mapped[int] = mapped_column(
        Integer, doc="Tries in the current window: failed, or still being checked."
    )
    window_ends: Mapped[datetime] = mapped_column(UTCDateTime)
    lockouts: Mapped[int] = mapped_column(
        Integer, doc="Lockouts in a row: each one lasts twice as long as the one before."
    )
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
