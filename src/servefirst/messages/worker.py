"""The delivery worker: reads the outbox and delivers it, at least once.

Three steps, each its own short transaction, so nothing is held while a mail
server or an integrator's endpoint thinks:

1. *plan*: per merchant, the events not read yet (``delivered_at IS NULL``),
   oldest first, become message and webhook delivery rows, and the events are
   marked read if still unread, in one short write transaction after the
   reads that decide them (so an event is planned exactly once);
2. *claim*: the head of each recipient's queue is leased (``queue.py``);
3. *send* and *record*: outside any transaction, then the outcome.

A worker killed anywhere resumes from the rows: an unplanned event is planned,
a leased row whose lease ran out is sent again under the same id.
``servefirst worker`` runs it alone; ``servefirst serve`` in a thread of the
server (``lifespan``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import Table

from servefirst.events import service as events
from servefirst.kit.clock import Clock
from servefirst.messages import overdue
from servefirst.messages import service as messages
from servefirst.messages.compose import compose
from servefirst.messages.lanes import Lane
from servefirst.messages.models import Message
from servefirst.messages.queue import Queue, anything_due, claim, planning_turn, release
from servefirst.messages.rules import MessageStatus, next_attempt
from servefirst.messages.transport import NotConfigured, Transports, Undeliverable, mailer_for
from servefirst.runtime import Runtime
from servefirst.webhooks import repository as webhook_rows
from servefirst.webhooks import sender
from servefirst.webhooks import service as webhooks
from servefirst.webhooks.rules import TIMEOUT_SECONDS, succeeded

log = logging.getLogger("servefirst.worker")

_MESSAGES = Queue(cast(Table, Message.__table__), "message_id", "customer_id", "due_at")
_DELIVERIES = Queue(webhook_rows.DELIVERIES, "delivery_id", "endpoint_id", "created_at")


@dataclass(frozen=True)
class Run:
    """Claimed rows of one recipient, in the order they must go."""

    queue: Queue
    keys: list[tuple[str, str]]


class Worker:
    def __init__(
        self,
        runtime: Runtime,
        *,
        clock: Clock | None = None,
        transports: Transports | None = None,
        merchants: Sequence[str] | None = None,
        allow_private: bool | None = None,
        webhook_timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        settings = runtime.settings
        self.runtime = runtime
        self.clock = clock or runtime.clock
        self.transports = transports or Transports(mailer_for(settings.smtp_url))
        #: Only these merchants' outbox (tests share one database); None: all.
        self.merchants = list(merchants) if merchants is not None else None
        self.webhook_timeout = webhook_timeout
        self.wake = threading.Event()
        self.allow_private = (
            settings.webhooks_allow_private if allow_private is None else allow_private
        )

    # --- 1. plan -----------------------------------------------------------

    def plan(self) -> int:
        """Plan every event not read yet; how many were read."""
        read = 0
        for merchant_id in self._merchants_with_news():
            while True:
                done = self._plan_merchant(merchant_id)
                read += done
                if done < self.runtime.settings.worker_plan_batch:
                    break
        return read

    def _merchants_with_news(self) -> list[str]:
        with self.runtime.uow(write=False) as uow:
            return events.merchants_with_news(uow, self.merchants)

    def _plan_merchant(self, merchant_id: str) -> int:
        """Plan a batch of one merchant's events in two steps: what they call
        for is worked out in a read (the trust tier, the schedule: the costly
        part), then written in a short write transaction that marks the
        events read only if still unread, so an event is planned exactly once,
        and on SQLite the writer's turn that every request needs is held only
        for the inserts. On PostgreSQL one worker plans a merchant at a time
        (an advisory lock held by the read), so the workers of ``serve
        --workers N`` do not all do the same work for one of them to keep."""
        with self.runtime.uow(merchant_id, write=False) as reader:
            if not planning_turn(reader, merchant_id):
                return 0  # another worker is planning this merchant's events
            rows = events.unread(reader, limit=self.runtime.settings.worker_plan_batch)
            if not rows:
                return 0
            with reader.session.no_autoflush:
                endpoints = webhooks.list_endpoints(reader)
                for row in rows:
                    event = messages.OutboxEvent(
                        row.merchant_id,
                        row.event_id,
                        row.type,
                        row.object_id,
                        row.data,
                        row.created_at,
                    )
                    messages.plan(reader, event)
                    webhooks.plan(reader, event, endpoints)
                planned = list(reader.session.new)
                reader.session.expunge_all()
            # Written while the read (and its lock) is still open.
            return self._record_plan(merchant_id, [r.event_id for r in rows], planned)

    def _record_plan(self, merchant_id: str, event_ids: list[str], planned: list[Any]) -> int:
        with self.runtime.uow(merchant_id) as uow:
            marked = events.mark_read(uow, event_ids, self.clock.now())
            if marked != len(event_ids):
                uow.rollback()  # another worker planned some of them meanwhile
                return 0
            uow.session.add_all(planned)
            uow.session.flush()
            uow.commit()
            return len(event_ids)

    # --- 2. claim ----------------------------------------------------------

    def claim_messages(self, limit: int) -> list[Run]:
        extra = []
        if self.transports.mailer is None:  # e-mail waits for its server
            extra.append(_MESSAGES.table.c.channel != "email")
        return self._claim(_MESSAGES, limit, extra)

    def claim_deliveries(self, limit: int) -> list[Run]:
        return self._claim(_DELIVERIES, limit, [webhook_rows.to_an_enabled_endpoint()])

    def _claim(self, queue: Queue, limit: int, extra: list[Any]) -> list[Run]:
        now = self.clock.now()
        with self.runtime.uow(write=False) as reader:
            if not anything_due(reader, queue, now, extra=extra, merchants=self.merchants):
                return []
        with self.runtime.uow() as uow:
            keys = claim(
                uow,
                queue,
                self.clock.now(),
                limit,
                extra=extra,
                merchants=self.merchants,
                lease=timedelta(seconds=self.runtime.settings.worker_lease_seconds),
                run=self.runtime.settings.worker_run,
            )
            uow.commit()
        return [Run(queue, keys) for keys in keys]

    def _release(self, queue: Queue, keys: list[tuple[str, str]]) -> None:
        with self.runtime.uow() as uow:
            release(uow, queue, keys)
            uow.commit()

    def send_run(self, run: Run) -> int:
        """Send a recipient's claimed rows in order; stop at the first that
        must wait (its retry comes first), giving the rest back. How many went."""
        send = self.send_message if run.queue is _MESSAGES else self.send_delivery
        for done, key in enumerate(run.keys):
            if not send(key):
                self._release(run.queue, run.keys[done + 1 :])
                return done
        return len(run.keys)

    # --- 3. send and record --------------------------------------------------

    def send_message(self, key: tuple[str, str]) -> bool:
        """Try one message; whether the customer's next may follow (it was
        sent, skipped or failed for good, not left to retry)."""
        return self._send_message(key) != MessageStatus.PENDING.value

    def _send_message(self, key: tuple[str, str]) -> str:
        merchant_id, message_id = key
        settings = self.runtime.settings
        with self.runtime.uow(merchant_id, write=False) as uow:
            ctx = messages.context_for(uow, message_id, self.clock.now())
            if isinstance(ctx, str):
                outgoing, reason, attempts = None, ctx, 0
            else:
                outgoing = compose(
                    uow,
                    ctx,
                    public_url=settings.public_url,
                    mail_from=settings.mail_from,
                    secret=settings.secret_key,
                )
                reason, attempts = None, ctx.message.attempts
        if outgoing is None:
            return self._finish(merchant_id, message_id, MessageStatus.SKIPPED, error=reason)
        try:
            self.transports.send(outgoing)
        except NotConfigured as exc:
            later = self.clock.now() + timedelta(minutes=1)
            return self._finish(
                merchant_id, message_id, MessageStatus.PENDING, error=str(exc), retry_at=later
            )
        except Undeliverable as exc:
            return self._finish(merchant_id, message_id, MessageStatus.FAILED, error=str(exc))
        except Exception as exc:  # noqa: BLE001 - any other failure is retried
            retry = next_attempt(attempts, self.clock.now())
            status = MessageStatus.PENDING if retry else MessageStatus.FAILED
            error = f"{type(exc).__name__}: {exc}"
            return self._finish(merchant_id, message_id, status, error=error, retry_at=retry)
        return self._finish(merchant_id, message_id, MessageStatus.SENT, subject=outgoing.subject)

    def _finish(self, merchant_id: str, message_id: str, status: MessageStatus, **kw: Any) -> str:
        with self.runtime.uow(merchant_id) as uow:
            messages.finish(uow, message_id, status, now=self.clock.now(), **kw)
            uow.commit()
        return status.value

    def send_delivery(self, key: tuple[str, str]) -> bool:
        """Try one webhook delivery; whether the endpoint's next may follow."""
        merchant_id, delivery_id = key
        with self.runtime.uow(merchant_id, write=False) as uow:
            out = webhooks.outgoing(uow, delivery_id)
        if out is None:
            return True
        attempt = sender.send(
            out,
            timestamp=int(time.time()),  # the receiver checks it against its own clock
            allow_private=self.allow_private,
            timeout=self.webhook_timeout,
        )
        with self.runtime.uow(merchant_id) as uow:
            webhooks.record(uow, out, attempt.status_code, attempt.error, self.clock.now())
            uow.commit()
        return succeeded(attempt.status_code)

    # --- 4. overdue --------------------------------------------------------------

    def mark_overdue(self) -> int:
        """Mark overdue the served tabs whose overdue day has come (after their
        final notice): the end of the dunning schedule. How many were marked."""
        now = self.clock.now()
        with self.runtime.uow(write=False) as reader:
            # No merchant turns a tab overdue sooner than a day after serving.
            # An invoice turns overdue the day after its due date, in its
            # merchant's zone: a day ahead of UTC covers every zone.
            found = reader.tabs.merchants_with_served_before(
                now - timedelta(days=1), due_before=(now + timedelta(days=1)).date()
            )
        marked = 0
        for merchant_id in found:
            if self.merchants is not None and merchant_id not in self.merchants:
                continue
            with self.runtime.uow(merchant_id, write=False) as reader:
                due = overdue.overdue_now(reader, now)
            if due:
                with self.runtime.uow(merchant_id) as uow:
                    marked += len(overdue.mark_overdue(uow, due))
                    uow.commit()
        return marked

    # --- running -------------------------------------------------------------

    def _wake_on(self, stop: threading.Event) -> None:
        stop.wait()
        self.wake.set()

    def drain(self, *, rounds: int = 100) -> int:
        """Plan, claim and send until nothing is due now, one at a time (tests,
        ``servefirst worker --once``); how many sends were tried."""
        tried = 0
        for _ in range(rounds):
            self.plan()
            runs = self.claim_messages(100) + self.claim_deliveries(100)
            if not runs:
                break
            for run in runs:
                self.send_run(run)
            tried += sum(len(run.keys) for run in runs)
        if self.mark_overdue():
            self.plan()  # the tab.overdue events, for the webhooks
        return tried

    def run(self, stop: threading.Event, *, senders: int | None = None) -> None:
        """Deliver until ``stop`` is set: a slow endpoint holds one sender."""
        size = senders or self.runtime.settings.worker_senders
        lanes = [
            Lane(self.claim_messages, self.send_run, size, "mail", self.wake),
            Lane(self.claim_deliveries, self.send_run, size, "webhook", self.wake),
        ]
        threading.Thread(target=self._wake_on, args=(stop,), daemon=True).start()
        poll = self.runtime.settings.worker_poll_seconds
        pause = self.runtime.settings.worker_round_pause_seconds
        every = self.runtime.settings.worker_overdue_check_seconds
        overdue_checked = float("-inf")
        try:
            while not stop.is_set():
                busy = False
                try:
                    if time.monotonic() - overdue_checked >= every:
                        overdue_checked = time.monotonic()
                        self.mark_overdue()
                    busy = self.plan() > 0
                    for lane in lanes:
                        busy = lane.fill() or busy
                except Exception:  # a database hiccup: log, wait, go on
                    log.exception("delivery worker: a round failed")
                if busy:
                    stop.wait(pause)  # let work gather: a batch per transaction
                else:
                    # Until a send finishes (its recipient's next may go) or
                    # the poll interval passes (new events), or stop.
                    self.wake.wait(poll)
                    self.wake.clear()
        finally:
            for lane in lanes:
                lane.close()
            self.transports.close()
