"""A refusal said again in the page's language from its code and figures."""

from __future__ import annotations

import pytest

from servefirst.kit import formats, i18n
from servefirst.kit.errors import Conflict, PolicyRefused
from servefirst.kit.refusals import in_words

OVER_LIMIT = {
    "tier": "new",
    "limit": 10000,
    "outstanding": 2000,
    "available": 8000,
    "unlock": [
        {"action": "more_on_time_visits", "visits": 1, "limit": 15000},
        {"action": "prepay", "amount": 11250},
        {"action": "raise_limit"},
    ],
}


def _refused(details: dict[str, object], figures: dict[str, object]) -> PolicyRefused:
    return PolicyRefused(
        "English words", code="tab_limit_exceeded", details=details, figures=figures
    )


def test_the_tab_limit_refusal_in_portuguese_with_the_merchants_money() -> None:
    with i18n.use_language("pt"), formats.use_place("pt_PT", "Europe/Lisbon"):
        said = in_words(_refused(OVER_LIMIT, {"currency": "EUR"})).replace("\xa0", " ")
    assert said.startswith("Isto levaria o cliente além do limite da conta")
    assert "100,00 € com 20,00 € já em dívida, 80,00 € disponíveis" in said
    assert "Mais 1 visita paga a tempo sobe o limite para 150,00 €." in said
    assert "Ou receba 112,50 € antes de servir" in said


def test_counts_take_the_plural_in_both_languages() -> None:
    two = {**OVER_LIMIT, "unlock": [{"action": "more_on_time_visits", "visits": 2, "limit": 1}]}
    with i18n.use_language("pt"), formats.use_place("pt_PT", "Europe/Lisbon"):
        assert "Mais 2 visitas pagas a tempo sobem" in in_words(_refused(two, {"currency": "EUR"}))
    with i18n.use_language("en"), formats.use_place("en_GB", "Europe/London"):
        assert "2 more on-time paid visits raise the limit to €0.01." in in_words(
            _refused(two, {"currency": "EUR"})
        )


def test_without_its_figures_a_refusal_keeps_its_own_words() -> None:
    with i18n.use_language("pt"):
        assert in_words(_refused(OVER_LIMIT, {})) == "English words"  # no currency
        assert in_words(_refused({"tier": "new"}, {"currency": "EUR"})) == "English words"
        assert in_words(Conflict("Something else.", code="other")) == "Something else."
        assert in_words(Conflict("x", code="nothing_to_pay")) == "Nada está em dívida nesta conta."


def test_every_refusal_said_without_figures_reads_in_portuguese() -> None:
    from servefirst.kit.refusals import _PLAIN

    for code in _PLAIN:
        refused = Conflict("English words", code=code)
        with i18n.use_language("en"):
            english = in_words(refused)
        with i18n.use_language("pt"):
            portuguese = in_words(refused)
        assert english != "English words", code
        assert portuguese != english, f"{code} has no Portuguese words"


def test_a_customer_reviewing_a_paid_tab_again_reads_why_in_portuguese() -> None:
    refused = Conflict("This tab is paid; its review can no longer change.", code="review_locked")
    with i18n.use_language("pt"):
        assert in_words(refused) == "Esta conta está paga; a avaliação já não pode mudar."


def test_a_fixed_refusal_message_is_said_from_the_catalog() -> None:
    refused = Conflict(
        "Add what was served before marking the tab served (or void an empty tab).",
        code="tab_empty",
    )
    with i18n.use_language("en"):
        assert in_words(refused) == refused.message
    with i18n.use_language("pt"):
        assert in_words(refused).startswith("Acrescente o que foi servido")


def test_a_refund_past_what_is_left_is_said_in_money_not_minor_units() -> None:
    from servefirst.kit.errors import InvalidRequest

    figures = {"refundable_amount": 910, "refundable_tip": 50}
    over_bill = InvalidRequest(
        "amount 1000 is more than the 910 left to refund of this payment's bill part.",
        code="amount_exceeds_refundable",
        details=figures,
        figures={"asked": 1000, "part": "amount", "currency": "EUR"},
    )
    over_tip = InvalidRequest(
        "tip 500 is more than the 50 left to refund of this payment's tip.",
        code="amount_exceeds_refundable",
        details=figures,
        figures={"asked": 500, "part": "tip", "currency": "EUR"},
    )
    with i18n.use_language("en"), formats.use_place("en_GB", "Europe/London"):
        assert in_words(over_bill) == "€10.00 is more than the €9.10 left to refund from the bill."
        assert in_words(over_tip) == "€5.00 is more than the €0.50 left to refund from the tip."
    with i18n.use_language("pt"), formats.use_place("pt_PT", "Europe/Lisbon"):
        said = in_words(over_bill).replace("\xa0", " ")
        assert said == "10,00 € é mais do que os 9,10 € que restam para reembolsar da conta."


def test_a_void_the_bill_no_longer_covers_is_said_in_money() -> None:
    refused = Conflict(
        "Only 330 is still due, less than this line's 380: part of it is paid already, so refund"
        " the payment instead of voiding the line.",
        code="refund_first",
        details={"amount_due": 330},
        figures={"line_amount": 380, "currency": "EUR"},
    )
    with i18n.use_language("pt"), formats.use_place("pt_PT", "Europe/Lisbon"):
        said = in_words(refused).replace("\xa0", " ")
    assert said == (
        "Só falta pagar 3,30 €, menos do que os 3,80 € desta linha: parte já foi paga, por isso"
        " reembolse o pagamento em vez de anular a linha."
    )
    paid = Conflict(
        "This tab is paid; refund the payment instead of voiding a line.",
        code="refund_first",
        details={"tab_status": "paid"},
        figures={"currency": "EUR"},
    )
    with i18n.use_language("pt"):
        said = in_words(paid)
    assert said == "Esta conta está paga; reembolse o pagamento em vez de anular uma linha."


def test_a_refund_the_processor_refused_is_said_in_the_readers_words() -> None:
    from servefirst.kit.errors import CardDeclined

    refused = CardDeclined("The processor refused the refund (expired_card).", code="refund_failed")
    with i18n.use_language("pt"):
        assert in_words(refused).startswith("O processador de cartões recusou o reembolso")


def test_an_amount_typed_wrong_is_refused_in_the_readers_words() -> None:
    from servefirst.kit.errors import InvalidRequest
    from servefirst.kit.typed import parse_amount

    said: dict[str, str] = {}
    for typed in ("abc", "1,234", "-1", "99999999999999999999", "nan", "-Infinity"):
        with pytest.raises(InvalidRequest) as refused:
            parse_amount(typed, "EUR", param="amount")
        with i18n.use_language("pt"):
            said[typed] = in_words(refused.value)
    assert said == {
        "abc": "'abc' não é um valor; escreva-o como 2,50.",
        "1,234": "Os valores em EUR têm no máximo 2 casas decimais.",
        "-1": "Um valor não pode ser negativo: escreva zero ou mais.",
        "99999999999999999999": "Esse valor é demasiado grande.",
        "nan": "'nan' não é um valor; escreva-o como 2,50.",
        "-Infinity": "'-Infinity' não é um valor; escreva-o como 2,50.",
    }
    with pytest.raises(InvalidRequest) as refused:
        parse_amount("abc", "EUR", param="amount")
    assert in_words(refused.value) == "'abc' is not an amount; write it like 2.50."


def test_a_page_pasted_into_an_amount_is_quoted_short() -> None:
    """5,000 characters in a price field: the refusal names the first few, not
    the whole paste, so the field and its hint stay in view."""
    from servefirst.kit.errors import InvalidRequest
    from servefirst.kit.typed import parse_amount

    with pytest.raises(InvalidRequest) as refused:
        parse_amount("x" * 5000, "EUR", param="price")
    short = "'xxxxxxxxxxxxxxxxxxxx…' is not an amount; write it like 2.50."
    assert refused.value.message == short
    assert in_words(refused.value) == short
