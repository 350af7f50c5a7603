"""Standard Webhooks signatures (checked by the reference library), retries,
and which addresses a webhook may reach."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook

from servefirst.kit.errors import InvalidRequest
from servefirst.webhooks import rules


def test_a_signature_verifies_with_the_standard_webhooks_library() -> None:
    secret = rules.new_secret()
    body = '{"type":"payment.succeeded"}'
    now = int(time.time())
    headers = {
        "webhook-id": "evt_1",
        "webhook-timestamp": str(now),
        "webhook-signature": rules.signature_header([secret], "evt_1", now, body),
    }
    assert Webhook(secret).verify(body, headers) == {"type": "payment.succeeded"}
    with pytest.raises(Exception):  # noqa: B017 - the library's own error type
        Webhook(rules.new_secret()).verify(body, headers)


def test_during_a_rotation_both_secrets_sign() -> None:
    old, new = rules.new_secret(), rules.new_secret()
    now = int(time.time())
    header = rules.signature_header([new, old], "evt_2", now, "{}")
    assert len(header.split(" ")) == 2
    for secret in (old, new):
        Webhook(secret).verify(
            "{}",
            {"webhook-id": "evt_2", "webhook-timestamp": str(now), "webhook-signature": header},
        )


def test_retries_follow_the_schedule_then_stop() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    waits = [rules.retry_at(n, now) for n in range(1, 9)]
    assert [w - now for w in waits[:7]] == [  # type: ignore[operator]
        timedelta(seconds=5),
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=5),
        timedelta(hours=10),
        timedelta(hours=10),
    ]
    assert waits[7] is None


def test_gone_and_five_days_of_failure_disable() -> None:
    now = datetime(2026, 1, 10, tzinfo=UTC)
    assert rules.disables(410) and not rules.disables(500)
    assert rules.failing_too_long(now - timedelta(days=5), now)
    assert not rules.failing_too_long(now - timedelta(days=4, hours=23), now)
    assert not rules.failing_too_long(None, now)


def test_events_an_endpoint_subscribed_to() -> None:
    assert rules.subscribed(["*"], "tab.paid")
    assert rules.subscribed(["tab.paid"], "tab.paid")
    assert not rules.subscribed(["payment.succeeded"], "tab.paid")


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",
        "0.0.0.0",
        "100.64.0.1",
    ],
)
def test_private_loopback_and_link_local_addresses_are_refused(address: str) -> None:
    assert rules.forbidden_address(address)


def test_public_addresses_are_allowed() -> None:
    assert rules.refused_addresses(["93.184.216.34", "2606:2800:220:1::1"]) == []


def test_urls_must_be_http_and_not_local_unless_allowed() -> None:
    assert rules.check_url("https://hooks.example.com/x") == "https://hooks.example.com/x"
    for url in ("ftp://example.com", "https://", "http://example.com:port/", "http://localhost/"):
        with pytest.raises(InvalidRequest):
            rules.check_url(url)
    assert rules.check_url("http://127.0.0.1:8080/", allow_private=True)


@pytest.mark.parametrize(
    "url", ["http://2130706433/x", "http://0x7f.1/x", "http://127.1/x", "http://0177.0.0.1/x"]
)
def test_a_loopback_address_written_short_is_refused_like_the_long_form(url: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        rules.check_url(url)
    assert refused.value.code == "url_not_public"
    assert rules.check_url(url, allow_private=True) == url


@pytest.mark.parametrize(
    "url", ["https://exa mple.com/x", "https://ex%20ample.com/x", "https://ex<a>.com/"]
)
def test_a_host_no_delivery_could_reach_is_refused_when_the_endpoint_is_saved(url: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        rules.check_url(url, allow_private=True)
    assert refused.value.param == "url"


@pytest.mark.parametrize(
    "url", ["https://hooks.example.com/in", "https://café.pt/hook", "https://[2001:db8::1]/h"]
)
def test_public_names_and_addresses_are_kept_as_written(url: str) -> None:
    assert rules.check_url(url, allow_private=True) == url


def _emitted_event_types() -> set[str]:
    """The literal type of every ``emit(uow, "type", ...)`` in the code."""
    import ast
    from pathlib import Path

    import servefirst

    found: set[str] = set()
    for path in Path(servefirst.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) == "emit"
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
            ):
                found.add(node.args[1].value)
    return found


def test_the_event_types_an_endpoint_may_name_are_those_the_code_sends() -> None:
    emitted = _emitted_event_types()
    assert "payment.succeeded" in emitted and "booking.no_show" in emitted
    assert emitted == rules.EVENT_TYPES


def test_a_misspelt_event_type_is_refused_naming_it() -> None:
    with pytest.raises(InvalidRequest) as refused:
        rules.check_events(["payment.succeded", "tab.paid"])
    assert refused.value.param == "events" and refused.value.code == "unknown_event_type"
    assert "payment.succeded" in refused.value.message and "tab.paid" not in refused.value.message
    assert rules.check_events(["tab.paid", "*", "tab.paid"]) == ["*", "tab.paid"]
