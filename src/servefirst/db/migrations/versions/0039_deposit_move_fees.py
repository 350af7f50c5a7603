"""bookings.deposit_move_fee: what late moves kept of a booking's deposit;
disputes.fee_lost: of a lost deposit dispute, the fees' part;
disputes.deposit_returned: what it gave back of a deposit still held

A booking moved inside its cancellation window keeps the late-cancellation fee
from its deposit, and the rest follows it to its new time. Until now only the
rest was kept on the booking (``deposit_amount`` came down by the fee), so
once the booking ended its deposit said nothing of the fee a move had kept:
a dispute of a captured deposit then booked only the last fee as lost, though
the bank takes back the whole charge the merchant still held. Bookings moved
before this revision keep 0: their move fees are in the ledger
(``deposit_forfeit`` entries named "late move"), not on the booking.

A deposit moved late and then applied to its tab held two things when its
dispute was lost: the move's fee (revenue) and the tab's bill. The dispute
keeps what of its loss was fees (``fee_lost``), so the tab's bill (earnings,
loyalty) follows only its own part. Disputes lost before keep 0.

A deposit whose refund the processor refused (``charge_disputed``: the bank
had opened a dispute of the charge first) stays in ``deposits_held``, owed to
the customer. Lost, the bank gave it to them: the dispute keeps what it took
out of ``deposits_held`` (``deposit_returned``), no revenue lost, so Stripe's
won afterwards can put it back.

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-05 16:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0039"
down_revision: str | None = "0038"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ALTER with a default: no rebuild on SQLite.
    op.add_column(
        "bookings",
        sa.Column("deposit_move_fee", sa.BigInteger(), server_default="0", nullable=False),
    )
    op.add_column(
        "disputes",
        sa.Column("fee_lost", sa.BigInteger(), server_default="0", nullable=False),
    )
    op.add_column(
        "disputes",
        sa.Column("deposit_returned", sa.BigInteger(), server_default="0", nullable=False),
    )


def downgrade() -> None:
    # Plain drops, as the columns were added: no constraint names them, and a
    # batch rebuild of bookings would keep checks that older downgrades drop.
    op.drop_column("disputes", "deposit_returned")
    op.drop_column("disputes", "fee_lost")
    op.drop_column("bookings", "deposit_move_fee")
