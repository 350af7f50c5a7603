"""Two merges of the same pair at once, each way round, with tabs on both
sides: one wins, the other answers 404, nothing is half-merged, no 500."""

from __future__ import annotations

from typing import Any

import httpx

from servefirst.runtime import Runtime
from tests.integration.test_concurrency import (  # noqa: F401
    assert_ledger_sound,
    assert_no_server_errors,
    live_merchant,
    race,
    server_url,
)


def test_merges_of_one_pair_each_way_round_at_once(
    runtime: Runtime,
    server_url: str,  # noqa: F811
    live_merchant: Any,  # noqa: F811
) -> None:
    merchant = live_merchant()
    svc = merchant.service(price=300)
    ana = merchant.customer("Ana")
    bea = merchant.customer("Ana again")
    for who in (ana, bea):
        tab = merchant.tab(who["id"])
        assert (
            merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]}).status_code
            == 200
        )
    pairs = [(ana["id"], bea["id"]), (bea["id"], ana["id"])]

    def send(client: httpx.Client, i: int) -> httpx.Response:
        merged, into = pairs[i]
        return client.post(
            f"/v1/customers/{merged}/merge",
            json={"into": into},
            headers={"Authorization": f"Bearer {merchant.api_key}"},
        )

    responses = race(server_url, 2, send)
    assert_no_server_errors(responses)
    assert sorted(r.status_code for r in responses) == [200, 404], [r.text for r in responses]
    [won] = [r.json() for r in responses if r.status_code == 200]
    survivors = [c["id"] for c in merchant.get("/v1/customers").json()["data"]]
    assert survivors == [won["id"]]
    tabs = merchant.get("/v1/tabs").json()["data"]
    assert len(tabs) == 2 and {t["customer_id"] for t in tabs} == {won["id"]}
    assert_ledger_sound(runtime, merchant)
