"""Alembic environment: the engine comes from servefirst (or the URL env var)."""

from __future__ import annotations

import os

from alembic import context

from servefirst.db.engine import make_engine, writing
from servefirst.db.models import Base

target_metadata = Base.metadata
config = context.config


def run() -> None:
    engine = config.attributes.get("engine")
    owned = engine is None
    if engine is None:
        engine = make_engine(os.environ.get("SERVEFIRST_DATABASE_URL", "sqlite:///servefirst.db"))
    # A write connection: on SQLite, BEGIN IMMEDIATE, so two servers starting
    # at once migrate one after the other.
    with writing(engine).connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
    if owned:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("servefirst migrations run online only")
run()
