"""The demo: a café and a salon with a few weeks of believable history.

Everything is made through the same use cases the API calls (create a
merchant, add services, open a tab, serve, pay, raise a concern, review,
book, check in, cancel, mark a no-show),
never by writing rows, so the demo's ledger, trust scores and events are
exactly what real traffic would produce. History is made by setting a frozen
clock to past days and walking forward through each visit; the runtime's own
clock is put back afterwards.

That history's e-mails are not mailed when the server starts: its events are
planned like any others, and what was due before the last few hours counts as
delivered at its time (``messages.history``). This morning at the café, and
what happens from now on, goes to the demo's mail folder.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from servefirst.demo.cafe import cafe_story
from servefirst.demo.result import DemoMerchant, DemoResult, DemoTab
from servefirst.demo.salon import online_booking, salon_story
from servefirst.demo.story import Shop, Story
from servefirst.demo.trade import weeks_of_trade
from servefirst.messages.history import count_as_delivered
from servefirst.messages.transport import Transports
from servefirst.messages.worker import Worker
from servefirst.runtime import Runtime
from servefirst.staff.service import choose_language, create_staff

__all__ = ["DemoMerchant", "DemoResult", "DemoTab", "build_demo"]

#: The recent past whose messages are really sent when the worker starts: the
#: café's counter this morning (``cafe_today``, under four hours ago), a
#: handful of receipts a newcomer can open beside what happens next.
MAILED_SINCE = timedelta(hours=4)


def build_demo(runtime: Runtime) -> DemoResult:
    """Add the demo café and salon, with their history, to the runtime's database."""
    story = Story(runtime.clock.now())
    real_clock = runtime.clock
    runtime.clock = story.clock
    try:
        cafe, open_tab = cafe_story(story, runtime)
        weeks_of_trade(story, cafe)
        salon = salon_story(story, runtime)
        slug = online_booking(salon)
    finally:
        runtime.clock = real_clock
    _history_delivered(runtime, [cafe, salon], before=story.now - MAILED_SINCE)
    logins = [
        _staff_login(runtime, cafe, "Inês Duarte", "ines@cafe-azul.example", "Proprietária"),
        _staff_login(runtime, salon, "Tiago Lopes", "tiago@studio-lume.example", "Proprietário"),
    ]
    return DemoResult(
        public_url=runtime.settings.public_url.rstrip("/"),
        database=runtime.engine.url.render_as_string(hide_password=True),
        merchants=[cafe.merchant, salon.merchant],
        open_tab=open_tab,
        paid_tabs={shop.merchant.merchant_id: shop.paid for shop in (cafe, salon)},
        staff_logins=logins,
        bookings={shop.merchant.merchant_id: shop.bookings for shop in (cafe, salon)},
        booking_slug=slug,
    )


def _history_delivered(runtime: Runtime, shops: list[Shop], *, before: datetime) -> None:
    """Plan the demo's events as the delivery worker would (read once, never
    again), then count what was due before ``before`` as delivered at its time."""
    ids = [shop.merchant.merchant_id for shop in shops]
    Worker(runtime, transports=Transports(None), merchants=ids).plan()
    for merchant_id in ids:
        with runtime.uow(merchant_id) as uow:
            count_as_delivered(uow, before=before)
            uow.commit()


def _staff_login(
    runtime: Runtime, shop: Shop, name: str, email: str, title: str
) -> tuple[str, str]:
    """The owner's account, with a fresh password each run: printed once, never stored in clear.
    Their job title is the business's own word for it, in Portuguese.

    The console speaks English (the Lisbon café's own language is Portuguese: a
    member switches at /staff/settings); money and times keep the merchant's ways."""
    password = "demo-" + secrets.token_urlsafe(8)
    with runtime.uow(shop.merchant.merchant_id) as uow:
        account = create_staff(
            uow, email=email, password=password, name=name, role=title, access="owner"
        )
        choose_language(uow, account, "en")
        uow.commit()
    return email, password
