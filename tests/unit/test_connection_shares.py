"""A worker holding more than its share of connections closes one now and then."""

from __future__ import annotations

import time
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from servefirst.server.connection_shares import ConnectionShares, ShedOverShare, over_share


def test_a_worker_is_over_its_share_only_past_the_total_over_the_workers_rounded_up() -> None:
    assert over_share([6, 2], 0)
    assert over_share([5, 3], 0)
    assert not over_share([4, 4], 0)
    assert not over_share([5, 4], 0)  # 9 over 2: a share of 5
    assert not over_share([1, 0], 0)  # one connection has to be somewhere
    assert over_share([2, 0], 0)
    assert not over_share([2, 6], 0)


@given(st.lists(st.integers(min_value=0, max_value=500), min_size=1, max_size=16))
def test_an_even_split_sheds_nothing_and_some_worker_holds_a_share(counts: list[int]) -> None:
    total, workers = sum(counts), len(counts)
    even = [total // workers + (1 if i < total % workers else 0) for i in range(workers)]
    assert not any(over_share(even, i) for i in range(workers))
    # Shedding never empties every worker below its share: someone keeps theirs.
    assert not all(over_share(counts, i) for i in range(workers))


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _client(counts: list[int], own: list[int], clock: Clock) -> tuple[TestClient, ShedOverShare]:
    shares = ConnectionShares(len(counts), shared=False)
    shares.counts[:] = counts
    app = Starlette(routes=[Route("/", lambda _request: PlainTextResponse("ok"))])
    shed = ShedOverShare(app, shares, 0, lambda: own[0], every=0.1, clock=clock)
    return TestClient(shed), shed


def _closes(response: Any) -> bool:
    return "close" in response.headers.get("connection", "").lower()


def test_over_its_share_a_worker_asks_one_connection_at_a_time_to_close() -> None:
    clock, own = Clock(), [6]
    client, shed = _client([6, 2], own, clock)
    assert _closes(client.get("/"))
    assert not _closes(client.get("/")), "a second one at once"
    clock.now += 0.2
    assert _closes(client.get("/"))
    own[0] = 4  # the closed ones reconnected to the other worker: even now
    shed.shares.counts[1] = 4
    clock.now += 0.2
    assert not _closes(client.get("/"))
    assert shed.shed == 2


def test_within_its_share_a_worker_keeps_every_connection_open() -> None:
    client, shed = _client([4, 4], [4], Clock())
    responses = [client.get("/") for _ in range(5)]
    assert not any(_closes(r) for r in responses)
    assert all(r.status_code == 200 and r.text == "ok" for r in responses)
    assert shed.shed == 0


def test_a_worker_writes_its_own_count_where_the_others_read_it() -> None:
    shares = ConnectionShares(2)  # shared memory, as between worker processes
    own = [3]
    shares.keep_counted(1, lambda: own[0], every=0.01)
    deadline = time.monotonic() + 5
    while shares.counts[1] != 3:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    own[0] = 7
    while shares.counts[1] != 7:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert list(shares.counts) == [0, 7]
