"""The server refits each merchant's no-show model on a schedule.

A daemon thread wakes every ``CHECK_EVERY`` and refits the merchants whose
model is older than a day (``service.refit_if_due``), one merchant per unit of
work. ``refit_all`` is the whole job, callable (and tested) without the thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI

from servefirst.merchants.service import all_merchant_ids
from servefirst.risk.service import REFIT_EVERY, refit_if_due
from servefirst.runtime import Runtime

log = logging.getLogger("servefirst.risk")

#: How often the thread looks for models due a refit; the first look waits as
#: long, so a starting server serves first.
CHECK_EVERY = timedelta(hours=1)


def refit_all(runtime: Runtime, every: timedelta = REFIT_EVERY) -> list[str]:
    """Refit every merchant whose model is due; returns the new versions."""
    with runtime.uow(write=False) as reader:
        merchants = all_merchant_ids(reader)
    fitted: list[str] = []
    for merchant_id in merchants:
        with runtime.uow(merchant_id) as uow:
            model = refit_if_due(uow, every)
            if model is not None:
                uow.commit()
                fitted.append(model.version)
    return fitted


class Refitter:
    def __init__(self, runtime: Runtime, interval: timedelta = CHECK_EVERY) -> None:
        self.runtime = runtime
        self.interval = interval
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="risk-refit", daemon=True)

    def _run(self) -> None:
        while not self.stopped.wait(self.interval.total_seconds()):
            try:
                refit_all(self.runtime)
            except Exception:  # noqa: BLE001 - a failed refit keeps the old model in force
                log.exception("refitting the no-show models failed")

    def start(self) -> Refitter:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)


@asynccontextmanager
async def refit_on_schedule(app: FastAPI) -> AsyncIterator[None]:
    """The app's lifespan part: the refit thread runs while the server does."""
    refitter = Refitter(app.state.runtime).start()
    try:
        yield
    finally:
        refitter.stop()
