"""A free local port for a server a test starts.

Asking the kernel for port 0 hands out a port from the ephemeral range, the
same range every outgoing connection takes its local port from. Between
choosing such a port and a server process binding it, any client connection
of a parallel test may take it ("Address already in use"). Ports below the
ephemeral range are never given to outgoing connections, so a port chosen
there, at random and checked free, stays free until its server binds it.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

_FALLBACK_EPHEMERAL_START = 32768


def _ephemeral_start() -> int:
    try:
        first = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0]
        return int(first)
    except (OSError, ValueError, IndexError):
        return _FALLBACK_EPHEMERAL_START


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on, outside the ephemeral range."""
    high = _ephemeral_start() - 1
    low = max(1024, high - 16_000)
    for _ in range(200):
        port = random.randint(low, high)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port between {low} and {high}")
