"""A page's last line of defence: what goes wrong under a page's address is
said with a page, never the API's JSON.

Every page form refuses what no page keeps before anything is read or written
(``kit.typed.refuse_nul``), beside its field. Should a value still reach the
database and be refused there (``DataError``: a NUL character, a number out of
range) under a page's address, the reader gets a page in their language saying
nothing was changed, never the API's JSON. The same for an address no page
has (a mistyped link) and for a form's address opened as a page (a refused
form is shown at its own address: Enter in the address bar asks for it again
with GET). The API (``/v1/...``) keeps its contract's answer (``api.errors``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from servefirst.api import errors
from servefirst.kit import i18n
from servefirst.kit.i18n import N_
from servefirst.staff.web import member_language
from servefirst.web.templating import templates

log = logging.getLogger("servefirst")

#: The API's addresses: everything else the app answers is a page.
API_PREFIX = "/v1/"
#: The console's pages, said in its own layout.
CONSOLE_PREFIX = "/staff"
#: What the page says (translated by the template).
REFUSED_VALUE = {
    "title": N_("Not possible"),
    "message": N_(
        "Something sent with this page cannot be kept (for example a NUL character). "
        "Nothing was changed: go back, check what was typed and send it again."
    ),
}

#: What a page says for an address no page answers (404) or one that only
#: takes a form (405), by status.
NO_SUCH_PAGE = {
    404: {
        "title": N_("Page not found"),
        "message": N_("There is no page at this address. Check the link, or start again."),
    },
    405: {
        "title": N_("Nothing to show here"),
        "message": N_(
            "This address only takes a form sent from its page. Go back to the page "
            "and send the form from there."
        ),
    },
}
#: The API's own pages, which answer as the API does.
_API_PAGES = ("/docs", "/redoc", "/openapi.json")


def is_api(path: str) -> bool:
    return path.startswith(API_PREFIX) or path == API_PREFIX.rstrip("/")


def install(app: FastAPI) -> None:
    """After ``api.errors.install``, in its place for a ``DataError``: the
    API's answer stays the API's; pages get one of their own."""

    @app.exception_handler(DataError)
    async def _refused_value(request: Request, exc: DataError) -> Response:
        path = request.url.path
        if is_api(path):
            return errors.refused_value(exc)
        log.info("database refused a value on a page: %s", exc.orig)
        return _page(request, REFUSED_VALUE, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _no_such_page(request: Request, exc: StarletteHTTPException) -> Response:
        path = request.url.path
        words = NO_SUCH_PAGE.get(exc.status_code)
        if words is None or is_api(path) or path.startswith(_API_PAGES):
            return await errors.http_error(request, exc)
        return _page(request, words, status_code=exc.status_code, headers=exc.headers)


def _page(
    request: Request,
    words: dict[str, str],
    *,
    status_code: int,
    headers: Mapping[str, str] | None = None,
) -> Response:
    name = "problem.html"
    if request.url.path.startswith(CONSOLE_PREFIX):
        name = "staff/problem.html"
        # Said as the console says everything to a member signed in: in their
        # language, not the browser's.
        chosen = member_language(request)
        if chosen is not None:
            i18n.set_language(chosen)
    return templates.TemplateResponse(
        request, name, words, status_code=status_code, headers=headers
    )
