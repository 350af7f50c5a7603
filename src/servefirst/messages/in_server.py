"""The delivery worker inside ``servefirst serve``: a thread beside the app
while it runs, unless the server is started ``--no-worker``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from servefirst.kit.beside import in_a_thread
from servefirst.messages.worker import Worker
from servefirst.runtime import Runtime


def lifespan(runtime: Runtime) -> Callable[[Any], Any]:
    """The app's lifespan: the worker in a thread of the server while it runs,
    if ``settings.deliver_in_process`` (``servefirst serve`` without ``--no-worker``)."""
    return in_a_thread(
        lambda stop: Worker(runtime).run(stop),
        "servefirst-worker",
        when=runtime.settings.deliver_in_process,
    )
