"""Running the web server: one process, or one per core sharing the port.

With ``--workers N`` each worker binds the port itself with ``SO_REUSEPORT`` and
the kernel spreads new connections across them. uvicorn's own ``workers=N``
shares one listening socket instead, and whichever worker wakes first accepts
every connection waiting: eight keep-alive connections opened together (a
reverse proxy's, a till's, a load test's) all landed on one worker while the
other idled. The kernel's
hash is uneven too, more often than not for a few connections; a worker over
its share closes one now and then so they even out (``connection_shares``).

On SQLite the workers also share one writer turn, a process-shared lock made
here and handed to each (``db.engine.share_writer_turn``): left to SQLite's
busy handler, writers of two workers polled for the lock and the p99 reached
seconds.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from starlette.types import ASGIApp

from servefirst.config import Settings
from servefirst.server.connection_shares import ConnectionShares, ShedOverShare

UVICORN_OPTIONS: dict[str, Any] = {"log_level": "warning", "access_log": False}


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's settings for a server on ``settings.database_url``: which
    event loop and HTTP parser, the listen backlog, and whose forwarded
    headers to believe.

    ``settings.trusted_proxies``: uvicorn's own default believes
    ``X-Forwarded-For`` from 127.0.0.1, so anything on the machine could claim
    any client address; here only listed proxies are.

    On SQLite every API request runs to completion on the loop
    (``api.context.runs_inline``), a few milliseconds of work each. Python's
    own asyncio loop then serves the connections in the order their requests
    came in; uvloop does not: some requests wait out two rounds of the others,
    straight into the p99 (``bench/README.md``, "HTTP on SQLite"). On
    PostgreSQL the work runs in worker threads and the loop only parses and
    answers, where uvloop is the faster: there uvicorn picks it ("auto")
    unless ``settings.pg_event_loop`` says otherwise.
    """
    from servefirst.db.engine import is_sqlite_url

    loop = "asyncio" if is_sqlite_url(settings.database_url) else settings.pg_event_loop
    trusted_proxies = settings.trusted_proxy_list
    return {
        **UVICORN_OPTIONS,
        "loop": loop,
        "http": settings.http_parser,
        "backlog": settings.listen_backlog,
        "proxy_headers": bool(trusted_proxies),
        "forwarded_allow_ips": ",".join(trusted_proxies),
    }


def shares_ports() -> bool:
    return hasattr(socket, "SO_REUSEPORT")


def listening_socket(
    host: str, port: int, *, shared: bool = True, backlog: int = 2048
) -> socket.socket:
    """A socket listening on ``host:port``; ``shared``: other workers may bind it too."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if shared:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
        sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    return sock


def _exit_with(parent: int) -> None:
    """Stop this worker (gracefully, as SIGTERM does) once its parent is gone:
    a parent killed with SIGKILL must not leave workers serving on the port."""
    while os.getppid() == parent:
        time.sleep(1)
    os.kill(os.getpid(), signal.SIGTERM)


def _worker(
    host: str,
    port: int,
    parent: int,
    writer_turn: Any,
    options: dict[str, Any],
    shares: ConnectionShares,
    index: int,
    make_app: Callable[[], ASGIApp],
) -> None:
    import uvicorn

    from servefirst.db.engine import share_writer_turn

    # On SQLite the workers' writers queue on one lock (db/engine.py).
    share_writer_turn(writer_turn)
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    sock = listening_socket(host, port, backlog=options["backlog"])
    server: uvicorn.Server | None = None

    def open_connections() -> int:
        """uvicorn's own count: the connections this worker holds open now."""
        return len(server.server_state.connections) if server is not None else 0

    app = make_app()
    settings = Settings()
    if settings.even_out_connections:
        app = ShedOverShare(
            app, shares, index, open_connections, every=settings.connection_shed_every_seconds
        )
        shares.keep_counted(index, open_connections, every=settings.connection_count_every_seconds)
    server = uvicorn.Server(uvicorn.Config(app, **options))
    server.run(sockets=[sock])


def run_workers(
    host: str,
    port: int,
    workers: int,
    options: dict[str, Any],
    make_app: Callable[[], ASGIApp],
) -> int:
    """Start ``workers`` processes on ``host:port`` and wait for them.

    SIGINT or SIGTERM stops them all (each finishes its requests in flight);
    if one dies, the others are stopped too and its exit code is returned, so a
    process manager sees the failure and restarts the whole server.
    """
    if not shares_ports():  # no SO_REUSEPORT (Windows): uvicorn shares one socket
        import uvicorn

        # uvicorn's own workers import the factory by name in each process.
        factory = f"{make_app.__module__}:{make_app.__qualname__}"
        uvicorn.run(factory, factory=True, workers=workers, host=host, port=port, **options)
        return 0
    # A first bind here, not shared: a port already taken fails now with one
    # clear error, even when what holds it is another server sharing its port
    # (a second servefirst would otherwise silently split the connections).
    listening_socket(host, port, shared=False).close()
    spawn = multiprocessing.get_context("spawn")
    writer_turn = spawn.Lock()
    shares = ConnectionShares(workers)
    processes = [
        spawn.Process(
            target=_worker,
            args=(host, port, os.getpid(), writer_turn, options, shares, index, make_app),
        )
        for index in range(workers)
    ]
    stopping = False

    def stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for process in processes:
            process.start()
        while not stopping and all(p.is_alive() for p in processes):
            time.sleep(0.2)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn shuts down gracefully
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
                process.join()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if stopping:
        return 0
    failed = [p.exitcode for p in processes if p.exitcode]
    print(
        f"a servefirst worker exited ({failed[0] if failed else 0}); stopped the others",
        file=sys.stderr,
    )
    return failed[0] if failed else 1
