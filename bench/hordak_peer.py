"""The peer: django-hordak's transfer rate, run in its own venv.

django-hordak is not a servefirst dependency: it lives in bench/.venv-hordak,
made on first use from bench/hordak/requirements.txt (PyPI), so Django never
enters the project's environment.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.databases import Database
from bench.ledger_transfers import HISTORY_PER_CLIENT
from bench.workers import Rate

HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv-hordak"
PYTHON = VENV / "bin" / "python"


def hordak_ready() -> bool:
    if not PYTHON.exists():
        return False
    check = subprocess.run(
        [str(PYTHON), "-c", "import hordak, django, psycopg"], capture_output=True
    )
    return check.returncode == 0


def ensure_venv() -> None:
    """Make bench/.venv-hordak and install django-hordak into it (once)."""
    if hordak_ready():
        return
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run(
        [str(PYTHON), "-m", "pip", "install", "-q", "-r", str(HERE / "hordak/requirements.txt")],
        check=True,
    )


def hordak_transfer_rate(
    db: Database, clients: int, seconds: float, *, history: int = HISTORY_PER_CLIENT
) -> Rate:
    """Migrate hordak's schema on ``db`` (fresh), give each client's pair of
    accounts ``history`` transfers, analyse, and time its transfers."""
    url = db.libpq.set(drivername="postgresql").render_as_string(hide_password=False)
    run = subprocess.run(
        [
            str(PYTHON),
            str(HERE / "hordak" / "transfers.py"),
            "--database",
            url,
            "--clients",
            str(clients),
            "--seconds",
            str(seconds),
            "--history",
            str(history),
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 300,
    )
    if run.returncode != 0:
        raise RuntimeError(f"django-hordak run failed:\n{run.stderr[-3000:]}")
    result = json.loads(run.stdout.strip().splitlines()[-1])
    if result["errors"] and not result["transfers"]:
        raise RuntimeError(f"every hordak transfer failed; first: {result['first_error']}")
    return Rate(result["transfers"], result["seconds"], result["errors"], result["first_error"])
