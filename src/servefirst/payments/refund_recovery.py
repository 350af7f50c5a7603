"""Refunds a crash (or a processor that did not answer) left pending,
finished by ``servefirst payments recover`` (``payments.recovery``).

Each is first looked for at the processor under its own key: a refund made
there is answered as it is now, and only a refund never made is sent again,
under the same key. Sending it again blindly would count on the processor
still keeping the key (Stripe forgets it after 24 hours, and would then make
a second refund) and on the parameters built today being the first call's
(Stripe refuses a key reused with other ones, for those 24 hours).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import GatewayUnavailable
from servefirst.payments.refund_repository import RefundRepository
from servefirst.payments.refund_rules import RefundStatus
from servefirst.payments.refunds import KEY_REUSED, ask_processor, charge_of, finish_refund

#: A pending refund younger than this may still be in its request's hands.
RECOVERY_GRACE = timedelta(minutes=1)


def finish_pending_refunds(
    uow_for: Callable[[str | None], UnitOfWork],
    *,
    grace: timedelta = RECOVERY_GRACE,
    waiting: list[str] | None = None,
    keys_refused: list[str] | None = None,
) -> list[str]:
    """Finish every refund a crash left pending (``servefirst payments
    recover``, ``payments.recovery``): look for it at the processor under its
    own key, send it again under that key only if none was made, then keep
    the answer. Returns the refunds finished. A refund through a processor
    the merchant has no keys for any more stays pending (added to
    ``waiting``) until they are set again; one whose key the processor
    refused (first used with other parameters) stays pending too (added to
    ``keys_refused``), asked again next round."""
    waiting = [] if waiting is None else waiting
    keys_refused = [] if keys_refused is None else keys_refused
    with uow_for(None) as look:
        pending = RefundRepository(look).pending_before(look.clock.now() - grace)
    finished: list[str] = []
    for merchant_id, refund_id in pending:
        with uow_for(merchant_id) as uow:
            refund = RefundRepository(uow).get(refund_id)
            if refund is None or refund.status != RefundStatus.PENDING.value:
                continue
            try:
                charge, currency = charge_of(uow, refund)
            except GatewayUnavailable:
                waiting.append(refund_id)
                continue
            gateways = uow.gateways
        # Closed: no transaction stays open while the processor is asked.
        result = ask_processor(gateways, refund, charge, currency, asked_before=True)
        with uow_for(merchant_id) as uow:
            done = finish_refund(uow, refund_id, result)
            uow.commit()
        if done.status != RefundStatus.PENDING.value:  # else: still unanswered, asked next time
            finished.append(refund_id)
        elif result.failure_code == KEY_REUSED:
            keys_refused.append(refund_id)
    return finished
