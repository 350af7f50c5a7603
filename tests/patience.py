"""How long a test waits for a server it started to answer.

A server's start is imports and migrations (and, for the demo, its whole
story): ten seconds on a quiet two-core machine, over a minute when CI runs two
test workers beside browsers on the same cores. Every wait also watches the
server (its process or thread), so one that died fails at once: a long patience
costs nothing when something is wrong, and spares a false failure when the
machine is only busy. ``SERVEFIRST_TEST_SERVER_START_SECONDS`` sets it.
"""

from __future__ import annotations

import os

SERVER_START_SECONDS = float(os.environ.get("SERVEFIRST_TEST_SERVER_START_SECONDS", "240"))
