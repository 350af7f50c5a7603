"""A servefirst server for the payment crash test (``python -m
tests.payment_crash_server PORT``), configured from the environment as
``servefirst serve`` is, with one test-only change: the sandbox's answer
takes ``CRASH_TEST_ANSWER_SECONDS`` to come back after the charge (or a
hold's capture) is made and kept, so the test can kill the server between the processor's charge and
our commit. (Before the charge, ``SERVEFIRST_SANDBOX_LATENCY_MS`` gives it the
same window between our first commit and the charge.)"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from datetime import datetime

from servefirst.kit.money import Money
from servefirst.payments.gateways import Authorization, Charge, SandboxGateway
from servefirst.runtime import Runtime
from servefirst.server.start import serve


@dataclass
class SlowToAnswer(SandboxGateway):
    answer_seconds: float = 0.0

    def charge(self, amount: Money, *, card: str | None, idempotency_key: str) -> Charge:
        made = super().charge(amount, card=card, idempotency_key=idempotency_key)
        time.sleep(self.answer_seconds)
        return made

    def capture(
        self, hold: Authorization, amount: Money, *, idempotency_key: str, now: datetime
    ) -> Charge:
        made = super().capture(hold, amount, idempotency_key=idempotency_key, now=now)
        time.sleep(self.answer_seconds)
        return made


def main() -> int:
    runtime = Runtime.create()
    sandbox = runtime.gateways.sandbox
    runtime.gateways.sandbox = SlowToAnswer(
        book=sandbox.book,
        latency_seconds=sandbox.latency_seconds,
        answer_seconds=float(os.environ.get("CRASH_TEST_ANSWER_SECONDS", "0")),
    )
    return serve(runtime, "127.0.0.1", int(sys.argv[1]))


if __name__ == "__main__":
    sys.exit(main())
