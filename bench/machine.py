"""What the figures were taken on: enough to compare two RESULTS.md files."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
import time
from pathlib import Path

#: The fixed piece of pure Python that ``python_speed`` times.
SPEED_ADDS = 5_000_000


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def load_average() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def python_speed() -> str:
    """How fast this machine runs Python right now: the best of three timings
    of five million additions in a loop. This machine's speed drifts by more than
    two times between sessions (and within one), and servefirst's figures
    follow Python's speed; the engine's figures (tpcb-like) follow C's. Taken
    at the start and the end of a run, it says which phase a run met."""
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        total = 0
        for i in range(SPEED_ADDS):
            total += i
        best = min(best, time.perf_counter() - began)
    return f"{best * 1000:.0f} ms for {SPEED_ADDS:,} additions in a loop (best of 3)"


def postgres_version(pg_url: str) -> str:
    from sqlalchemy import create_engine, text

    from servefirst.db.engine import normalize_url

    try:
        engine = create_engine(normalize_url(pg_url))
        with engine.connect() as conn:
            version = str(conn.execute(text("SHOW server_version")).scalar_one())
            sync = str(conn.execute(text("SHOW synchronous_commit")).scalar_one())
        engine.dispose()
        return f"{version} (synchronous_commit={sync})"
    except Exception:  # noqa: BLE001
        return "not reachable"


def pgbench_version() -> str:
    try:
        out = subprocess.run(["pgbench", "--version"], capture_output=True, text=True, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "not installed"


def describe(pg_url: str) -> dict[str, str]:
    return {
        "CPU": f"{_cpu_model()} ({os.cpu_count()} cores)",
        "memory": _memory_gib(),
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        "PostgreSQL": postgres_version(pg_url),
        "pgbench": pgbench_version(),
        "load average at start (1/5/15 min)": load_average(),
        "Python speed at start": python_speed(),
    }
