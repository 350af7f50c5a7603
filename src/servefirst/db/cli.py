"""``servefirst backup``: a copy of the database to keep somewhere else."""

from __future__ import annotations

from pathlib import Path

import click

from servefirst.config import load_settings
from servefirst.db.backup import BackupRefused, back_up


@click.command()
@click.argument("to", type=click.Path(dir_okay=False, path_type=Path))
def backup(to: Path) -> None:
    """Copy the SQLite database to the new file TO, safely while `servefirst serve`
    runs. PostgreSQL: use pg_dump.

    To restore, stop the server and put the copy in the database's place (or
    point SERVEFIRST_DATABASE_URL at it); `servefirst serve` brings an older
    copy's schema up to date before it serves.
    """
    try:
        made = back_up(load_settings().database_url, to)
    except BackupRefused as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"Backed up {made.source} to {made.path}: {_size(made.size)}, "
        f"schema {made.revision or 'not set up'}, integrity checked."
    )


def _size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KiB"
    return f"{size / (1024 * 1024):.1f} MiB"
