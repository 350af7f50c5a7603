"""The online booking pages' form: its guard against forged posts, reading
what the customer typed, the page's language, and refusals in words.

The pages have no session: a form is guarded by a random value kept both in
a cookie (SameSite) and in the form itself; another site can post the form
but cannot read the cookie to copy its value. A form whose value no longer
matches (the cookie expired, another tab replaced it) comes back with the
entry kept, asking to send it again.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from fastapi import Request
from fastapi.responses import Response

from servefirst.api.fields import CALENDAR_START, in_calendar
from servefirst.customers.rules import PHONE_MAX, is_phone
from servefirst.kit import i18n
from servefirst.kit.errors import InvalidRequest, ServefirstError
from servefirst.kit.i18n import N_, gettext
from servefirst.kit.refusals import has_words, in_words
from servefirst.kit.typed import refuse_nul
from servefirst.web.words import at_most

COOKIE = "sf_booking_form"
#: A form's guard lives this long (a day: time enough to choose and pay).
COOKIE_SECONDS = 24 * 3600
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: The most a name and an e-mail hold, as the customers API takes them (and
#: the form's ``maxlength``); longer is refused, never cut. A phone follows
#: the customers' own rule (``customers.rules``), its most among it.
NAME_MAX, EMAIL_MAX = 200, 320
NAME_TOO_LONG = N_("Please give your name in at most %(most)s characters; this has %(typed)s.")
EMAIL_TOO_LONG = N_(
    "Please give an e-mail address of at most %(most)s characters; this has %(typed)s."
)
PHONE_TOO_LONG = N_(
    "Please give a phone number of at most %(most)s characters, or leave it out;"
    " this has %(typed)s."
)
#: Days of times shown at once, as the availability route's limit.
WINDOW_DAYS = 14


def guard_of(request: Request) -> str:
    """The form guard this browser holds, or a new one (set by ``keep_guard``)."""
    held = request.cookies.get(COOKIE, "")
    return held if 20 <= len(held) <= 64 else secrets.token_urlsafe(24)


def keep_guard(request: Request, response: Response, guard: str) -> Response:
    response.set_cookie(
        COOKIE,
        guard,
        max_age=COOKIE_SECONDS,
        path="/b/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


def check_guard(request: Request, sent: str) -> None:
    held = request.cookies.get(COOKIE, "")
    if not held or not sent or not secrets.compare_digest(held.encode(), sent.encode()):
        raise InvalidRequest("The form expired.", code="form_expired", param="csrf_token")


def speak(request: Request, merchant_locale: str) -> str:
    """The browser's language when it names one the pages ship in; else the merchant's."""
    header = request.headers.get("accept-language") or ""
    asked = {t.strip().split(";")[0].split("-")[0].lower() for t in header.split(",")}
    language = (
        i18n.negotiate(header) if asked & set(i18n.LANGUAGES) else i18n.language_of(merchant_locale)
    )
    i18n.set_language(language)
    return language


@dataclass(frozen=True)
class Entry:
    """What the customer typed into the booking form (kept on every refusal)."""

    service: str = ""
    staff: str = ""
    starts_at: str = ""
    name: str = ""
    email: str = ""
    phone: str = ""

    def as_form(self) -> dict[str, str]:
        return {
            k: getattr(self, k) for k in ("service", "staff", "starts_at", "name", "email", "phone")
        }

    def chosen(self) -> dict[str, str]:
        """What was chosen on the page, not typed: the form's general limit
        (``words.within_field_max``); the details typed have their own (``checked``)."""
        return {k: getattr(self, k) for k in ("service", "staff", "starts_at")}


def checked(entry: Entry) -> tuple[datetime, str, str, str | None]:
    """The time, name, e-mail and phone, or a refusal naming the first wrong field."""
    refuse_nul((field, getattr(entry, field)) for field in ("name", "email", "phone"))
    if not entry.starts_at:
        raise InvalidRequest("Choose a time.", code="slot_missing", param="starts_at")
    try:
        starts_at = datetime.fromisoformat(entry.starts_at)
    except ValueError:
        raise InvalidRequest("Choose a time.", code="slot_missing", param="starts_at") from None
    if starts_at.tzinfo is None:
        raise InvalidRequest("Choose a time.", code="slot_missing", param="starts_at")
    # A time no page offers (the year 9999, sent by hand): refused as the API
    # refuses it, before it is moved to UTC, which would overflow the calendar.
    if starts_at < CALENDAR_START:
        raise InvalidRequest("That time has passed.", code="slot_in_past", param="starts_at")
    if not in_calendar(starts_at):
        raise InvalidRequest(
            "That time is too far ahead.", code="slot_too_far_ahead", param="starts_at"
        )
    name = " ".join(entry.name.split())
    if not name:
        raise InvalidRequest("Your name is missing.", code="name_missing", param="name")
    at_most(name, NAME_MAX, param="name", words=NAME_TOO_LONG)
    email = at_most(entry.email.strip(), EMAIL_MAX, param="email", words=EMAIL_TOO_LONG)
    if not EMAIL.match(email):
        raise InvalidRequest("That e-mail is not valid.", code="email_invalid", param="email")
    phone = at_most(entry.phone.strip(), PHONE_MAX, param="phone", words=PHONE_TOO_LONG)
    if phone and not is_phone(phone):
        raise InvalidRequest("That phone number is not valid.", code="phone_invalid", param="phone")
    return starts_at.astimezone(UTC), name, email, phone or None


def window(start: str, today: date) -> date:
    """The first day of the 14 days shown: never before today."""
    try:
        first = date.fromisoformat(start)
    except ValueError:
        return today
    return max(first, today) if first.year < 2100 else today


def days_of(first: date) -> tuple[date, date, date]:
    """The window's last day, and the first days of the windows before and after."""
    return (
        first + timedelta(days=WINDOW_DAYS - 1),
        first - timedelta(days=WINDOW_DAYS),
        first + timedelta(days=WINDOW_DAYS),
    )


def local(moment: datetime, zone: tzinfo) -> datetime:
    return moment.astimezone(zone)


def refusal_words(error: ServefirstError) -> str:
    """A refusal as the customer reads it, in their language."""
    if error.type == "card_error":
        return gettext("Your card was not accepted. Try another card.")
    words = {
        "form_expired": gettext(
            "This form expired. Your entry is kept: check it and send it again."
        ),
        "slot_missing": gettext("Choose a time."),
        "name_missing": gettext("Please give your name."),
        "email_invalid": gettext("Please give an e-mail address like name@example.com."),
        "phone_invalid": gettext(
            "Please give a phone number in digits, like +351 912 345 678, or leave it out."
        ),
        "slot_in_past": gettext("That time has passed. Choose another time."),
        "slot_too_soon": gettext("That time is too soon to book online. Choose a later time."),
        "slot_too_far_ahead": gettext("That time is too far ahead. Choose an earlier time."),
        "slot_outside_hours": gettext("That time is not offered. Choose one of the times shown."),
        "booking_overlaps": gettext(
            "Sorry, someone booked that time a moment ago. These times are still free:"
        ),
        "deposit_required": gettext("This booking needs a deposit: enter a card to leave it."),
        "service_not_performed": gettext(
            "This person does not perform this service. Choose someone else, or anyone."
        ),
        "staff_not_bookable": gettext(
            "This person takes no bookings online. Choose someone else, or anyone."
        ),
        "booking_state_invalid": gettext("This booking can no longer be changed."),
        "move_not_online": gettext("This booking cannot be moved online. Please call us."),
        "idempotency_key_in_use": gettext(
            "Your booking is being made. Wait a moment: its confirmation comes by e-mail."
        ),
    }
    if error.code == "resource_missing" and error.param == "staff_id":
        # An id sent by hand (or a person since removed): the list has who can be chosen.
        return gettext(
            "We could not find that person here. Choose someone from the list, or anyone."
        )
    if error.code not in words and has_words(error):
        return in_words(error)  # said again from its figures (a field too long, a time off-step)
    return words.get(error.code, gettext("This could not be done. Please try again."))
