from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query

from servefirst.api.context import MerchantUoW
from servefirst.api.fields import Out
from servefirst.api.routing import ServefirstRoute
from servefirst.ledger import service as ledger
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
    return EntryList(
        data=[
            EntryOut(
                id=entry.entry_id,
                kind=entry.kind,
                memo=entry.memo,
                tab_id=entry.tab_id,
                currency=entry.currency,
                created_at=entry.created_at.isoformat(),
                legs=[
                    LegOut(account=leg.account, side=leg.side, amount=leg.amount)  # type: ignore[arg-type]
                    for leg in legs
                ],
            )
            for entry, legs in ledger.journal(uow, tab_id=tab_id, limit=limit)
        ]
    )
