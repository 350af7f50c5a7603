"""Interpreter settings for a server process, once its app is built.

Process-wide, so set by the server (``servefirst serve``/``demo`` and each
worker), never on import:

- the GIL switch interval: every database call gives the GIL up and must win
  it back; with CPython's default a writer holding SQLite's write turn (or a
  PostgreSQL row lock) waits up to a whole interval a statement while the
  event loop parses other requests, and every writer queued behind it waits
  that much longer;
- ``gc.freeze()`` for what start-up made (the app, its routes and models,
  SQLAlchemy's mappers: a hundred thousand objects and more). Unfrozen, every
  full collection walks them all again, a pause every request in flight
  waits out, straight into the p99.
"""

from __future__ import annotations

import gc
import sys

from servefirst.config import Settings


def tune_process(settings: Settings) -> None:
    if settings.gil_switch_interval_seconds:
        sys.setswitchinterval(settings.gil_switch_interval_seconds)
    if settings.freeze_startup_objects:
        gc.collect()  # what start-up left for collection goes now, not frozen
        gc.freeze()
