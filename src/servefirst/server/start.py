"""What a server process does at start-up: build the app and give it the
server's write gate, tune the process, and serve (``servefirst serve``/``demo``,
and each ``--workers N`` process)."""

from __future__ import annotations

import os

from fastapi import FastAPI

from servefirst.app import create_app
from servefirst.config import Settings, load_settings
from servefirst.runtime import Runtime
from servefirst.server import turns
from servefirst.server.process import tune_process
from servefirst.server.serving import listening_socket, run_workers, uvicorn_options


class PortTaken(Exception):
    """The address to serve on cannot be listened on."""

    def __init__(self, host: str, port: int, reason: str) -> None:
        super().__init__(
            f"cannot listen on {host}:{port}: {reason}. Another server may be using it;"
            f" stop it, or choose another port with --port (for example --port {port + 1})."
        )


def check_port(host: str, port: int) -> None:
    """Raise ``PortTaken`` unless this process could listen on ``host:port`` now:
    called before anything is written, so a taken port costs nothing."""
    try:
        listening_socket(host, port, shared=False).close()
    except OSError as exc:
        raise PortTaken(host, port, exc.strerror or str(exc)) from exc


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
        except OSError as exc:  # the port is taken, or the host is not ours
            raise PortTaken(host, port, exc.strerror or str(exc)) from exc
    app = configure_app(create_app(runtime), settings)
    tune_process(settings)
    uvicorn.run(app, host=host, port=port, **options)
    return 0


__all__ = ["PortTaken", "check_port", "configure_app", "serve", "worker_app"]
