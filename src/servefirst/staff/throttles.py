"""The sign-in counts (``staff_sign_in_throttles``): the SQL, the locks and the
dialect difference behind one use: count a try before its password is checked.

A try's rows are made if missing (``INSERT ... ON CONFLICT DO NOTHING``, on
both engines), then locked in key order (``FOR UPDATE`` on PostgreSQL; on
SQLite the writing unit of work already holds the write lock from its
``BEGIN IMMEDIATE``), decided by ``rules.count_try`` and written back, all in
one short transaction the caller commits before any Argon2 work. Two tries
of one key therefore never both read the same count.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from servefirst.db.uow import UnitOfWork
from servefirst.staff.models import NO_MERCHANT, SignInThrottle
from servefirst.staff.rules import (
    SignInThrottled,
    ThrottleKey,
    Tries,
    count_try,
    give_back,
    refusal,
)

_THROTTLES = cast(Table, SignInThrottle.__table__)
_MAKE = {
    dialect: insert_for(_THROTTLES).on_conflict_do_nothing(
        index_elements=[_THROTTLES.c.merchant_id, _THROTTLES.c.key]
    )
    for dialect, insert_for in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}


def _locked(uow: UnitOfWork, keys: list[ThrottleKey], now: datetime) -> dict[str, Tries]:
    """The keys' counts, made if missing, locked until the transaction ends."""
    names = sorted(k.key for k in keys)
    uow.connection.execute(
        _MAKE[uow.dialect],
        [
            {
                "merchant_id": NO_MERCHANT,
                "key": name,
                "tries": 0,
                "window_ends": now,
                "lockouts": 0,
                "locked_until": None,
            }
            for name in names
        ],
    )
    query = (
        select(_THROTTLES)
        .where(_THROTTLES.c.merchant_id == NO_MERCHANT, _THROTTLES.c.key.in_(names))
        .order_by(_THROTTLES.c.key)
    )
    if uow.locks_rows:
        query = query.with_for_update()
    return {
        row.key: Tries(row.tries, row.window_ends, row.lockouts, row.locked_until)
        for row in uow.connection.execute(query)
    }


def _save(uow: UnitOfWork, key: str, tries: Tries) -> None:
    uow.connection.execute(
        update(_THROTTLES)
        .where(_THROTTLES.c.merchant_id == NO_MERCHANT, _THROTTLES.c.key == key)
        .values(
            tries=tries.count,
            window_ends=tries.window_ends,
            lockouts=tries.lockouts,
            locked_until=tries.locked_until,
        )
    )


def count(uow: UnitOfWork, keys: list[ThrottleKey]) -> SignInThrottled | None:
    """Count one try against every key, or refuse it (counted against none).

    Returns the refusal rather than raising it: a refusal that starts a
    lockout changed a row, and the caller commits that too.
    """
    now = uow.clock.now()
    current = _locked(uow, keys, now)
    decided = {k.key: count_try(current[k.key], k.limit, now) for k in keys}
    refused = [(until, k) for k in keys if (until := decided[k.key][1]) is not None]
    if refused:
        for _until, key in refused:
            if decided[key.key][0] != current[key.key]:
                _save(uow, key.key, decided[key.key][0])
        longest, key = max(refused, key=lambda r: r[0])
        return refusal(key.kind, longest, now)
    for name, decision in decided.items():
        _save(uow, name, decision[0])
    return None


def give_back_try(uow: UnitOfWork, keys: list[ThrottleKey]) -> None:
    """The try succeeded: it leaves every count it was counted against."""
    now = uow.clock.now()
    for name, tries in _locked(uow, keys, now).items():
        _save(uow, name, give_back(tries))
