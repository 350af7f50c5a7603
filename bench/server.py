"""Running ``servefirst serve`` as a child process and watching its memory."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def servefirst_command() -> list[str]:
    script = Path(sys.executable).parent / "servefirst"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from servefirst.cli import main; main()"]


def peak_rss_kib(pid: int) -> int | None:
    """The process's high-water resident set (VmHWM), in KiB, from /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def descendants(pid: int) -> list[int]:
    """Every process under ``pid`` (uvicorn's workers, its multiprocessing helper)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # "pid (name) state ppid ...": the name may hold spaces and parentheses.
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    found: list[int] = []
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, p in parents.items() if p == parent]
        found += children
        frontier += children
    return found


def current_rss_kib(pid: int) -> int | None:
    try:
        import psutil

        return int(psutil.Process(pid).memory_info().rss // 1024)
    except Exception:  # noqa: BLE001 - psutil missing or the process gone
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except OSError:
            return None
    return None


class Server:
    """``servefirst serve`` on a free loopback port, on the given database."""

    def __init__(
        self,
        database_url: str,
        *,
        workers: int = 1,
        deliver: bool = False,
        env: dict[str, str] | None = None,
    ) -> None:
        self.workers = workers
        # The delivery worker runs only where it is measured (the messages
        # section): elsewhere it would take turns the figures do not count.
        self.deliver = deliver
        self.env = env or {}
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.database_url = database_url
        # The log outlives this call: it is closed in __exit__.
        self._log = tempfile.NamedTemporaryFile(  # noqa: SIM115
            prefix="bench_server_", suffix=".log", delete=False
        )
        self.process: subprocess.Popen[bytes] | None = None
        self._sampled_peak = 0
        self._stop_sampling = threading.Event()
        self._sampler: threading.Thread | None = None

    def __enter__(self) -> Server:
        env = {**os.environ, **self.env, "SERVEFIRST_DATABASE_URL": self.database_url}
        self.process = subprocess.Popen(
            [
                *servefirst_command(),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
                *([] if self.deliver else ["--no-worker"]),
            ],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"servefirst serve exited:\n{self.log()}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            log = self.log()  # read before __exit__ closes it
            self.__exit__(None, None, None)
            raise RuntimeError(f"servefirst serve did not answer /healthz in 60 s:\n{log}")
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()
        return self

    def _sample(self) -> None:
        # A fallback for systems without VmHWM; on Linux VmHWM is exact. It runs
        # in the load generator's process, so it stays cheap: the process tree
        # is walked once, not five times a second.
        pids = self.pids()
        while not self._stop_sampling.wait(0.2):
            found = [current_rss_kib(pid) for pid in pids]
            rss = sum(r for r in found if r)
            if rss:
                self._sampled_peak = max(self._sampled_peak, rss)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def pids(self) -> list[int]:
        """The server's process and, with ``--workers``, its worker processes."""
        return [self.pid, *descendants(self.pid)]

    def cpu_seconds(self) -> float:
        """The CPU the server's processes have used so far (user and system,
        from /proc): unlike a rate or a latency, hardly moved by other load on
        the machine, so paired runs compare it well."""
        total = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime (ticks)
        return total / os.sysconf("SC_CLK_TCK")

    def rss_kib(self) -> int | None:
        found = [current_rss_kib(pid) for pid in self.pids()]
        return sum(r for r in found if r) or None

    def peak_rss_kib(self) -> int | None:
        """Peak resident memory so far, summed over the server's processes (each
        one's own peak: an upper bound of the peak together); read before the
        server stops."""
        found = [peak_rss_kib(pid) for pid in self.pids()]
        return sum(r for r in found if r) or self._sampled_peak or None

    def log(self) -> str:
        self._log.flush()
        return Path(self._log.name).read_text(errors="replace")[-4000:]

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop_sampling.set()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        Path(self._log.name).unlink(missing_ok=True)
