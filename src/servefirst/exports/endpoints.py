"""The accountant's exports over HTTP, and the merchant's account mapping.

A file is checked in the request's unit of work (a bad period is a 422 before
anything is sent) and then streamed from a read-only unit of work of its own,
a batch of legs at a time: a year's journal never sits in the server's memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Literal, NamedTuple

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import ConfigDict, Field

from servefirst.api.context import MerchantUoW, runtime_of
from servefirst.api.fields import Body, Out
from servefirst.api.routing import ServefirstRoute
from servefirst.exports import service as exports
from servefirst.exports.service import ExportPlan, Format
from servefirst.runtime import Runtime

router = APIRouter(route_class=ServefirstRoute)

From = Annotated[
    dt.date, Query(alias="from", description="The first day, in the merchant's zone (included).")
]
To = Annotated[
    dt.date, Query(alias="to", description="The last day, in the merchant's zone (included).")
]

_CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "The file (RFC 4180, UTF-8)."}
}


def stream(runtime: Runtime, plan: ExportPlan) -> StreamingResponse:
    """The planned file as a download, written as it is read."""

    def chunks() -> Iterator[bytes]:
        with runtime.uow(plan.merchant_id, write=False) as reader:
            batch = runtime.settings.export_batch_rows
            for chunk in exports.write_export(reader, plan, batch=batch):
                yield chunk.encode("utf-8")

    return StreamingResponse(
        chunks(),
        media_type=plan.media_type,
        headers={"Content-Disposition": f'attachment; filename="{plan.filename}"'},
    )


class Download(NamedTuple):
    """One file the accountant downloads for a period: where, in which format,
    and what the schema says of it."""

    path: str
    #: The operation id, which generated clients name their method after.
    operation: str
    format: Format
    summary: str
    responses: dict[int | str, dict[str, Any]] = _CSV


#: Every export, in the order the schema lists them: one row a format.
DOWNLOADS = (
    Download(
        "/v1/exports/journal.csv",
        "export_journal",
        Format.JOURNAL,
        "The journal of a period as CSV: one row per leg, amounts in major units",
    ),
    Download(
        "/v1/exports/journal.beancount",
        "export_beancount",
        Format.BEANCOUNT,
        "The journal of a period as a Beancount file, with balance assertions",
        {200: {"content": {"text/plain": {}}, "description": "The Beancount file."}},
    ),
    Download(
        "/v1/exports/quickbooks.csv",
        "export_quickbooks",
        Format.QUICKBOOKS,
        "The journal as QuickBooks Online's journal-entry import (mapped account codes)",
    ),
    Download(
        "/v1/exports/xero.csv",
        "export_xero",
        Format.XERO,
        "The journal as Xero's manual-journal import (mapped account codes)",
    ),
    Download(
        "/v1/exports/xero-daily.csv",
        "export_xero_daily",
        Format.XERO_DAILY,
        "Xero's manual-journal import, one journal a day of each account's net movement",
    ),
    Download(
        "/v1/exports/z-reports.csv",
        "export_z_reports",
        Format.ZREPORTS,
        "The Z reports of the period's closed days as CSV",
    ),
)


def _endpoint(fmt: Format) -> Callable[..., StreamingResponse]:
    def export(request: Request, uow: MerchantUoW, start: From, end: To) -> StreamingResponse:
        # No docstring: FastAPI would publish it as every export's description.
        plan = exports.plan_export(uow, fmt.value, start, end)
        return stream(runtime_of(request), plan)

    return export


for download in DOWNLOADS:
    router.add_api_route(
        download.path,
        _endpoint(download.format),
        methods=["GET"],
        name=download.operation,
        tags=["reports"],
        summary=download.summary,
        response_class=StreamingResponse,
        responses=download.responses,
    )


class AccountMappingIn(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "accounts": {"cash": "1000", "revenue": "4000", "tips_payable": "2150"},
                    "tax_rates": {"none": "No VAT"},
                }
            ]
        }
    )

    accounts: dict[str, str] = Field(
        default_factory=dict,
        description="Our account code -> the code (or name, for QuickBooks) in the merchant's "
        "chart of accounts. Accounts left out export under our code.",
    )
    tax_rates: dict[str, str] = Field(
        default_factory=dict,
        description="Our tax rate -> the accountant's tax type; 'none' names the rate of a line "
        "without tax (Xero asks for one on every line; default 'Tax Exempt').",
    )


class AccountMappingOut(Out):
    object: Literal["account_mapping"] = "account_mapping"
    accounts: dict[str, str]
    tax_rates: dict[str, str]


@router.get(
    "/v1/merchant/account-mapping",
    tags=["merchant"],
    response_model=AccountMappingOut,
    summary="What the merchant's accountant calls each servefirst account",
)
def get_account_mapping(uow: MerchantUoW) -> AccountMappingOut:
    found = exports.get_account_mapping(uow)
    return AccountMappingOut(accounts=found.accounts, tax_rates=found.tax_rates)


@router.post(
    "/v1/merchant/account-mapping",
    tags=["merchant"],
    response_model=AccountMappingOut,
    summary="Set the whole account mapping (an unknown servefirst account is a 422)",
)
def set_account_mapping(body: AccountMappingIn, uow: MerchantUoW) -> AccountMappingOut:
    kept = exports.set_account_mapping(uow, dict(body.accounts), dict(body.tax_rates))
    return AccountMappingOut(accounts=kept.accounts, tax_rates=kept.tax_rates)
