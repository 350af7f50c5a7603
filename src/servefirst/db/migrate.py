"""Apply the Alembic migrations: the only source of the schema."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


if __name__ == "__main__":  # pragma: no cover - developer convenience
    from servefirst.db.engine import make_engine

    upgrade(make_engine(os.environ.get("SERVEFIRST_DATABASE_URL", "sqlite:///servefirst.db")))
