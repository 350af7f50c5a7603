"""One HTTP attempt of a webhook delivery, signed, with the address checked."""

from __future__ import annotations

import http.client
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from servefirst.webhooks import rules
from servefirst.webhooks.service import Outgoing


@dataclass(frozen=True)
class Attempt:
    status_code: int | None
    error: str | None


def send(
    out: Outgoing, *, timestamp: int, allow_private: bool, timeout: float = rules.TIMEOUT_SECONDS
) -> Attempt:
    parts = urlsplit(out.url)
    host = parts.hostname or ""
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    try:
        address = _checked_address(host, port, allow_private)
    except (OSError, ValueError) as exc:
        return Attempt(None, str(exc))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "servefirst-webhooks",
        "webhook-id": out.msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": rules.signature_header(out.secrets, out.msg_id, timestamp, out.body),
    }
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    conn: http.client.HTTPConnection
    if https:
        # TLS checks the name, so it connects by name (the checked address
        # was resolved a moment ago: a rebinding window this small is accepted).
        conn = http.client.HTTPSConnection(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        # Plain HTTP connects to the very address that was checked.
        conn = http.client.HTTPConnection(address, port, timeout=timeout)
        headers["Host"] = parts.netloc.rsplit("@", 1)[-1]
    try:
        conn.request("POST", path, body=out.body.encode(), headers=headers)
        response = conn.getresponse()
        response.read(65536)
        return Attempt(response.status, None if 200 <= response.status < 300 else response.reason)
    except TimeoutError:
        return Attempt(None, f"no answer within {timeout:g} s")
    except (OSError, http.client.HTTPException) as exc:
        return Attempt(None, f"{type(exc).__name__}: {exc}")
    finally:
        conn.close()


def _checked_address(host: str, port: int, allow_private: bool) -> str:
    """The host's first address, refusing private, loopback and link-local
    ones (checked on every attempt: DNS may change after the URL was saved)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise OSError(f"{host} has no address")
    if not allow_private:
        refused = rules.refused_addresses(addresses)
        if refused:
            raise ValueError(f"{host} resolves to a private or local address ({refused[0]})")
    return addresses[0]
