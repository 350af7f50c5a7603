"""Whose forwarded headers uvicorn believes: only ``SERVEFIRST_TRUSTED_PROXIES``'.

(uvicorn's own default believes ``X-Forwarded-For`` from 127.0.0.1; the
server test ``test_sign_in_server`` shows the difference over HTTP.)
"""

from __future__ import annotations

import pytest

from servefirst.config import Settings
from servefirst.server.serving import uvicorn_options

URL = "sqlite:///servefirst.db"


def test_by_default_no_proxy_is_trusted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SERVEFIRST_TRUSTED_PROXIES", raising=False)
    options = uvicorn_options(Settings(database_url=URL))
    assert options["proxy_headers"] is False
    assert options["forwarded_allow_ips"] == ""


def test_listed_proxies_are_the_only_ones_trusted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVEFIRST_TRUSTED_PROXIES", " 10.0.0.5, 192.168.1.0/24 ,")
    settings = Settings(database_url=URL)
    assert settings.trusted_proxy_list == ["10.0.0.5", "192.168.1.0/24"]
    options = uvicorn_options(settings)
    assert options["proxy_headers"] is True
    assert options["forwarded_allow_ips"] == "10.0.0.5,192.168.1.0/24"
    unlisted = Settings(database_url=URL, trusted_proxies="")
    assert uvicorn_options(unlisted)["proxy_headers"] is False
