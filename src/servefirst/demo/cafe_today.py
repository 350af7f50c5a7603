"""Café Azul's morning so far, and the same weekday last week, so the console's
Today page has something believable to show whenever the demo starts.

The café is in Lisbon: its day begins at Lisbon's midnight, and its money reads
"4,50 €". Visits are placed a few hours before the demo starts (never before
that midnight, and each one over before "now"), and a week earlier at the same
times, a little quieter.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from servefirst.demo.closed_days import is_closed, open_days_ago
from servefirst.demo.story import Shop, Story
from servefirst.merchants.service import update_merchant
from servefirst.reports.today.rules import day_of

ZONE = "Europe/Lisbon"
#: Café Azul opens every day of the week; Portugal's public holidays it is shut.
OPEN_WEEKDAYS = frozenset(range(7))

#: (minutes before now, who, what, paid how, tip): this morning at the counter.
THIS_MORNING: tuple[tuple[int, str, dict[str, int], str, int], ...] = (
    (230, "Sofia Reis", {"Bica": 2, "Pastel de nata": 2}, "cash", 0),
    (195, "Rui Pinto", {"Prato de brunch": 1, "Sumo de laranja natural": 1}, "card", 150),
    (160, "Sofia Reis", {"Galão": 2, "Pastel de nata": 1}, "card", 50),
    (120, "Rui Pinto", {"Bica": 1}, "cash", 20),
    (85, "Sofia Reis", {"Galão": 1, "Pastel de nata": 2}, "card", 0),
    (50, "Rui Pinto", {"Prato de brunch": 2, "Sumo de laranja natural": 2}, "card", 200),
)
#: The same weekday last week, at the same times: which of the visits above happened.
LAST_WEEK = (0, 2, 3, 5)

CUSTOMERS = (
    ("Gabriela Reis", "gabriela.reis@example.com", "+351 914 220 118"),
    ("João Matos", "joao.matos@example.com", "+351 926 101 553"),
    ("Beatriz Costa", "beatriz.costa@example.org", "+351 933 708 264"),
)


def open_day(story: Story, days_ago: int) -> int:
    """The day the café was open nearest ``days_ago``, further back: no
    coffee on Christmas Day or New Year's Day in its history."""
    return open_days_ago(story.now.date(), days_ago, OPEN_WEEKDAYS)


def was_closed(story: Story, days_ago: int) -> bool:
    """Whether the café was shut ``days_ago`` (a public holiday)."""
    return is_closed(story.now.date() - timedelta(days=days_ago), OPEN_WEEKDAYS)


def in_lisbon(cafe: Shop) -> None:
    with cafe.step() as uow:
        # The seller on its receipts (a made-up NIF with a valid check digit).
        seller = {
            "legal_name": "Café Azul, Lda.",
            "address": "Rua Augusta 10\n1100-053 Lisboa",
            "tax_id": "509999999",
        }
        # Its phone, a Lisbon landline's form, made up (the zeros say so).
        update_merchant(uow, timezone=ZONE, locale="pt_PT", seller=seller, phone="+351 210 000 101")


def this_morning(story: Story, cafe: Shop) -> None:
    """Rui and Sofia, the café's baristas (``trade``), serve this morning and
    served the same weekday last week."""
    for name in ("Rui Pinto", "Sofia Reis"):
        cafe.member(name, commission_bps=500, title="Barista")
    people = [cafe.customer(*who) for who in CUSTOMERS]
    midnight = day_of(story.now, ZoneInfo(ZONE)).start
    # Today is the demo's present: the café is open whenever the demo starts.
    # The same weekday last week may have been a holiday: then nothing to compare.
    weeks = (0,) if was_closed(story, 7) else (7, 0)
    for week_ago in weeks:
        chosen = LAST_WEEK if week_ago else range(len(THIS_MORNING))
        for n in chosen:
            minutes, by, items, how, tip = THIS_MORNING[n]
            start = story.now - timedelta(days=week_ago, minutes=minutes)
            # A visit lasts its longest item and a few minutes to pay: all of it before now.
            today_at = start + timedelta(days=week_ago)
            if today_at < midnight or minutes < cafe.minutes_for(items) + 6:
                continue
            story.clock.set(start)
            tab = cafe.order(people[n % len(people)], items, by=by)
            story.later(cafe.minutes_for(items))
            cash, card = (tip, None) if how == "cash" else (None, tip)
            story.finish(cafe, tab, cash_tip=cash, card_tip=card)
