"""The console's customer book (``/staff/customers``): find a customer by
name, e-mail or phone (htmx asks for the list alone as the search is typed),
and add one (a likely duplicate is shown first: ``customer_pages``).

A search holding a NUL character finds no one and says why beside the box
(``staff.web.searched``). The new-customer form adds its customer once however
often it is sent (``customer_once``), a refused field is said beside it, and
the form sent after it expired comes back as typed (``kept_forms``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError

from servefirst.customers.schemas import CustomerIn
from servefirst.customers.service import create_customer
from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import IdempotencyError, ServefirstError
from servefirst.kit.i18n import N_
from servefirst.kit.refusals import in_words
from servefirst.merchants.service import get_merchant
from servefirst.staff import console, customer_once
from servefirst.staff import service as staff
from servefirst.staff.customer_pages import LikelyDuplicate, check_not_duplicate, duplicate_page
from servefirst.staff.kept_forms import act_keeping
from servefirst.staff.schema_words import refused_field
from servefirst.staff.web import (
    SESSION_COOKIE,
    base_context,
    render,
    runtime_of,
    searched,
    see_other,
    show,
)

router = APIRouter(prefix="/staff", include_in_schema=False)

FormText = Annotated[str, Form()]

#: The new-customer form's fields as their refusals name them.
FIELD_NAMES = {"name": N_("name"), "email": N_("e-mail"), "phone": N_("phone")}


@router.get("/customers")
def find_customers(request: Request, q: str = "") -> Response:
    """Search by name, e-mail or phone; htmx asks for the results list alone."""

    book = request.query_params.get("book") == "1" or not request.headers.get("HX-Request")

    def build(uow: UnitOfWork, me: staff.SignedIn) -> Response:
        query, refusal = searched(q)  # said in the member's language, known from here
        if request.headers.get("HX-Request"):  # the results alone, as the search is typed
            if refusal is not None:
                # 200: htmx puts only a 2xx answer in the page, under the box.
                shown = {**_found([], query, book), "search_refusal": refusal}
                return render(request, "staff/_customers.html", shown)
            found = console.customer_book(uow, q) if book else console.customer_matches(uow, q)
            return render(request, "staff/_customers.html", _found(found, q, book))
        return _customers_page(request, uow, me, query, search_refusal=refusal)

    return show(request, build)


def _found(customers: list[Any], query: str, book: bool) -> dict[str, Any]:
    return {"customers": customers, "query": query, "book": book, "book_limit": console.BOOK_LIMIT}


def _customers_page(
    request: Request,
    uow: UnitOfWork,
    me: staff.SignedIn,
    query: str,
    *,
    error: str | None = None,
    typed: dict[str, str] | None = None,
    status: int = 200,
    search_refusal: str | None = None,
) -> Response:
    """The customers page: the book A to Z or what matches ``query`` (no one,
    with ``search_refusal`` said beside the box), and the new-customer form
    (open, as typed, after a refusal)."""
    found = [] if search_refusal else console.customer_book(uow, query)
    status = 422 if search_refusal else status
    context = base_context(
        me,
        request,
        merchant_name=get_merchant(uow).name,
        error=error,
        new_customer=typed,
        search_refusal=search_refusal,
        **_found(found, query, True),
    )
    return render(request, "staff/customers.html", context, status=status)


@router.post("/customers")
def add_customer(
    request: Request,
    name: FormText = "",
    email: FormText = "",
    phone: FormText = "",
    anyway: FormText = "",
    attempt: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    typed = {"name": name, "email": email, "phone": phone, "attempt": attempt}
    rt = runtime_of(request)
    merchant_id = staff.session_merchant(request.cookies.get(SESSION_COOKIE))
    try:
        once = customer_once.begin(rt, merchant_id, attempt, (name, email, phone))
    except IdempotencyError:  # the same form, sent while its first send is still running
        return show(request, lambda uow, me: _being_added(request, uow, me, typed))
    if once.done_at is not None:  # sent again: the customer the first send added
        return see_other(once.done_at)

    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        try:
            body = CustomerIn.model_validate(
                {"name": name, "email": email.strip() or None, "phone": phone.strip() or None}
            )
        except ValidationError as exc:
            raise refused_field(exc, FIELD_NAMES) from None
        if anyway != "yes":  # a likely duplicate is shown first (customer_pages)
            check_not_duplicate(uow, body.email, body.phone)
        customer = create_customer(uow, name=body.name, email=body.email, phone=body.phone)
        where = f"/staff/customers/{customer.customer_id}?done=customer"
        customer_once.answer(uow, once, where)
        return where

    def on_error(uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError) -> Response:
        if isinstance(exc, LikelyDuplicate):
            return duplicate_page(request, me, exc, typed, get_merchant(uow).name)
        if exc.param in FIELD_NAMES:  # said beside its field: the form sits below the whole book
            refused = typed | {"invalid": exc.param, "refusal": in_words(exc)}
            return _customers_page(request, uow, me, "", typed=refused, status=exc.status)
        return _customers_page(
            request, uow, me, "", error=in_words(exc), typed=typed, status=exc.status
        )

    try:
        # An expired form (the member signed in again elsewhere) comes back as
        # typed, with its key, rather than on a page of its own: nothing is lost.
        return act_keeping(request, csrf_token, change, on_error)
    finally:
        customer_once.settle(rt, once)


#: A second send of the form while the first is still being added.
BEING_ADDED = N_(
    "This customer is being added already (the form was sent twice): wait a moment, then"
    " find them by name."
)


def _being_added(
    request: Request, uow: UnitOfWork, me: staff.SignedIn, typed: dict[str, str]
) -> Response:
    return _customers_page(request, uow, me, "", error=BEING_ADDED, typed=typed, status=409)
