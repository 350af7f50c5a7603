"""One error family for the whole product.

Every error knows its HTTP status and a stable ``code`` that integrators can
branch on; one handler (``servefirst.api.errors``) renders the contract's shape
``{"error": {"type", "code", "message", "param"}}``. Raising anything from
here can never surface as a 500.
"""

from __future__ import annotations

from typing import Any


class ServefirstError(Exception):
    status: int = 400
    type: str = "invalid_request_error"
    code: str = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        status: int | None = None,
        details: dict[str, Any] | None = None,
        figures: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.param = param
        # Extra facts for the caller (e.g. what would allow a refused tab).
        self.details = details or {}
        # What a page needs to say it again in the reader's language (e.g. the
        # currency of the amounts); never part of the API's answer.
        self.figures = figures or {}

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.type,
            "code": self.code,
            "message": self.message,
            "param": self.param,
        }
        body.update(self.details)
        return {"error": body}


class InvalidRequest(ServefirstError):
    """The request was read but a parameter is wrong."""

    status = 422
    code = "parameter_invalid"


class AuthenticationFailed(ServefirstError):
    status = 401
    type = "authentication_error"
    code = "unauthenticated"


class Forbidden(ServefirstError):
    """Signed in, but this member's access level may not do this."""

    status = 403
    type = "permission_error"
    code = "forbidden"


class NotFound(ServefirstError):
    """Unknown id, or an id that belongs to another merchant (never say which)."""

    status = 404
    code = "resource_missing"


class Conflict(ServefirstError):
    """The object is not in a state that allows this (an illegal transition)."""

    status = 409
    code = "conflict"


class PaymentInProgress(Conflict):
    """Another payment on the tab is waiting for the processor's answer."""

    code = "payment_in_progress"


class GatewayUnavailable(Conflict):
    """Money that a processor holds (a Stripe payment, refund or card hold),
    asked about while the merchant has no keys set for that processor (it
    switched back to the sandbox): only that processor can act on it, so
    nothing is done until its keys are set again."""

    code = "gateway_unavailable"


class GatewayInUse(Conflict):
    """Switching away from a processor that still holds money servefirst is
    waiting on (an unanswered payment or refund, a card hold): it would be
    left there with nothing to finish it."""

    code = "gateway_in_use"


class CardDeclined(ServefirstError):
    """The card network said no; ``code`` carries its reason."""

    status = 402
    type = "card_error"
    code = "card_declined"


class PolicyRefused(ServefirstError):
    """The merchant's policy (trust tier, tab limit) does not allow this now."""

    status = 402
    type = "policy_error"


class IdempotencyError(ServefirstError):
    type = "idempotency_error"


class RateLimited(ServefirstError):
    status = 429
    type = "rate_limit_error"
    code = "rate_limited"
