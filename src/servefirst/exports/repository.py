"""The account mapping's SQL."""

from __future__ import annotations

from sqlalchemy import delete, insert, select

from servefirst.db.uow import UnitOfWork
from servefirst.exports.models import AccountMappingRow


def mapping(uow: UnitOfWork) -> dict[str, dict[str, str]]:
    """``{"account": {ours: theirs}, "tax_rate": {ours: theirs}}``."""
    found: dict[str, dict[str, str]] = {"account": {}, "tax_rate": {}}
    rows = uow.session.execute(
        select(AccountMappingRow.kind, AccountMappingRow.source, AccountMappingRow.target)
        .where(AccountMappingRow.merchant_id == uow.merchant)
        .order_by(AccountMappingRow.kind, AccountMappingRow.source)
    )
    for kind, source, target in rows:
        found.setdefault(kind, {})[source] = target
    return found


def replace_mapping(uow: UnitOfWork, accounts: dict[str, str], tax_rates: dict[str, str]) -> None:
    """The whole mapping at once: what is not named is no longer mapped."""
    session = uow.session
    session.execute(delete(AccountMappingRow).where(AccountMappingRow.merchant_id == uow.merchant))
    rows = [
        {"merchant_id": uow.merchant, "kind": kind, "source": source, "target": target}
        for kind, pairs in (("account", accounts), ("tax_rate", tax_rates))
        for source, target in pairs.items()
    ]
    if rows:
        session.execute(insert(AccountMappingRow), rows)
    session.flush()
