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
    #: The largest request body accepted, in bytes: no form or JSON object the
    #: product takes comes near 1 MiB, and a larger one is refused (413) before
    #: it is read, so a stream of big bodies cannot fill the server's memory.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1)
    #: Origins (``https://shop.example``) whose pages may call the API from a
    #: browser, comma-separated; none by default, so other sites' pages cannot.
    cors_origins: str = ""

    @property
    def cors_origin_list(self) -> list[str]:
        return [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]


def load_settings() -> Settings:
    return Settings()
