"""PostgreSQL's own limit: ``pgbench`` with its built-in tpcb-like script."""

from __future__ import annotations

import os
import re
import resource
import subprocess

from bench.databases import Database
from bench.workers import CpuUse, Rate, machine_busy_seconds

TPS = re.compile(r"^tps = ([0-9.]+)", re.MULTILINE)
PROCESSED = re.compile(r"number of transactions actually processed: (\d+)")


def _args_and_env(db: Database) -> tuple[list[str], dict[str, str]]:
    url = db.libpq
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    args = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432)]
    if url.username:
        args += ["-U", url.username]
    return args, env


def tpcb_like_rate(db: Database, clients: int, seconds: float, *, scale: int = 1) -> Rate:
    """``pgbench -i -s scale`` then ``pgbench -c clients -j 2 -T seconds -b tpcb-like``."""
    args, env = _args_and_env(db)
    subprocess.run(
        ["pgbench", "-i", "-q", "-s", str(scale), *args, db.name],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    busy, client = machine_busy_seconds(), _children_cpu()
    run = subprocess.run(
        [
            "pgbench",
            "-c",
            str(clients),
            "-j",
            str(min(2, clients)),
            "-T",
            str(max(1, round(seconds))),
            "-b",
            "tpcb-like",
            *args,
            db.name,
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    cpu = CpuUse(machine_busy_seconds() - busy, _children_cpu() - client)
    tps = TPS.search(run.stdout)
    done = PROCESSED.search(run.stdout)
    if tps is None or done is None:
        raise RuntimeError(f"pgbench printed no tps:\n{run.stdout}\n{run.stderr}")
    rate = float(tps.group(1))
    return Rate(int(done.group(1)), int(done.group(1)) / rate if rate else 0.0, cpu=cpu)


def _children_cpu() -> float:
    """CPU seconds of this process's finished children (pgbench, once it exits)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime
