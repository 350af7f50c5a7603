"""Where e-mail goes: the SMTP server named by ``SERVEFIRST_SMTP_URL``, read
once at start-up. Pure: no connection is made here (``transport`` does that)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    ssl: bool = False


def parse_smtp_url(url: str) -> SmtpTarget:
    """``smtp://user:password@host:port?starttls=1`` (or ``smtps://``)."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError(f"not an SMTP URL (smtp://host:port): {url!r}")
    query = parse_qs(parts.query)
    ssl = parts.scheme == "smtps"
    return SmtpTarget(
        host=parts.hostname,
        port=parts.port or (465 if ssl else 25),
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        starttls=query.get("starttls", ["0"])[0] in ("1", "true", "yes"),
        ssl=ssl,
    )
