"""What a running servefirst holds: settings, the database engine, the clock
and the payment gateways. Built once per process (server, CLI, test, bench)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from servefirst.config import Settings, load_settings
from servefirst.db.engine import make_engine
from servefirst.db.uow import UnitOfWork, bind_for
from servefirst.kit.clock import Clock, SystemClock
from servefirst.payments.gateways import Gateways, default_gateways
from servefirst.payments.sandbox_charges import ChargesInTable


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    clock: Clock = field(default_factory=SystemClock)
    gateways: Gateways = field(default_factory=default_gateways)

    @classmethod
    def create(cls, settings: Settings | None = None, *, clock: Clock | None = None) -> Runtime:
        settings = settings or load_settings()
        engine = make_engine(settings.database_url, settings)
        # The sandbox keeps its charges in its own table, to be asked after a crash.
        gateways = default_gateways(
            ChargesInTable(engine),
            latency_seconds=settings.sandbox_latency_ms / 1000,
            secret_key=settings.secret_key,
            stripe_api_base=settings.stripe_api_base,
        )
        return cls(settings, engine, clock or SystemClock(), gateways)

    @classmethod
    def ready(cls, settings: Settings | None = None) -> Runtime:
        """A runtime ready for work, as the server and every command start:
        the database migrated, and the merchants' sealed processor keys
        openable with this server's key (else a clear refusal now, not a
        failed payment later)."""
        from servefirst.payments.accounts import ensure_keys_can_open

        runtime = cls.create(settings)
        runtime.migrate()
        ensure_keys_can_open(runtime.engine, runtime.settings.secret_key)
        return runtime

    def uow(self, merchant_id: str | None = None, *, write: bool = True) -> UnitOfWork:
        """A unit of work; ``write=False`` for reads (no write lock on SQLite)."""
        return UnitOfWork(
            None, self.clock, self.gateways, merchant_id, bind=bind_for(self.engine, write=write)
        )

    def migrate(self) -> None:
        from servefirst.db.migrate import upgrade

        upgrade(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()
