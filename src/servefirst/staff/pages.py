"""The staff console ``/staff``: what staff do at the counter, as plain HTML forms.

Each route translates a form into one call of a feature service (tabs,
payments, guarantee, bookings, customers) and shows the result; no business rule lives
here. Every change is a POST with the session's CSRF token and answers with a
redirect (so a reload never repeats it); a refusal is shown on the same page
with its 4xx status. htmx only makes the customer search answer as one types.

The routes live by use case: ``sign_in_pages`` (signing in and out),
``customer_book_pages`` (finding and adding customers), ``tab_pages`` (a
customer's page and their tabs), ``payment_pages`` (cash and
rewards at the counter), ``booking_pages`` (check-in,
cancel, no-show); ``today_page`` (the day at a glance, where sign-in lands); ``home_page`` is the
counter page they share; ``team_pages`` (who works here, who left) and
``team_forms`` (adding someone, changing their title or access);
``settings_page`` and ``password_pages`` (a member's own language and password).
"""

from __future__ import annotations

from fastapi import APIRouter

from servefirst.staff import (
    booking_pages,
    correction_pages,
    counter_pages,
    customer_book_pages,
    customer_pages,
    day_pages,
    hours_pages,
    invoice_pages,
    line_pages,
    password_pages,
    payment_pages,
    policy_pages,
    service_pages,
    settings_page,
    sign_in_pages,
    tab_pages,
    tax_pages,
    team_forms,
    team_pages,
    today_page,
)

router = APIRouter()
router.include_router(sign_in_pages.router)
router.include_router(tab_pages.router)
router.include_router(customer_book_pages.router)
router.include_router(payment_pages.router)
router.include_router(invoice_pages.router)
router.include_router(booking_pages.router)
router.include_router(day_pages.router)
router.include_router(hours_pages.router)
router.include_router(customer_pages.router)
router.include_router(counter_pages.router)
router.include_router(service_pages.router)
router.include_router(policy_pages.router)
router.include_router(correction_pages.router)
router.include_router(line_pages.router)
router.include_router(today_page.router)
router.include_router(settings_page.router)
router.include_router(password_pages.router)
router.include_router(tax_pages.router)
router.include_router(team_pages.router)
router.include_router(team_forms.router)
