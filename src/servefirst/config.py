"""All configuration in one settings object, read from the environment.

Every tuning number lives here, each with the one-line reason it has the
value it has; the measurements behind them are in ``bench/README.md`` and the
commit messages. Each is a setting (``SERVEFIRST_<NAME>``), so a paired
benchmark run can try the server with and without a piece of its tuning.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

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
    #: The server's own secret: merchants' processor keys are sealed with a key
    #: derived from it (``kit/sealed.py``). Unset, no merchant may use Stripe,
    #: and the server refuses to start if one already does.
    secret_key: str | None = None
    #: Where the Stripe library sends its calls; unset, Stripe itself. The
    #: tests point it at a local fake Stripe.
    stripe_api_base: str | None = None
    #: Where the customer's page loads Stripe.js from (the CSP allows it).
    stripe_js_url: str = "https://js.stripe.com/v3/"

    @property
    def cors_origin_list(self) -> list[str]:
        return [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]

    # --- The database engine (db/engine.py) ---

    #: Milliseconds a SQLite writer waits for the write lock before giving up:
    #: long enough for any request's transaction ahead of it, so it never fails
    #: under load, and bounded so a mistake cannot hang a thread.
    sqlite_busy_timeout_ms: int = Field(default=30_000, gt=0)
    #: Pooled connections kept open per process: a worker's write turns and
    #: reads in flight at once, with room to spare.
    db_pool_size: int = Field(default=10, ge=1)
    #: Connections opened beyond the pool under a burst; pool plus overflow
    #: stays above ``max_concurrent_writes`` so a lock holder finds one.
    db_max_overflow: int = Field(default=20, ge=0)
    #: Seconds after which a pooled PostgreSQL connection is replaced, before a
    #: server or proxy idle timeout cuts it (cheaper than a ping per unit of work).
    pg_pool_recycle_seconds: int = Field(default=1_800, gt=0)

    # --- Requests (api/) ---

    #: Seconds a checked API key is remembered in a process: how late a revoked
    #: key stops working, against a database read on every request.
    api_key_cache_seconds: float = Field(default=30.0, ge=0)
    #: API keys remembered at most per process before the cache starts afresh:
    #: bounds its memory against a flood of distinct keys.
    api_key_cache_size: int = Field(default=10_000, ge=1)
    #: Answers over this many bytes are compressed for clients that accept gzip:
    #: a smaller one fits a packet or two anyway, and compressing it only costs CPU.
    gzip_minimum_bytes: int = Field(default=1024, ge=0)
    #: zlib's level for those answers (its own default): most of level 9's
    #: saving for much less CPU.
    gzip_level: int = Field(default=6, ge=1, le=9)

    #: Rows an export reads a fetch while it streams (legs, tax movements): a
    #: year's journal never sits in memory, and a fetch's round trip is shared
    #: by enough rows not to show.
    export_batch_rows: int = Field(default=2000, ge=1)

    # --- The server's tuning (servefirst.server), read at start-up ---

    #: Write requests whose database work runs at once in one server process
    #: (two: one request's Python runs while the other waits for the database,
    #: the rest queue in order). 0, no turns: paired runs no longer showed them
    #: earning their place (bench/README.md); ``max_concurrent_writes`` still applies.
    write_turns: int = Field(default=0, ge=0)
    #: Seconds a request keeps its write turn before the next in line may go
    #: too: a request that waits on another transaction's lock must not hold
    #: every other merchant's requests in its process behind it.
    write_turn_patience_seconds: float = Field(default=0.05, gt=0)
    #: Write requests that may run at once in a process, turns given back
    #: included: kept below the thread pool (40) and ``db_pool_size`` plus
    #: ``db_max_overflow`` (30), so the request holding a database lock always
    #: finds a thread and a connection to finish with.
    max_concurrent_writes: int = Field(default=20, ge=1)
    #: Seconds a thread may keep the GIL while another waits (CPython's default
    #: is 0.005): a writer holding a lock wins the GIL back sooner after each
    #: statement. 0 leaves CPython's default.
    gil_switch_interval_seconds: float = Field(default=0.0005, ge=0)
    #: Freeze what start-up made (``gc.freeze``), so the collector's full passes
    #: do not walk the app's objects again: that pause lands in the p99.
    freeze_startup_objects: bool = True
    #: With ``--workers N``, a worker holding more than its share of keep-alive
    #: connections asks one now and then to reconnect, so the kernel's uneven
    #: hash of a few long-lived connections evens out.
    even_out_connections: bool = True
    #: The least seconds between two connections one worker asks to close: a
    #: client reconnects and the split evens out in a second or two, gently.
    connection_shed_every_seconds: float = Field(default=0.1, gt=0)
    #: How often a worker writes its count of open connections where the others
    #: read it: often enough that a worker busy answering is still seen.
    connection_count_every_seconds: float = Field(default=0.05, gt=0)
    #: uvicorn's listen backlog (its own default): connections the kernel holds
    #: for a worker busy answering.
    listen_backlog: int = Field(default=2048, ge=1)
    #: The event loop on PostgreSQL: "auto" (uvloop where installed) or
    #: "asyncio". SQLite always uses asyncio: its requests run to completion on
    #: the loop, and asyncio serves ready connections in the order they came.
    pg_event_loop: Literal["auto", "asyncio"] = "auto"
    #: uvicorn's HTTP parser: "auto" (httptools, in C, where installed) or "h11".
    http_parser: Literal["auto", "h11"] = "auto"
    #: Addresses (or networks) of reverse proxies whose ``X-Forwarded-For`` and
    #: ``X-Forwarded-Proto`` are believed, comma-separated; none by default, so
    #: the client address (which the sign-in throttle counts) is the socket's.
    #: Anyone who can reach the server directly could otherwise claim any address.
    trusted_proxies: str = ""

    @property
    def trusted_proxy_list(self) -> list[str]:
        return [p.strip() for p in self.trusted_proxies.split(",") if p.strip()]

    # --- Payments (payments/) ---

    #: Milliseconds each sandbox charge takes, to stand in for a real processor's
    #: round trip: 0 for tests and the demo; the benchmark sets it.
    sandbox_latency_ms: int = Field(default=0, ge=0)
    #: Seconds a card payment attempt may stay pending before recovery asks
    #: the processor what became of it: longer than any processor call can
    #: take (``payments.stripe_calls.longest_call_seconds``), so recovery
    #: never races a request that is still waiting on one.
    payment_recovery_grace_seconds: float = Field(default=120.0, ge=0)
    #: Seconds between two recovery rounds in a running server: an attempt a
    #: crash left pending blocks its tab's payments, so it is finished soon.
    payment_recovery_every_seconds: float = Field(default=60.0, gt=0)

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
    #: Seconds a busy delivery worker pauses between rounds: new events and
    #: due rows gather meanwhile and are planned and claimed a batch per
    #: transaction, and a server the worker runs in gets the processor back for
    #: its requests. Adds at most this much to a receipt's wait.
    worker_round_pause_seconds: float = 0.1
    #: Seconds between two looks for served tabs whose overdue day has come
    #: (the dunning schedule's end): a day's schedule needs no finer grain.
    worker_overdue_check_seconds: float = 60.0
    #: Sends in flight at once per kind (e-mail, webhooks): a slow endpoint
    #: holds one of them, never the others.
    worker_senders: int = 4
    #: Seconds a claimed message or webhook is left to the worker that claimed
    #: it before another may send it again (a killed worker's): longer than any
    #: send takes (the webhook timeout is 15 s), so a live worker's is never doubled.
    worker_lease_seconds: float = 60.0
    #: Events of one merchant a delivery worker plans in one transaction: a
    #: backlog (a worker back after a stop) goes in a few short writes, none
    #: holding the writer's turn for long.
    worker_plan_batch: int = 200
    #: Due rows of one recipient claimed at once and sent one after another by
    #: one sender: a busy recipient's backlog goes with one claim per run, not
    #: one per message.
    worker_run: int = 20


def load_settings() -> Settings:
    return Settings()
