"""Webhook rules: which events an endpoint gets, signatures, retries, which
addresses may be called. Pure: no database, no network."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import re
import secrets
import socket
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from servefirst.kit.errors import InvalidRequest

#: Waits before each retry after a failed attempt (the Standard Webhooks
#: reference schedule): about 28 hours in all, then the delivery fails.
RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
#: An endpoint that answers nothing but failures this long is disabled.
DISABLE_AFTER = timedelta(days=5)
#: How long a rotated-out secret still signs (both signatures are sent).
ROTATION_OVERLAP = timedelta(hours=24)
TIMEOUT_SECONDS = 15.0
SECRET_PREFIX = "whsec_"
#: An endpoint's statuses: a deleted endpoint gets nothing more, and is kept
#: (with its delivery log) rather than removed.
ENABLED, DISABLED, DELETED = "enabled", "disabled", "deleted"


#: Every event type servefirst sends (each ``events.service.emit`` in the code;
#: tests/unit/test_webhook_rules.py keeps the two alike). An endpoint may
#: subscribe to these or to "*": a misspelt type would otherwise be saved and
#: never receive anything, with nothing to tell the integrator why.
EVENT_TYPES = frozenset(
    {
        "booking.cancelled",
        "booking.checked_in",
        "booking.created",
        "booking.deposit_refund_failed",
        "booking.no_show",
        "booking.rescheduled",
        "concern.approved",
        "concern.raised",
        "concern.rejected",
        "customer.created",
        "customer.merged",
        "customer.updated",
        "day.closed",
        "dispute.closed",
        "dispute.created",
        "dispute.lost",
        "dispute.won",
        "earnings_policy.updated",
        "guarantee_policy.updated",
        "loyalty.earned",
        "loyalty.given_back",
        "loyalty.reward_issued",
        "loyalty.reward_redeemed",
        "loyalty.reward_voided",
        "loyalty.taken_back",
        "merchant.deposit_policy_changed",
        "merchant.loyalty_program_changed",
        "merchant.referral_program_changed",
        "merchant.trust_policy_changed",
        "message_settings.updated",
        "payment.succeeded",
        "referral.capped",
        "refund.failed",
        "refund.succeeded",
        "review.created",
        "review.updated",
        "service.created",
        "service.updated",
        "tab.hold_insufficient",
        "tab.hold_raised",
        "tab.hold_released",
        "tab.invoiced",
        "tab.line_added",
        "tab.line_voided",
        "tab.opened",
        "tab.overdue",
        "tab.paid",
        "tab.served",
        "tab.terms_accepted",
        "tab.voided",
        "tab.written_off",
        "tax_rate.created",
        "webhook_endpoint.disabled",
    }
)


def check_events(events: Sequence[str]) -> list[str]:
    """The event types, sorted and once each, or a 422 on ``events`` naming
    the ones servefirst never sends."""
    unknown = sorted({e for e in events if e != "*" and e not in EVENT_TYPES})
    if unknown:
        raise InvalidRequest(
            f'servefirst sends no event named {", ".join(unknown)}; subscribe to "*" or to'
            " event types it sends (the README lists them).",
            code="unknown_event_type",
            param="events",
        )
    return sorted(set(events))


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def subscribed(events: Sequence[str], event_type: str) -> bool:
    return "*" in events or event_type in events


def sign(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    """``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``, keyed by the
    base64-decoded part of the secret after ``whsec_``."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(
    secrets_in_force: Iterable[str], msg_id: str, timestamp: int, body: str
) -> str:
    """One signature per secret, space-separated (two during a rotation)."""
    return " ".join(sign(s, msg_id, timestamp, body) for s in secrets_in_force)


def retry_at(attempts: int, now: datetime) -> datetime | None:
    """When to try again after ``attempts`` failed tries; None: give up."""
    if attempts > len(RETRY_DELAYS):
        return None
    return now + RETRY_DELAYS[attempts - 1]


def disables(status_code: int | None) -> bool:
    """410 Gone: the integrator says the endpoint is no more."""
    return status_code == 410


def succeeded(status_code: int | None) -> bool:
    return status_code is not None and 200 <= status_code < 300


def failing_too_long(failing_since: datetime | None, now: datetime) -> bool:
    return failing_since is not None and now - failing_since >= DISABLE_AFTER


def check_url(url: str, *, allow_private: bool = False) -> str:
    """An http(s) URL with a host, or a 422 naming ``url``. A host written as
    a private or local address is refused here already; names are resolved
    and checked again at every delivery."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidRequest("The URL must be http:// or https:// with a host.", param="url")
    if not _HOST.fullmatch(parts.hostname):
        # A space or a stray character: no delivery could ever reach it.
        raise InvalidRequest("The URL's host is not a valid name or address.", param="url")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        raise InvalidRequest("The URL's port is not a number.", param="url") from exc
    if not allow_private and _local_host(parts.hostname):
        raise InvalidRequest(
            "The URL points to a private or local address; webhooks go to public ones.",
            code="url_not_public",
            param="url",
        )
    return url


#: A host name (letters of any script, digits, dots, hyphens, underscores) or
#: an IPv6 address (urlsplit gives it without its brackets).
_HOST = re.compile(r"[\w.-]+|[0-9a-fA-F:.]+(%\w+)?")


def _local_host(host: str) -> bool:
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return True
    try:
        return forbidden_address(host)
    except ValueError:
        pass
    # The short forms of an IPv4 address resolvers still accept (2130706433,
    # 0x7f.1 and 127.1 are all 127.0.0.1): refused for the address they mean.
    # inet_aton only converts text; it asks no resolver.
    try:
        return forbidden_address(socket.inet_ntoa(socket.inet_aton(host)))
    except OSError:  # a name, not an address: checked when resolved
        return False


def forbidden_address(address: str) -> bool:
    """Private, loopback, link-local and the like: where a webhook must not
    reach unless the server allows it (server-side request forgery)."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def refused_addresses(addresses: Iterable[str]) -> list[str]:
    return [a for a in addresses if forbidden_address(a)]
