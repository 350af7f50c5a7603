"""The request's one commit point, beside its idempotency key.

``context.py`` opens a request's unit of work (and claims its
``Idempotency-Key``); the endpoint only flushes; here, once the request has an
outcome, it ends in one of three ways:

* an answer (any status below 500): the answer is stored under the key and
  committed in the same transaction as the work it describes;
* a refusal (a ``ServefirstError`` below 500): the work is rolled back and the
  refusal is stored as the key's answer, so a retry gets the same refusal;
* anything else (unreadable input, a crash): the work is rolled back and the
  key released, free for a retry (unless its request kept a recovery point
  in a first phase it committed, ``api.phased``: a retry lands there);
* a refusal about the key itself (``IdempotencyError``: its first request is
  still being finished): the key is left as it was, for the retry after.

Commits elsewhere, all through the request's one unit of work, are the
named exceptions; a new endpoint should need none of them:

* a use case that calls a payment processor commits in phases (DESIGN.md, "A
  payment in phases"): ``payments.phases``, ``payments.refunds``, the
  booking's deposit and hold phases; the last phase is committed here;
* work that must stay done when the request is then refused: an e-mail
  code's wrong try (``availability.codes.confirm_or_refuse``) and a refused
  public booking giving its proof back (``availability.endpoints``), so
  tries cannot be had for free.

Pages carry no ``Idempotency-Key`` and commit in their own helper, one per
kind of page, in the same way (work, then commit; a refusal rolled back):
``staff.web.act``/``show`` and ``staff.kept_forms.act_keeping`` for the
console, ``_write`` in ``web.customer`` and ``web.booking_pages``.
"""

from __future__ import annotations

from fastapi import Request, Response

from servefirst.api.context import error_json, runtime_of
from servefirst.db.uow import UnitOfWork, new_session
from servefirst.idempotency import service as idempotency
from servefirst.kit.errors import IdempotencyError, ServefirstError


def conclude(request: Request, outcome: Response | BaseException) -> Response:
    """Commit or roll back the request's work by its ``outcome``; return the
    response, or raise the request's error again."""
    uow: UnitOfWork | None = getattr(request.state, "uow", None)
    claim: idempotency.Claim | None = getattr(request.state, "claim", None)
    if isinstance(outcome, Response):
        if uow is not None:
            _commit(request, uow, claim, outcome)
        return outcome
    if uow is not None:
        uow.rollback()
        uow.close()
    if claim is not None and not isinstance(outcome, IdempotencyError):
        if isinstance(outcome, ServefirstError) and outcome.status < 500:
            _store_refusal(request, claim, outcome)
        else:
            _release(request, claim)
    raise outcome


def _commit(
    request: Request, uow: UnitOfWork, claim: idempotency.Claim | None, response: Response
) -> None:
    try:
        if claim is not None and response.status_code < 500:
            idempotency.store(uow.session, claim, response.status_code, bytes(response.body))
        uow.commit()
    except BaseException:
        uow.rollback()
        if claim is not None:
            _release(request, claim)
        raise
    finally:
        uow.close()


def _store_refusal(request: Request, claim: idempotency.Claim, refusal: ServefirstError) -> None:
    session = new_session(runtime_of(request).engine, write=True)
    try:
        idempotency.store(session, claim, refusal.status, error_json(refusal.to_dict()))
        session.commit()
    finally:
        session.close()


def _release(request: Request, claim: idempotency.Claim) -> None:
    session = new_session(runtime_of(request).engine, write=True)
    try:
        idempotency.release(session, claim)
    finally:
        session.close()
