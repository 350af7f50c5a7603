"""A page's last line of defence: a value the database refuses, as a page.

Every page form refuses what no page keeps before anything is read or written
(``kit.typed.refuse_nul``), beside its field. Should a value still reach the
database and be refused there (``DataError``: a NUL character, a number out of
range) under a page's address, the reader gets a page in their language saying
nothing was changed, never the API's JSON. The API (``/v1/...``) keeps its
contract's answer (``api.errors``).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy.exc import DataError

from servefirst.api import errors
from servefirst.kit.i18n import N_
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
        name = "staff/problem.html" if path.startswith(CONSOLE_PREFIX) else "problem.html"
        return templates.TemplateResponse(request, name, REFUSED_VALUE, status_code=422)
