"""Tax rates (``/v1/tax-rates``) and the tax report (``/v1/reports/tax``)."""

from __future__ import annotations

from fastapi import APIRouter

from servefirst.api.context import MerchantUoW
from servefirst.api.routing import ServefirstRoute
from servefirst.earnings.endpoints import From, To
from servefirst.earnings.period import period_of
from servefirst.merchants.service import get_merchant
from servefirst.taxes import service as taxes
from servefirst.taxes.schemas import TaxRateIn, TaxRateList, TaxRateOut, TaxReport

router = APIRouter(tags=["taxes"], route_class=ServefirstRoute)


@router.post(
    "/v1/tax-rates",
    status_code=201,
    response_model=TaxRateOut,
    summary="Add a tax rate (VAT/IVA, sales tax); a service is then charged at it",
    responses={409: {"description": "tax_rate_exists: a rate of that name exists"}},
)
def create_tax_rate(body: TaxRateIn, uow: MerchantUoW) -> TaxRateOut:
    return TaxRateOut.build(taxes.create_rate(uow, name=body.name, percent=body.percent))


@router.get("/v1/tax-rates", response_model=TaxRateList, summary="The merchant's tax rates")
def list_tax_rates(uow: MerchantUoW) -> TaxRateList:
    return TaxRateList(data=[TaxRateOut.build(r) for r in taxes.list_rates(uow)])


@router.get(
    "/v1/reports/tax",
    response_model=TaxReport,
    response_model_by_alias=True,
    tags=["reports"],
    summary="Net, tax and gross per tax rate for a period; equal to the ledger's tax payable",
)
def get_tax_report(uow: MerchantUoW, start: From = None, end: To = None) -> TaxReport:
    period = period_of(start, end, uow.clock.now())
    report = taxes.tax_report(uow, period.start, period.end, get_merchant(uow).currency)
    return TaxReport.model_validate(report)
