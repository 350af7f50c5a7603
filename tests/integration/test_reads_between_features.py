"""The named reads a feature gives the others (issue 19: a feature reaches
another through its service or repository, never its tables), answered as
the callers rely on: the no-show model's counts of a customer's bookings, the
Messages page's statuses and concerns, the delivery worker's outbox and its
webhook queue."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from servefirst.bookings import repository as bookings
from servefirst.events import service as events
from servefirst.guarantee import service as guarantee
from servefirst.messages.transport import Transports
from servefirst.messages.worker import Worker
from servefirst.runtime import Runtime
from servefirst.webhooks import repository as webhook_rows
from tests.conftest import Merchant, TestClock
from tests.integration.test_api_concerns import raise_concern
from tests.integration.test_bookings_api import booked, cut


def test_the_no_show_model_counts_a_customer_s_bookings_as_they_stand(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    ana = merchant.customer("Ana Costa")["id"]
    service = cut(merchant)["id"]
    kept = booked(merchant, clock, customer_id=ana, service_id=service, days=2)
    called_off = booked(merchant, clock, customer_id=ana, service_id=service, days=2, hours=3)
    later = booked(merchant, clock, customer_id=ana, service_id=service, days=9)
    someone_else = booked(merchant, clock, service_id=service, days=2, hours=5)
    cancelled = merchant.post(f"/v1/bookings/{called_off['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    start = datetime.fromisoformat(kept["starts_at"])
    end = datetime.fromisoformat(called_off["starts_at"]) + timedelta(minutes=1)
    with runtime.uow(merchant.id, write=False) as uow:
        made, last, to_come = bookings.bookings_made_by(uow, ana, clock.now())
        assert (made, to_come) == (3, 2)  # the cancelled one was made, but is not to come
        assert last is not None
        assert bookings.kept_bookings_between(uow, ana, start, end) == 1
        assert bookings.ids_of_every_booking(uow) == {
            b["id"] for b in (kept, called_off, later, someone_else)
        }
        assert bookings.statuses_of(uow, {kept["id"], called_off["id"], "bk_never"}) == {
            kept["id"]: "confirmed",
            called_off["id"]: "cancelled",
        }


def test_the_tabs_with_a_concern_are_told_from_the_others(
    runtime: Runtime, merchant: Merchant
) -> None:
    raised_on = merchant.served_tab(1000)
    quiet = merchant.served_tab(1000)
    assert raise_concern(merchant, raised_on, reason="Too bitter", remedy="redo").status_code == 201
    with runtime.uow(merchant.id, write=False) as uow:
        assert guarantee.tabs_with_a_concern(uow, {raised_on["id"], quiet["id"]}) == {
            raised_on["id"]
        }
        assert guarantee.tabs_with_a_concern(uow, set()) == set()


def test_an_event_is_marked_read_once_and_a_second_marking_changes_nothing(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    merchant.customer("Ana Costa")  # an event: customer.created
    with runtime.uow(merchant.id, write=False) as uow:
        unread = [row.event_id for row in events.unread(uow, limit=100)]
        assert unread and merchant.id in events.merchants_with_news(uow, [merchant.id])
    first, now = unread[0], clock.now()
    with runtime.uow(merchant.id) as uow:
        assert events.mark_read(uow, [first], now) == 1
        uow.commit()
    with runtime.uow(merchant.id) as uow:
        # Another worker read it already: only the still unread count.
        assert events.mark_read(uow, unread, now + timedelta(minutes=1)) == len(unread) - 1
        uow.commit()
    with runtime.uow(merchant.id, write=False) as uow:
        assert events.unread(uow, limit=100) == []
        assert merchant.id not in events.merchants_with_news(uow, [merchant.id])


def test_a_disabled_endpoint_s_deliveries_wait_in_the_queue(
    runtime: Runtime, merchant: Merchant
) -> None:
    runtime.settings.webhooks_allow_private = True
    try:
        created = merchant.post(
            "/v1/webhook-endpoints", {"url": "http://127.0.0.1:9/hook", "events": ["*"]}
        )
        assert created.status_code == 201, created.text
    finally:
        runtime.settings.webhooks_allow_private = False
    merchant.served_tab(380)
    Worker(runtime, transports=Transports(None), merchants=[merchant.id]).plan()
    count = (
        select(func.count())
        .select_from(webhook_rows.DELIVERIES)
        .where(
            webhook_rows.DELIVERIES.c.merchant_id == merchant.id,
            webhook_rows.to_an_enabled_endpoint(),
        )
    )
    with runtime.uow(merchant.id, write=False) as uow:
        assert uow.connection.execute(count).scalar_one() > 0
    with runtime.uow(merchant.id) as uow:
        endpoint = webhook_rows.endpoint(uow, created.json()["id"])
        assert endpoint is not None
        endpoint.status = "disabled"
        uow.commit()
    with runtime.uow(merchant.id, write=False) as uow:
        assert uow.connection.execute(count).scalar_one() == 0
