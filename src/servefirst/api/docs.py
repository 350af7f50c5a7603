"""``/docs``: Swagger UI served from the package, not from a CDN.

FastAPI's own page loads Swagger UI from a CDN (blank offline) and starts it
with an inline script (refused by the Content-Security-Policy). This page
loads the vendored files in ``web/static/swagger-ui`` (see ``VENDORED.md``)
and starts them from a file. ReDoc is not offered: one browsable reference is
enough, and ReDoc would be another megabyte to vendor.
"""

from __future__ import annotations

from html import escape

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

SWAGGER_UI = "/static/swagger-ui"


def docs_page(title: str, openapi_url: str) -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{escape(title)}</title>
  <link rel="stylesheet" href="{SWAGGER_UI}/swagger-ui.css">
  <script src="{SWAGGER_UI}/swagger-ui-bundle.js" defer></script>
  <script src="{SWAGGER_UI}/init.js" defer></script>
</head>
<body>
  <div id="swagger-ui" data-openapi-url="{escape(openapi_url)}"></div>
</body>
</html>
"""


def install(app: FastAPI) -> None:
    """Serve ``/docs``; the app is made with ``docs_url=None, redoc_url=None``."""
    page = docs_page(f"{app.title} - API reference", app.openapi_url or "/openapi.json")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(page)
