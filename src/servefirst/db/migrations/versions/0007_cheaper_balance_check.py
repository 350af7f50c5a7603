"""the balance trigger checks each changed entry with one plain query

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 23:40:00
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(ENTRY_BALANCE_FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        earlier = importlib.import_module("servefirst.db.migrations.versions.0003_bookings")
        op.execute(earlier.ENTRY_BALANCE_FUNCTION)


# The same checks as 0003's function, which ran a UNION query on every leg
# (the entries the change touched) and then looped over them: the trigger
# fires once per leg at commit, so that was paid on every posting. Here an
# inserted leg checks its entry straight away, and the old entry is checked
# only when a leg left it (deleted, or moved to another entry): most of the
# trigger's cost on the peer benchmark's two-leg transfer goes (the figures are
# in bench/README.md and this migration's commit message).
ENTRY_BALANCE_FUNCTION = """
CREATE OR REPLACE FUNCTION journal_entry_must_balance() RETURNS trigger AS $$
DECLARE net bigint;
BEGIN
    IF TG_OP <> 'DELETE' THEN
        SELECT COALESCE(SUM(CASE WHEN side = 'debit' THEN amount ELSE -amount END), 0)
          INTO net FROM journal_legs
         WHERE merchant_id = NEW.merchant_id AND entry_id = NEW.entry_id;
        IF net <> 0 THEN
            RAISE EXCEPTION 'journal entry %/% does not balance (net %)',
                NEW.merchant_id, NEW.entry_id, net USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND (OLD.merchant_id, OLD.entry_id)
                                 IS DISTINCT FROM (NEW.merchant_id, NEW.entry_id)) THEN
        SELECT COALESCE(SUM(CASE WHEN side = 'debit' THEN amount ELSE -amount END), 0)
          INTO net FROM journal_legs
         WHERE merchant_id = OLD.merchant_id AND entry_id = OLD.entry_id;
        IF net <> 0 THEN
            RAISE EXCEPTION 'journal entry %/% does not balance (net %)',
                OLD.merchant_id, OLD.entry_id, net USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""
