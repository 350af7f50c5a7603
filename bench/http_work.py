"""The work one settled tab asks of the server over HTTP: Python calls per request.

``bench.work`` counts the use cases alone. Behind the API each request also
pays for FastAPI (routing, dependencies, validation), the write turn, the
response's JSON and the hop to a worker thread: about half of the server's
Python work. Counted here the same way, as calls (the same on any machine for
the same code), in every thread, with the app driven in this process through
ASGI: the requests the HTTP load sends, without sockets or uvicorn, which are
the same for every route.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from bench.settle import TEST_CARD, Shop, make_runtime, open_shops
from bench.work import STEPS, TIMES
from servefirst.app import create_app

ASGIApp = Any


@dataclass
class HttpWork:
    lifecycles: int
    calls: dict[str, float] = field(default_factory=dict)  # step -> calls, one request

    def per_lifecycle(self) -> float:
        return float(sum(self.calls[step] * TIMES[step] for step in STEPS))

    def detail(self) -> str:
        return ", ".join(
            f"{step} {self.calls[step]:,.0f}" + (f" x{TIMES[step]}" if TIMES[step] > 1 else "")
            for step in STEPS
        )


class _Counter:
    """Counts Python and C calls in every thread while a step is set."""

    def __init__(self) -> None:
        self.step: str | None = None
        self.calls = dict.fromkeys(STEPS, 0)

    def __call__(self, _frame: FrameType, event: str, _arg: Any) -> None:
        step = self.step
        if step is not None and event in ("call", "c_call"):
            self.calls[step] += 1


async def _request(
    app: ASGIApp, path: str, body: dict[str, Any] | None, headers: dict[str, str]
) -> tuple[int, Any]:
    raw = json.dumps(body).encode() if body is not None else b""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(raw)).encode()),
            *((k.lower().encode(), v.encode()) for k, v in headers.items()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    received = False
    answer: dict[str, Any] = {"status": 0, "body": b""}

    async def receive() -> dict[str, Any]:
        nonlocal received
        if not received:
            received = True
            return {"type": "http.request", "body": raw, "more_body": False}
        await asyncio.Event().wait()  # the client never hangs up mid-request
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return answer["status"], json.loads(answer["body"])


async def _lifecycle(app: ASGIApp, shop: Shop, counter: _Counter, *, counted: bool) -> None:
    auth = {"Authorization": f"Bearer {shop.api_key}"}

    async def step(name: str, path: str, body: Any, headers: dict[str, str], status: int) -> Any:
        counter.step = name if counted else None
        try:
            got, answer = await _request(app, path, body, headers)
        finally:
            counter.step = None
        if got != status:
            raise RuntimeError(f"{name} answered {got}: {answer}")
        return answer

    tab = await step("open", "/v1/tabs", {"customer_id": shop.customer_id}, auth, 201)
    for service_id in shop.service_ids:
        body = {"service_id": service_id, "quantity": 1}
        await step("line", f"/v1/tabs/{tab['id']}/lines", body, auth, 200)
    await step("serve", f"/v1/tabs/{tab['id']}/serve", None, auth, 200)
    pay = {"method": "card", "card": TEST_CARD}
    await step("pay", f"/v1/public/tabs/{tab['token']}/pay", pay, {}, 201)


def count_http_work(url: str, lifecycles: int = 5) -> HttpWork:
    """Python calls per request of the lifecycle, in all threads, after a warm-up."""
    runtime = make_runtime(url)
    counter = _Counter()
    try:
        shop = open_shops(runtime, 1)[0]
        app = create_app(runtime)

        async def run() -> None:
            # Set before the warm-up: the worker threads it starts count too.
            threading.setprofile(counter)
            sys.setprofile(counter)
            try:
                for _ in range(5):
                    await _lifecycle(app, shop, counter, counted=False)
                for _ in range(lifecycles):
                    await _lifecycle(app, shop, counter, counted=True)
            finally:
                sys.setprofile(None)
                threading.setprofile(None)

        asyncio.run(run())
    finally:
        runtime.dispose()
    return HttpWork(
        lifecycles,
        {step: counter.calls[step] / (lifecycles * TIMES[step]) for step in STEPS},
    )
