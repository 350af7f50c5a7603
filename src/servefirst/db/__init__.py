"""The database adapter: engine, unit of work, Alembic migrations."""
