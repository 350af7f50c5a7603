from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query
from sqlalchemy import select

from servefirst.api.context import MerchantUoW
from servefirst.api.fields import Out
from servefirst.api.routing import ServefirstRoute
from servefirst.ledger import service as ledger
from servefirst.ledger.models import JournalEntryRow, JournalLegRow
from servefirst.merchants.service import get_merchant

router = APIRouter(prefix="/v1/ledger", tags=["ledger"], route_class=ServefirstRoute)


class AccountOut(Out):
    code: str
    balance: int
    debits: int
    credits: int


class BalancesOut(Out):
    object: Literal["ledger_balances"] = "ledger_balances"
    currency: str
    accounts: list[AccountOut]
    total: int


class LegOut(Out):
    account: str
    side: Literal["debit", "credit"]
    amount: int


class EntryOut(Out):
    id: str
    kind: str
    memo: str
    tab_id: str | None
    currency: str
    created_at: str
    legs: list[LegOut]


class EntryList(Out):
    object: Literal["list"] = "list"
    data: list[EntryOut]


@router.get(
    "/balances",
    response_model=BalancesOut,
    summary="Every account's balance (debits minus credits); the total is always 0",
)
def get_balances(uow: MerchantUoW) -> BalancesOut:
    result = ledger.balances(uow, get_merchant(uow).currency)
    return BalancesOut(
        currency=result.currency,
        accounts=[
            AccountOut(code=a.account, balance=a.balance, debits=a.debits, credits=a.credits)
            for a in result.accounts.values()
        ],
        total=result.total,
    )


@router.get("/entries", response_model=EntryList, summary="Journal entries, newest first")
def list_entries(
    uow: MerchantUoW, tab_id: str | None = None, limit: int = Query(50, ge=1, le=500)
) -> EntryList:
    query = select(JournalEntryRow).where(JournalEntryRow.merchant_id == uow.merchant)
    if tab_id:
        query = query.where(JournalEntryRow.tab_id == tab_id)
    rows = list(
        uow.session.scalars(
            query.order_by(JournalEntryRow.created_at.desc(), JournalEntryRow.entry_id).limit(limit)
        )
    )
    legs: dict[str, list[LegOut]] = {r.entry_id: [] for r in rows}
    if rows:
        for leg in uow.session.scalars(
            select(JournalLegRow)
            .where(
                JournalLegRow.merchant_id == uow.merchant,
                JournalLegRow.entry_id.in_(list(legs)),
            )
            .order_by(JournalLegRow.entry_id, JournalLegRow.leg_no)
        ):
            legs[leg.entry_id].append(
                LegOut(
                    account=leg.account,
                    side=leg.side,  # type: ignore[arg-type]
                    amount=leg.amount,
                )
            )
    return EntryList(
        data=[
            EntryOut(
                id=r.entry_id,
                kind=r.kind,
                memo=r.memo,
                tab_id=r.tab_id,
                currency=r.currency,
                created_at=r.created_at.isoformat(),
                legs=legs[r.entry_id],
            )
            for r in rows
        ]
    )
