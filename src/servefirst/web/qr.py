"""QR codes for a tab's customer link, drawn locally as SVG (no outside service)."""

from __future__ import annotations

import io

import segno

#: Medium error correction survives a creased printout or a scratched screen.
ERROR_LEVEL = "m"


def customer_url(public_url: str, token: str) -> str:
    """The address a customer opens: the page of their tab."""
    return f"{public_url.rstrip('/')}/t/{token}"


def qr_svg(data: str, *, title: str = "") -> bytes:
    """A standalone SVG document of a QR code that encodes ``data``.

    Sized by ``viewBox`` (scale 1, unitless) so the page decides how large it
    is drawn; black on an explicit white quiet zone so it scans on any theme.
    """
    code = segno.make(data, error=ERROR_LEVEL, micro=False)
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        scale=1,
        border=4,
        dark="#000",
        light="#fff",
        title=title or None,
        omitsize=True,
        svgclass="qr",
        lineclass=None,
    )
    return out.getvalue()
