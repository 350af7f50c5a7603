"""All configuration in one settings object, read from the environment."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SERVEFIRST_", extra="ignore")

    #: SQLAlchemy URL; unset, a SQLite file in the current directory.
    database_url: str = Field(default_factory=lambda: f"sqlite:///{Path.cwd() / 'servefirst.db'}")
    #: The address customers' links are built on (the QR code points here).
    public_url: str = "http://127.0.0.1:8000"
    #: Seconds after which an idempotency key whose request never finished
    #: (a crashed worker) may be claimed again. Its work was never committed:
    #: the stored answer and the work commit together.
    idempotency_lock_seconds: int = 60
    #: Hours an idempotency key is remembered (Stripe keeps them 24 hours).
    idempotency_ttl_hours: int = 24
    #: Addresses (or networks) of reverse proxies whose ``X-Forwarded-For`` and
    #: ``X-Forwarded-Proto`` are believed, comma-separated; none by default, so
    #: the client address (which the sign-in throttle counts) is the socket's.
    #: Anyone who can reach the server directly could otherwise claim any address.
    trusted_proxies: str = ""

    @property
    def trusted_proxy_list(self) -> list[str]:
        return [p.strip() for p in self.trusted_proxies.split(",") if p.strip()]


def load_settings() -> Settings:
    return Settings()
