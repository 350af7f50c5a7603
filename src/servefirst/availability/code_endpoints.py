"""A returning customer's one-time e-mail code over the public API, as on the
booking page (``web.booking_codes``; ``availability.codes`` decides).

Ask for a code for an e-mail: the answer is the same whoever it belongs to,
and the same limits apply as on the page. Confirm it: the answer carries a
``proof_id``, which ``POST /v1/public/merchants/{slug}/bookings`` takes as
``email_proof`` to book as the customer the business knows. Offered only when
the server can send e-mail and has its secret key.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from servefirst.api.context import runtime_of
from servefirst.api.routing import ServefirstRoute
from servefirst.availability import codes
from servefirst.availability.endpoints import SlugUoW, require_codes
from servefirst.availability.schemas import (
    EmailCodeConfirmIn,
    EmailCodeIn,
    EmailCodeOut,
    EmailProofOut,
)
from servefirst.kit.onetime import CODE_LIFETIME, PROOF_LIFETIME

router = APIRouter(route_class=ServefirstRoute)


@router.post(
    "/v1/public/merchants/{slug}/email-codes",
    tags=["customer"],
    status_code=201,
    response_model=EmailCodeOut,
    summary="E-mail a one-time code to show an e-mail is yours (the same answer for any e-mail)",
    operation_id="create_email_code",
    responses={429: {"description": "email_code_rate_limited: too many codes asked just now"}},
)
def create_email_code(slug: str, body: EmailCodeIn, uow: SlugUoW, request: Request) -> EmailCodeOut:
    require_codes(runtime_of(request))
    # The address the page's limit counts too: uvicorn's peer, which is the
    # proxy's X-Forwarded-For only behind a trusted proxy.
    client_ip = request.client.host if request.client else "unknown"
    email = body.email.strip()
    code_id = codes.ask_code(uow, email=email, client_ip=client_ip)
    return EmailCodeOut(id=code_id, email=email, expires_at=uow.clock.now() + CODE_LIFETIME)


@router.post(
    "/v1/public/merchants/{slug}/email-codes/{code_id}/confirm",
    tags=["customer"],
    response_model=EmailProofOut,
    summary="Type the e-mailed code back: a proof to book as the returning customer",
    operation_id="confirm_email_code",
)
def confirm_email_code(
    slug: str, code_id: str, body: EmailCodeConfirmIn, uow: SlugUoW, request: Request
) -> EmailProofOut:
    rt = runtime_of(request)
    require_codes(rt)
    row = codes.confirm_or_refuse(uow, code_id[:40], body.code, secret=rt.settings.secret_key or "")
    assert row.confirmed_at is not None
    return EmailProofOut(
        id=row.code_id, proof_id=row.code_id, proof_expires_at=row.confirmed_at + PROOF_LIFETIME
    )
