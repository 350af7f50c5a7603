"""Every decision the guarantee writes is said again in Portuguese on the pages,
figures and all; a member of staff's own words are shown as they typed them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from servefirst.guarantee import decision_words
from servefirst.guarantee.rules import GuaranteePolicy, OverLimit, Remedy, decide
from servefirst.kit import i18n

LIMIT = {"claim_limit": 2, "claim_period_days": 30}
DECISIONS = [
    decide(Remedy.PARTIAL, 100, 1000, "EUR", GuaranteePolicy()).reason,
    decide(Remedy.PARTIAL, 900, 1000, "EUR", GuaranteePolicy()).reason,
    decide(
        Remedy.PARTIAL, 900, 1000, "EUR", GuaranteePolicy(auto_approve_percent=Decimal("12.5"))
    ).reason,
    decide(Remedy.REDO, 0, 1000, "EUR", GuaranteePolicy()).reason,
    decide(Remedy.WAIVE, 0, 1000, "EUR", GuaranteePolicy()).reason,
    decide(Remedy.REDO, 0, 1000, "EUR", GuaranteePolicy(review_tiers=("new",)), tier="new").reason,
    decide(Remedy.REDO, 0, 1000, "EUR", GuaranteePolicy(**LIMIT), approved_claims=2).reason,
    decide(
        Remedy.REDO,
        0,
        1000,
        "EUR",
        GuaranteePolicy(claim_limit=1, over_limit=OverLimit.REJECT),
        approved_claims=1,
    ).reason,
    decision_words.STAFF_APPROVED,
    decision_words.STAFF_KEPT_THE_BILL,
]


@pytest.mark.parametrize("decision", DECISIONS)
def test_a_decision_reads_in_portuguese_and_keeps_its_figures(decision: str) -> None:
    with i18n.use_language("pt"):
        said = decision_words.in_reader_words(decision)
    assert said != decision
    digits = [word for word in decision.replace("%", " ").split() if word[0].isdigit()]
    for figure in digits:
        assert figure.rstrip(".,;") in said
    assert decision_words.in_reader_words(decision) == decision  # English stays English


def test_a_past_limit_decision_names_its_claims_and_days_in_portuguese() -> None:
    decision = decide(Remedy.REDO, 0, 1000, "EUR", GuaranteePolicy(**LIMIT), approved_claims=3)
    with i18n.use_language("pt"):
        assert decision_words.in_reader_words(decision.reason) == (
            "Teve 3 reclamações aprovadas nos últimos 30 dias, o máximo que esta garantia dá "
            "de uma vez; um membro da equipa vai decidir."
        )


def test_staff_own_words_are_shown_as_typed() -> None:
    with i18n.use_language("pt"):
        assert decision_words.in_reader_words("Oferecemos o café.") == "Oferecemos o café."
        assert decision_words.in_reader_words("Approved: 50%") == "Approved: 50%"
