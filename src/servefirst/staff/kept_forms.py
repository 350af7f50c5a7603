"""Forms of the back office that are given back, never lost.

``act`` (``staff.web``) answers a stale CSRF token with a page of its own;
the management forms instead show the same form again with what was typed and
the trouble in words, so nothing typed is lost and nothing was saved. Every
console form that keeps what was typed goes through ``act_keeping`` here, so
an expired form is said the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request
from fastapi.responses import Response

from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import InvalidRequest, ServefirstError
from servefirst.kit.i18n import N_
from servefirst.kit.i18n import gettext as _
from servefirst.staff import service as staff
from servefirst.staff.rules import Access
from servefirst.staff.web import (
    BelowAccess,
    CsrfRejected,
    SignInRequired,
    change_checked,
    commit_change,
    console,
    refused,
    submitted_csrf,
)

#: An expired form (another tab signed in again, or a long pause), in one set
#: of words for every console form. It asks for a check rather than promising
#: every entry is back: a password or a gateway's secret is never given back.
STALE_FORM = N_("This form had expired, so nothing was saved. Check it and send it again.")


def act_keeping(
    request: Request,
    csrf: str,
    change: Callable[[UnitOfWork, staff.SignedIn], str],
    on_error: Callable[[UnitOfWork, staff.SignedIn, ServefirstError], Response],
    *,
    needs: Access = Access.STAFF,
) -> Response:
    """As ``staff.web.act``; a stale or missing CSRF token gives the form back
    (``on_error``, status 403) with what was typed and nothing saved."""
    csrf = submitted_csrf(request, csrf)
    change = change_checked(request, change)
    try:
        with console(request, write=True, csrf=csrf, needs=needs) as (uow, me):
            return commit_change(uow, me, change, on_error)
    except CsrfRejected:
        pass
    except (SignInRequired, BelowAccess) as exc:
        return refused(request, exc)
    stale = InvalidRequest(_(STALE_FORM), code="csrf_stale", status=403)
    try:
        with console(request, write=False, needs=needs) as (uow, me):
            return on_error(uow, me, stale)
    except (SignInRequired, CsrfRejected, BelowAccess) as exc:
        return refused(request, exc)
