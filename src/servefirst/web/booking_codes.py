"""The booking page's "I have been here before": asking for a one-time code,
typing it back, and what the page says at each step (``availability.codes``
decides; this only words it).

Offered only when the server can send e-mail (``SERVEFIRST_SMTP_URL``) and has
the secret key codes are worked out with (``SERVEFIRST_SECRET_KEY``). The
words after asking are the same whoever the e-mail belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from servefirst.availability.codes import Checked, CodeCheck
from servefirst.kit.i18n import gettext, ngettext
from servefirst.kit.onetime import CODE_LIFETIME
from servefirst.runtime import Runtime

MINUTES = int(CODE_LIFETIME.total_seconds() // 60)


def codes_offered(rt: Runtime) -> bool:
    return bool(rt.settings.smtp_url and rt.settings.secret_key)


def client_ip(request: Request) -> str:
    """The address the limit on codes counts: uvicorn's peer, which is the
    proxy's ``X-Forwarded-For`` only behind a trusted proxy (as for sign-in)."""
    return request.client.host if request.client else "unknown"


@dataclass(frozen=True)
class CodeState:
    """What the review page shows of a code: its request, whether it was
    confirmed, and the last refusal in words."""

    id: str = ""
    confirmed: bool = False
    error: str = ""
    minutes: int = MINUTES


def checked_words(checked: Checked) -> str:
    if checked.outcome is CodeCheck.WRONG:
        return ngettext(
            "That code is not right. You can try %(num)d more time.",
            "That code is not right. You can try %(num)d more times.",
            checked.tries_left,
        ) % {"num": checked.tries_left}
    if checked.outcome is CodeCheck.SPENT:
        return gettext("This code no longer works. Ask for a new one.")
    return ""


def missing_words() -> str:
    """No code typed (blank, or spaces): said without counting a try."""
    return gettext("Type the code from the e-mail.")


def refused_words(code: str) -> str:
    if code == "email_code_rate_limited":
        return gettext(
            "Too many codes were asked for just now. Wait a few minutes, or book as a new"
            " customer below."
        )
    return gettext("Your e-mail's confirmation ran out. Ask for a new code.")
