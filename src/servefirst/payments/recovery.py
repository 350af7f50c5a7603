"""Finishing card payment attempts a crash left pending.

An attempt still pending after ``payment_recovery_grace_seconds`` was begun
by a request that died between the phases (``payments.phases``). Recovery
asks the processor, by the attempt's idempotency key, whether it charged:
if so the payment is booked as it would have been; if not the attempt fails
(``not_charged``), and the request that began it, sent again with the same
``Idempotency-Key``, makes a new attempt (``payments.attempt_rules``). It
never charges. Refunds left pending are finished the same way, by asking
again under the refund's own key (``payments.refunds``). A payment taken from
a card hold is an attempt like any other (its capture is asked for by its
key), raises of a hold left unanswered are asked again under their key
(``bookings.hold_raises``, renewals too), and the hold releases kept pending
are sent (``bookings.hold_releases``). A booking's deposit left pending is
asked for by the booking's id (``bookings.deposit_phases``), and a fee asked
of a booking's hold by its key (``bookings.hold_fees``), and a captured
deposit's refund again under its own key (``bookings.deposit_refunds``).
``servefirst payments recover`` runs it once; a server runs
it every ``payment_recovery_every_seconds`` in a thread (``lifespan``).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from servefirst.bookings.deposit_phases import finish_pending_deposits
from servefirst.bookings.deposit_refunds import finish_pending_deposit_refunds
from servefirst.bookings.hold_fees import finish_pending_fees
from servefirst.bookings.hold_raises import finish_pending_raises
from servefirst.bookings.hold_releases import send_pending_releases
from servefirst.kit.beside import in_a_thread
from servefirst.kit.errors import GatewayUnavailable
from servefirst.payments import phases
from servefirst.payments.gateway_choice import gateway_named
from servefirst.payments.refund_recovery import finish_pending_refunds
from servefirst.runtime import Runtime

log = logging.getLogger("servefirst.payments")


@dataclass
class Recovered:
    """What a round of recovery did, by payment id."""

    succeeded: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    #: Refunds left pending, finished by asking the processor again (by refund id).
    refunds: list[str] = field(default_factory=list)
    #: Card hold releases sent to the processor (by release id).
    releases: list[str] = field(default_factory=list)
    #: Card hold raises and renewals a crash left unanswered, asked again (by hold id).
    raises: list[str] = field(default_factory=list)
    #: Bookings whose deposit a crash left pending, finished (by booking id).
    deposits: list[str] = field(default_factory=list)
    #: Fees asked of a booking's card hold a crash left unanswered (by hold id).
    fees: list[str] = field(default_factory=list)
    #: Captured deposits' refunds left pending, asked again (by refund id).
    deposit_refunds: list[str] = field(default_factory=list)
    #: Left pending because the processor that holds the money (Stripe) has
    #: no keys set any more: attempts, refunds, releases, raises (by hold id)
    #: and fees (by booking id). Finished once the keys are set again; never
    #: failed or sent on another processor's word.
    waiting: list[str] = field(default_factory=list)
    #: Refunds (of payments and of deposits) left pending because Stripe
    #: refused their key, seen before with other parameters: nothing was
    #: refunded by the call; asked again each round (Stripe keeps a key 24 hours).
    keys_refused: list[str] = field(default_factory=list)


def summary(done: Recovered) -> str:
    """The line ``servefirst payments recover`` prints (and the server logs)."""
    line = (
        f"{len(done.succeeded)} attempt(s) found charged and booked,"
        f" {len(done.failed)} found not charged and failed,"
        f" {len(done.refunds)} pending refund(s) finished,"
        f" {len(done.releases)} card hold release(s) sent,"
        f" {len(done.raises)} card hold raise(s) finished,"
        f" {len(done.deposits)} booking deposit(s) finished,"
        f" {len(done.fees)} card hold fee(s) finished,"
        f" {len(done.deposit_refunds)} deposit refund(s) finished."
    )
    if done.waiting:
        line += (
            f" {len(done.waiting)} left pending until the Stripe keys are set again"
            f" (the money is with Stripe): {', '.join(done.waiting)}."
        )
    if done.keys_refused:
        line += (
            f" {len(done.keys_refused)} refund(s) left pending: Stripe refused their"
            " idempotency key, first used with other parameters (nothing was refunded by"
            " the call); asked again each round, and made once Stripe forgets the key"
            f" (24 hours) if it holds no refund under it: {', '.join(done.keys_refused)}."
        )
    return line


def recover(runtime: Runtime, *, grace_seconds: float | None = None) -> Recovered:
    """Finish every attempt pending for longer than the grace period."""
    if grace_seconds is None:
        grace_seconds = runtime.settings.payment_recovery_grace_seconds
    cutoff = runtime.clock.now() - timedelta(seconds=grace_seconds)
    with runtime.uow(write=False) as reader:
        pending = reader.tabs.payments_pending_before(cutoff)
    done = Recovered()
    for merchant_id, tab_id, payment_id in pending:
        # One transaction per attempt, after the processor was asked (no
        # transaction is open while it answers).
        with runtime.uow(merchant_id, write=False) as reader:
            attempt = reader.tabs.payment(payment_id)
            asked_at = attempt.asked_at
            if attempt.gateway_reference is not None:
                # Charged, waiting on its holder's 3-D Secure: the processor's
                # event settles it (payments.processor_events).
                continue
            key = attempt.processor_key or payment_id
            try:
                gateway = gateway_named(runtime.gateways, attempt.gateway, reader)
            except GatewayUnavailable:
                # Only the processor that was asked to charge can say if it
                # did: the sandbox would say "never", failing a paid attempt.
                done.waiting.append(payment_id)
                continue
        charge = gateway.find_charge(key)
        with runtime.uow(merchant_id) as uow:
            payment = phases.record_recovered(uow, tab_id, payment_id, charge, asked_at=asked_at)
            uow.commit()
        if payment is not None:
            (done.succeeded if payment.status == "succeeded" else done.failed).append(payment_id)
    grace = timedelta(seconds=grace_seconds)
    done.refunds = finish_pending_refunds(
        runtime.uow, grace=grace, waiting=done.waiting, keys_refused=done.keys_refused
    )
    done.raises = finish_pending_raises(runtime.uow, grace=grace, waiting=done.waiting)
    done.deposits = finish_pending_deposits(runtime.uow, grace=grace)
    done.fees = finish_pending_fees(runtime.uow, grace=grace, waiting=done.waiting)
    done.deposit_refunds = finish_pending_deposit_refunds(
        runtime.uow, grace=grace, waiting=done.waiting, keys_refused=done.keys_refused
    )
    # No grace: a release is sent by nothing else, and sending it twice is harmless.
    done.releases = send_pending_releases(runtime.uow, waiting=done.waiting)
    if done.waiting or done.keys_refused:
        log.warning("recovery: %s", summary(done))
    return done


def run_every(runtime: Runtime, stop: threading.Event) -> None:
    """Recover now, then every ``payment_recovery_every_seconds`` until ``stop``."""
    every = runtime.settings.payment_recovery_every_seconds
    while True:
        try:
            done = recover(runtime)
            if any(dataclasses.astuple(done)):
                log.info("recovered payments: %s", done)
        except Exception:  # a database away for a moment: try again next round
            log.exception("payment recovery failed")
        if stop.wait(every):
            return


def lifespan(runtime: Runtime) -> Callable[[Any], Any]:
    """Recovery in a thread of the server while it runs (beside the delivery
    worker, when the server runs that: ``settings.deliver_in_process``)."""
    return in_a_thread(
        lambda stop: run_every(runtime, stop),
        "servefirst-recovery",
        when=runtime.settings.deliver_in_process,
    )
