"""A card refund in phases: the pending refund is committed before the
processor is asked, the processor is asked outside any transaction, and a
refund a crash left pending is finished by asking again with the same key."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text

from servefirst.kit.money import Money
from servefirst.ledger.service import audit
from servefirst.payments import refunds
from servefirst.payments.gateways import RefundResult, SandboxGateway
from servefirst.payments.recovery import recover
from servefirst.payments.refund_repository import RefundRepository
from servefirst.runtime import Runtime
from tests.conftest import Merchant


@dataclass
class WatchingSandbox(SandboxGateway):
    """The sandbox, noting what the database looked like while it was asked."""

    runtime: Runtime | None = None
    merchant_id: str = ""
    seen: list[dict[str, Any]] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)

    def refund(
        self, charge_reference: str, amount: Money, *, idempotency_key: str, reason: str
    ) -> RefundResult:
        assert self.runtime is not None
        self.keys.append(idempotency_key)
        with self.runtime.uow(self.merchant_id) as other:
            kept = RefundRepository(other).get(idempotency_key)
            if other.dialect == "postgresql":
                other.connection.execute(text("SET LOCAL lock_timeout = '500ms'"))
            # Another writer takes the tab's row now: the refund's transaction is over.
            other.tabs.lock(kept.tab_id if kept else "")
            other.commit()
        self.seen.append(
            {
                "status": kept.status if kept else None,
                "thread": threading.current_thread().name,
            }
        )
        return super().refund(
            charge_reference, amount, idempotency_key=idempotency_key, reason=reason
        )


def _card_payment(merchant: Merchant, price: int = 600) -> dict[str, Any]:
    tab = merchant.served_tab(price)
    paid = merchant.post(
        f"/v1/tabs/{tab['id']}/payments", {"method": "card", "card": "4242424242424242"}
    )
    assert paid.status_code == 201, paid.text
    return paid.json()  # type: ignore[no-any-return]


def test_the_processor_is_asked_after_the_pending_refund_is_committed(
    merchant: Merchant, runtime: Runtime, monkeypatch: Any
) -> None:
    watching = WatchingSandbox(runtime=runtime, merchant_id=merchant.id)
    monkeypatch.setattr(runtime.gateways, "sandbox", watching)
    payment = _card_payment(merchant)
    response = merchant.post(
        f"/v1/payments/{payment['id']}/refunds", {"amount": 250, "reason": "Overcharged"}
    )
    assert response.status_code == 201, response.text
    refund = response.json()
    assert refund["status"] == "succeeded"
    assert watching.keys == [refund["id"]]  # the refund's id is the processor's key
    assert watching.seen[0]["status"] == "pending"  # committed before the call
    assert watching.seen[0]["thread"] != threading.main_thread().name


def test_a_refund_left_pending_is_finished_once_by_asking_again(
    merchant: Merchant, runtime: Runtime, monkeypatch: Any
) -> None:
    payment = _card_payment(merchant, 900)
    with runtime.uow(merchant.id) as uow:  # phase (1) only: then the server died
        pending = refunds.begin_refund(
            uow, payment["id"], amount=None, tip=None, reason="Closed early"
        )
        uow.commit()
    assert pending.status == "pending"
    assert merchant.balances()["refunds"] == 0
    # A second refund while the first is pending finds nothing left.
    busy = merchant.post(f"/v1/payments/{payment['id']}/refunds", {"reason": "again"})
    assert busy.status_code == 409
    asked: list[str] = []
    sandbox = runtime.gateways.sandbox

    class Counting(SandboxGateway):
        def refund(self, *args: Any, **kwargs: Any) -> RefundResult:
            asked.append(kwargs["idempotency_key"])
            return sandbox.refund(*args, **kwargs)

    monkeypatch.setattr(runtime.gateways, "sandbox", Counting())
    # What `servefirst payments recover` (and the server, every minute) runs.
    finished = recover(runtime, grace_seconds=0).refunds
    assert pending.refund_id in finished and pending.refund_id in asked
    listed = merchant.get(f"/v1/payments/{payment['id']}/refunds").json()["data"]
    assert [(r["id"], r["status"], r["amount"]) for r in listed] == [
        (pending.refund_id, "succeeded", 900)
    ]
    assert merchant.balances()["refunds"] == 900
    asked.clear()
    assert pending.refund_id not in recover(runtime, grace_seconds=0).refunds
    assert pending.refund_id not in asked  # finished: never asked (or refunded) again
    assert merchant.balances()["refunds"] == 900
    with runtime.uow(merchant.id, write=False) as uow:
        assert audit(uow).ok


def test_a_refused_card_refund_is_kept_failed_and_gives_its_share_back(
    merchant: Merchant, runtime: Runtime, monkeypatch: Any
) -> None:
    class Refusing(SandboxGateway):
        def refund(self, *args: Any, **kwargs: Any) -> RefundResult:
            return RefundResult("", status="failed", failure_code="charge_disputed")

    payment = _card_payment(merchant, 500)
    monkeypatch.setattr(runtime.gateways, "sandbox", Refusing())
    refused = merchant.post(f"/v1/payments/{payment['id']}/refunds", {"reason": "wrong"})
    assert refused.status_code == 402
    assert refused.json()["error"]["code"] == "refund_failed"
    listed = merchant.get(f"/v1/payments/{payment['id']}/refunds").json()["data"]
    assert [(r["status"], r["failure_code"]) for r in listed] == [("failed", "charge_disputed")]
    assert merchant.balances()["refunds"] == 0
    monkeypatch.setattr(runtime.gateways, "sandbox", SandboxGateway())
    retried = merchant.post(f"/v1/payments/{payment['id']}/refunds", {"reason": "wrong"})
    assert retried.status_code == 201, retried.text
    assert retried.json()["amount"] == 500


def test_two_refunds_at_once_never_give_back_more_than_was_paid(
    merchant: Merchant, runtime: Runtime
) -> None:
    payment = _card_payment(merchant, 700)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def refund_all() -> None:
        start.wait()
        with runtime.uow(merchant.id) as uow:
            try:
                refunds.refund_in_phases(
                    uow, payment["id"], amount=None, tip=None, reason="Both at once"
                )
                uow.commit()
                outcomes.append("refunded")
            except Exception as refused:  # noqa: BLE001 - the refusal is the outcome
                outcomes.append(getattr(refused, "code", repr(refused)))

    threads = [threading.Thread(target=refund_all) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["nothing_to_refund", "refunded"]
    assert merchant.balances()["refunds"] == 700
    listed = merchant.get(f"/v1/payments/{payment['id']}/refunds").json()["data"]
    assert [r["amount"] for r in listed] == [700]


class Unreachable(SandboxGateway):
    """The processor does not answer (the network, or Stripe down)."""

    def refund(self, *args: Any, **kwargs: Any) -> RefundResult:
        from servefirst.payments.stripe_gateway import ProcessorUnavailable

        raise ProcessorUnavailable("The card processor could not be reached.")


def test_a_refund_the_processor_does_not_answer_stays_pending_and_is_finished_once(
    merchant: Merchant, runtime: Runtime, monkeypatch: Any
) -> None:
    """Unanswered is not refused: the call may have got through. The refund is
    answered ``pending`` (not an error inviting a second refund) and recovery
    finishes it by asking again with its key."""
    payment = _card_payment(merchant, 900)
    monkeypatch.setattr(runtime.gateways, "sandbox", Unreachable())
    sent = merchant.post(f"/v1/payments/{payment['id']}/refunds", {"amount": 300, "reason": "x"})
    assert sent.status_code == 201, sent.text
    assert sent.json()["status"] == "pending"
    assert merchant.balances()["refunds"] == 0
    refund_id = sent.json()["id"]
    assert refund_id not in recover(runtime, grace_seconds=0).refunds  # still unanswered
    monkeypatch.setattr(runtime.gateways, "sandbox", SandboxGateway())
    assert refund_id in recover(runtime, grace_seconds=0).refunds
    listed = merchant.get(f"/v1/payments/{payment['id']}/refunds").json()["data"]
    assert [(r["status"], r["amount"]) for r in listed] == [("succeeded", 300)]
    assert merchant.balances()["refunds"] == 300
    with runtime.uow(merchant.id, write=False) as uow:
        assert audit(uow).ok
