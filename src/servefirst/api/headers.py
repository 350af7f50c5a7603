"""The headers every answer carries (``api.middleware`` adds them): a
Content-Security-Policy, no framing, no sniffing, no referrer, and
``Cache-Control: no-store`` on everything but static files."""

from __future__ import annotations

#: Scripts, styles, images and calls only from this server; no plugins, no
#: framing, forms posted only here. No 'unsafe-inline': an injected <script>
#: or event handler does not run (htmx's own inline indicator style is turned
#: off by the pages' htmx-config, its eval-based features by allowEval).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def policy_allowing(origin: str) -> str:
    """The policy above, letting ``origin`` (Stripe.js's) run its script, make
    its calls and show its frames (3-D Secure): for the customer's page of a
    merchant on Stripe only, which sends it itself."""
    extra = {"script-src": origin, "connect-src": origin, "frame-src": origin}
    parts = []
    for part in CONTENT_SECURITY_POLICY.split("; "):
        name = part.split()[0]
        parts.append(f"{part} {extra.pop(name)}" if name in extra else part)
    parts.extend(f"{name} {origin}" for name, origin in extra.items())
    return "; ".join(parts)


SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    # A tab's token is in its address: it must never leave in a Referer.
    (b"referrer-policy", b"no-referrer"),
)
NO_STORE = (b"cache-control", b"no-store")
#: Files the same for everyone (scripts, styles, Swagger UI): may be cached.
CACHEABLE_PREFIXES = ("/static/",)


def headers_for(path: str) -> dict[str, str]:
    """The headers above for an answer to ``path``, for an answer that does not
    pass through ``api.middleware``: Starlette sends a crash's 500 from its
    outermost layer, after the exception has gone past ours."""
    extra = (
        SECURITY_HEADERS if path.startswith(CACHEABLE_PREFIXES) else (*SECURITY_HEADERS, NO_STORE)
    )
    return {name.decode(): value.decode() for name, value in extra}
