"""What a server process does at start-up: build the app and give it the
server's write gate, tune the process, and serve (``servefirst serve``/``demo``,
and each ``--workers N`` process)."""

from __future__ import annotations

import errno
import os
import socket

from fastapi import FastAPI

from servefirst.app import create_app
from servefirst.config import Settings, load_settings
from servefirst.runtime import Runtime
from servefirst.server import turns
from servefirst.server.process import tune_process
from servefirst.server.serving import listening_socket, run_workers, uvicorn_options


class CannotListen(Exception):
    """The address to serve on cannot be listened on; the message says which
    part of it (``--host`` or ``--port``) and what to give instead."""


class PortTaken(CannotListen):
    """The port is in use (or not this user's to take)."""

    def __init__(self, host: str, port: int, reason: str) -> None:
        super().__init__(
            f"cannot listen on {host}:{port}: {reason}. Another server may be using it;"
            f" stop it, or choose another port with --port (for example --port {port + 1})."
        )


class HostUnusable(CannotListen):
    """``--host`` names nothing this machine can listen on."""

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(
            f"cannot serve on --host {host}: {reason}. Give a name or address of this"
            " machine: 127.0.0.1 (reached from this machine only) or 0.0.0.0 (from every"
            " network it is on)."
        )


#: A bind refused for its address, not its port: the address is not one of
#: this machine's (or of a kind it has no network for, or a link-local one
#: without its interface).
_NOT_OURS = {errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT, errno.EINVAL}


def refusal(host: str, port: int, exc: OSError | ValueError) -> CannotListen:
    """Why ``host:port`` cannot be listened on, blaming the part at fault: a
    name that does not resolve said to be a taken port sends people the wrong way."""
    if isinstance(exc, socket.gaierror):
        return HostUnusable(host, f"the name does not resolve ({exc.strerror or exc})")
    if isinstance(exc, ValueError):  # "cafe..azul": idna cannot even encode it
        return HostUnusable(host, "it is not a host name")
    if exc.errno in _NOT_OURS:
        return HostUnusable(host, f"it is not an address of this machine ({exc.strerror})")
    return PortTaken(host, port, exc.strerror or str(exc))


def check_port(host: str, port: int) -> None:
    """Raise ``CannotListen`` unless this process could listen on ``host:port``
    now: called before anything is written, so a wrong address costs nothing."""
    try:
        listening_socket(host, port, shared=False).close()
    except (OSError, ValueError) as exc:
        raise refusal(host, port, exc) from exc


def configure_app(app: FastAPI, settings: Settings) -> FastAPI:
    """The server's part of the app: its write gate."""
    turns.install(app, settings)
    return app


def worker_app() -> FastAPI:
    """The app for one of ``servefirst serve --workers N``'s processes: its own
    runtime (engine, pool) from the environment. The parent has migrated."""
    settings = load_settings()
    runtime = Runtime.create(settings)
    app = configure_app(create_app(runtime), settings)
    tune_process(settings)
    return app


def serve(runtime: Runtime, host: str, port: int, workers: int = 1) -> int:
    """Serve ``runtime``'s app on ``host:port`` until stopped; the exit code.
    ``runtime`` is migrated."""
    import uvicorn

    settings = runtime.settings
    options = uvicorn_options(settings)
    if workers > 1:
        # Each worker process builds its own runtime from the environment
        # (``worker_app``); the database is already migrated, here, once. The
        # settings the workers must share go there.
        os.environ["SERVEFIRST_DATABASE_URL"] = settings.database_url
        os.environ["SERVEFIRST_PUBLIC_URL"] = settings.public_url
        os.environ["SERVEFIRST_DELIVER_IN_PROCESS"] = str(int(settings.deliver_in_process))
        if settings.smtp_url:
            os.environ["SERVEFIRST_SMTP_URL"] = settings.smtp_url
        runtime.dispose()
        try:
            return run_workers(host, port, workers, options, worker_app)
        except (OSError, ValueError) as exc:  # the port is taken, or the host is not ours
            raise refusal(host, port, exc) from exc
    app = configure_app(create_app(runtime), settings)
    tune_process(settings)
    uvicorn.run(app, host=host, port=port, **options)
    return 0


__all__ = [
    "CannotListen",
    "HostUnusable",
    "PortTaken",
    "check_port",
    "configure_app",
    "serve",
    "worker_app",
]
