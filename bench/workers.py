"""A bounded, threaded load loop: N clients repeat one unit of work for a time."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CpuUse:
    """CPU seconds spent while the work ran: by the whole machine (every core,
    every process), and by the client (this process, or pgbench). What the
    machine spent besides is the database server's (and any noise)."""

    machine: float
    client: float

    @property
    def server(self) -> float:
        return max(self.machine - self.client, 0.0)


def machine_busy_seconds() -> float:
    """CPU seconds the machine has been busy since boot, summed over its cores:
    user, nice, system, irq and softirq from /proc/stat (Linux; 0.0 elsewhere,
    and the CPU figures then read 0)."""
    try:
        first = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq = (int(x) for x in first[1:8])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Rate:
    """How many units of work finished in how long (and the CPU they took)."""

    done: int
    seconds: float
    errors: int = 0
    first_error: str = ""
    cpu: CpuUse | None = None

    @property
    def per_second(self) -> float:
        return self.done / self.seconds if self.seconds > 0 else 0.0

    def cpu_ms_each(self) -> CpuUse | None:
        """The CPU one unit of work took, in milliseconds."""
        if self.cpu is None or not self.done:
            return None
        each = 1000 / self.done
        return CpuUse(self.cpu.machine * each, self.cpu.client * each)


def run_clients(
    clients: int,
    seconds: float,
    work: Callable[[int], None],
    *,
    max_units: int | None = None,
) -> Rate:
    """Run ``work(client_no)`` in ``clients`` threads until ``seconds`` pass
    (or ``max_units`` are done). Every loop is bounded in time and count."""
    lock = threading.Lock()
    counts = [0] * clients
    errors: list[str] = []
    start_line = threading.Barrier(clients + 1)
    deadline = 0.0
    total = [0]

    def client(no: int) -> None:
        start_line.wait()
        while time.perf_counter() < deadline:
            if max_units is not None:
                with lock:
                    if total[0] >= max_units:
                        return
                    total[0] += 1
            try:
                work(no)
            except Exception as exc:  # noqa: BLE001 - counted and shown, never hidden
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")
                continue
            counts[no] += 1

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    busy, own = machine_busy_seconds(), time.process_time()
    began = time.perf_counter()
    deadline = began + seconds
    start_line.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    cpu = CpuUse(machine_busy_seconds() - busy, time.process_time() - own)
    done = sum(counts)
    if errors and not done:
        raise RuntimeError(f"every unit of work failed; first: {errors[0]}")
    return Rate(done, elapsed, len(errors), errors[0] if errors else "", cpu)
