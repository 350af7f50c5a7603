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
    #: Where e-mail goes: ``smtp://user:password@host:port?starttls=1``. Unset,
    #: messages wait (pending) until it is set; none is lost.
    smtp_url: str | None = None
    #: The sender when a merchant has set none of its own
    #: (``policy.messages.sender``); the merchant's name is its display name.
    mail_from: str = "no-reply@servefirst.localhost"
    #: Let webhook endpoints be loopback or private addresses (development, tests).
    webhooks_allow_private: bool = False
    #: Run the delivery worker inside the web server (``servefirst serve`` sets
    #: it unless ``--no-worker``): one process is enough for a small business.
    deliver_in_process: bool = False
    #: Seconds an idle delivery worker waits before looking for work again:
    #: the receipt's latency floor, against a few cheap reads a second.
    worker_poll_seconds: float = 0.2
    #: Sends in flight at once per kind (e-mail, webhooks): a slow endpoint
    #: holds one of them, never the others.
    worker_senders: int = 4
    #: Seconds a claimed message or webhook is left to the worker that claimed
    #: it before another may send it again (a killed worker's): longer than any
    #: send takes (the webhook timeout is 15 s), so a live worker's is never doubled.
    worker_lease_seconds: float = 60.0


def load_settings() -> Settings:
    return Settings()
