"""The customer's tab as a QR code (``/t/{token}/qr.svg``) and a page to show
or print it (``/t/{token}/qr``): the tab's link, for a phone to scan."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from servefirst.kit.errors import NotFound
from servefirst.web.customer_reads import PAGE_HEADERS, not_found, read_tab, runtime_of
from servefirst.web.qr import customer_url, qr_svg
from servefirst.web.templating import templates

router = APIRouter(include_in_schema=False)


def _link(request: Request, token: str) -> str:
    return customer_url(runtime_of(request).settings.public_url, token)


@router.get("/t/{token}/qr.svg")
def qr_image(request: Request, token: str) -> Response:
    try:
        tab = read_tab(request, token)
    except NotFound:
        return not_found(request)
    svg = qr_svg(_link(request, token), title=f"Tab {tab.short_code} at {tab.merchant_name}")
    return Response(svg, media_type="image/svg+xml", headers=PAGE_HEADERS)


@router.get("/t/{token}/qr", response_class=HTMLResponse)
def qr_page(request: Request, token: str) -> Response:
    try:
        tab = read_tab(request, token)
    except NotFound:
        return not_found(request)
    return templates.TemplateResponse(
        request,
        "customer/qr.html",
        {"token": token, "tab": tab, "customer_url": _link(request, token)},
        headers=PAGE_HEADERS,
    )
