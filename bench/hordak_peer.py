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
from typing import Any

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
    """Make bench/.venv-hordak (once) and install the pinned django-hordak into
    it: pip is run every time, so a changed pin reaches an existing venv (when
    everything is installed already it only checks, in a second or two)."""
    if not hordak_ready():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run(
        [str(PYTHON), "-m", "pip", "install", "-q", "-r", str(HERE / "hordak/requirements.txt")],
        check=True,
    )


class HordakTransfers:
    """django-hordak's clients in their own process (bench/hordak/transfers.py):
    set up once, then timed a round at a time when asked (``round``)."""

    def __init__(self, db: Database, clients: int, *, history: int = HISTORY_PER_CLIENT) -> None:
        url = db.libpq.set(drivername="postgresql").render_as_string(hide_password=False)
        self._process = subprocess.Popen(
            [
                str(PYTHON),
                str(HERE / "hordak" / "transfers.py"),
                "--database",
                url,
                "--clients",
                str(clients),
                "--history",
                str(history),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        ready = self._answer()
        if not ready.get("ready"):
            self.close()
            raise RuntimeError(f"django-hordak did not get ready: {ready}")
        #: What was measured (pinned in bench/hordak/requirements.txt).
        self.versions: dict[str, str] = ready.get("versions", {})

    def _answer(self) -> dict[str, Any]:
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            stderr = self._process.stderr.read() if self._process.stderr else ""
            raise RuntimeError(f"django-hordak run failed:\n{stderr[-3000:]}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def round(self, seconds: float) -> Rate:
        assert self._process.stdin is not None
        self._process.stdin.write(f"run {seconds}\n")
        self._process.stdin.flush()
        result = self._answer()
        if result["errors"] and not result["transfers"]:
            raise RuntimeError(f"every hordak transfer failed; first: {result['first_error']}")
        return Rate(result["transfers"], result["seconds"], result["errors"], result["first_error"])

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()  # end of input: the process ends
        try:
            self._process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
