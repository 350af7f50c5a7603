"""An owner sets the trust policy from the console: a preset, or each number;
bad entries and stale forms come back as typed."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.conftest import Merchant
from tests.integration.test_pages_staff import (  # noqa: F401 - fixtures
    Staff,
    https_client,
    new_staff,
)


@pytest.fixture
def owner(merchant: Merchant, new_staff: Callable[..., Staff]) -> Iterator[Staff]:  # noqa: F811
    person = new_staff(merchant, role="owner", access="owner")
    assert person.sign_in().status_code == 200
    yield person


def form_of(owner: Staff) -> dict[str, str]:
    """The form's own values, as a browser would send them back."""
    import re

    html = owner.get("/staff/policies/trust").text
    fields = dict(re.findall(r'name="([\w.]+)" value="([^"]*)"', html))
    fields.pop("csrf_token", None)
    fields.pop("preset", None)  # the radio buttons: none chosen
    for name in [n for n in fields if n.endswith((".pay_after", ".deposit_required"))]:
        if f'name="{name}" value="yes" checked' not in html:
            del fields[name]  # an unticked box is not sent
    return fields


def test_the_form_shows_the_policy_and_what_each_preset_means(owner: Staff) -> None:
    page = owner.get("/staff/policies/trust")
    assert page.status_code == 200
    assert "five paid visits make a customer trusted" in page.text
    assert 'name="new.base" value="100.00"' in page.text


def test_a_portuguese_place_shows_and_reads_back_its_figures_with_a_comma(
    owner: Staff, merchant: Merchant
) -> None:
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    before = merchant.get("/v1/merchant/trust-policy").json()
    fields = form_of(owner)
    score = before["thresholds"]["trusted_min_score"]
    assert score == 0.85  # the default policy: a figure with decimals
    assert fields["trusted_min_score"] == "0,85"
    saved = owner.post("/staff/policies/trust", fields, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    assert merchant.get("/v1/merchant/trust-policy").json() == before


def test_an_owner_raises_the_new_tier_limit(owner: Staff, merchant: Merchant) -> None:
    fields = form_of(owner)
    fields["new.base"] = "150.00"
    fields["new.cap"] = "150.00"
    saved = owner.post("/staff/policies/trust", fields, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    policy = merchant.get("/v1/merchant/trust-policy").json()
    assert policy["tiers"]["new"]["tab_limit"] == {"base": 15000, "step": 0, "cap": 15000}
    assert policy["tiers"]["restricted"]["pay_after"] is False


def test_a_preset_is_one_tap(owner: Staff, merchant: Merchant) -> None:
    saved = owner.post("/staff/policies/trust", {"preset": "generous"}, follow_redirects=False)
    assert saved.status_code == 303
    assert merchant.get("/v1/merchant/trust-policy").json()["half_life_days"] == 90


def test_bad_entries_come_back_as_typed(owner: Staff, merchant: Merchant) -> None:
    before = merchant.get("/v1/merchant/trust-policy").json()
    fields = form_of(owner)
    fields["new.base"] = "abc"
    bad = owner.post("/staff/policies/trust", fields)
    assert bad.status_code == 422
    assert 'value="abc"' in bad.text
    fields = form_of(owner)
    fields["restricted_below"] = "0.95"
    bad = owner.post("/staff/policies/trust", fields)
    assert bad.status_code == 422
    assert "lower than" in bad.text and 'value="0.95"' in bad.text
    owner.csrf = "stale"
    stale = owner.post("/staff/policies/trust", {**fields, "restricted_below": "0.4"})
    assert stale.status_code == 403 and 'value="0.4"' in stale.text
    assert merchant.get("/v1/merchant/trust-policy").json() == before


def test_managers_may_not_set_the_trust_policy(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
) -> None:
    manager = new_staff(merchant, role="shift lead", access="manager")
    assert manager.sign_in().status_code == 200
    assert manager.get("/staff/policies/trust").status_code == 403
    assert manager.post("/staff/policies/trust", {"preset": "generous"}).status_code == 403


def test_a_number_out_of_range_is_refused_in_portuguese(owner: Staff, merchant: Merchant) -> None:
    before = merchant.get("/v1/merchant/trust-policy").json()
    assert owner.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    for field, typed, words in [
        ("half_life_days", "-1", "Escreva um número maior do que 0 e no máximo 3650."),
        ("trusted_min_score", "1,5", "Escreva um número de 0 a 1."),
    ]:
        fields = {**form_of(owner), field: typed}
        bad = owner.post("/staff/policies/trust", fields)
        assert bad.status_code == 422, field
        assert words in bad.text, field
        assert "must be" not in bad.text
    assert merchant.get("/v1/merchant/trust-policy").json() == before


def test_not_a_number_typed_in_the_form_leaves_the_policy_as_it_was(
    owner: Staff, merchant: Merchant
) -> None:
    """'nan' reads as a number to Python: saved, it left every customer without a score."""
    before = merchant.get("/v1/merchant/trust-policy").json()
    for field in ("half_life_days", "trusted_min_score", "restricted_below"):
        bad = owner.post("/staff/policies/trust", {**form_of(owner), field: "nan"})
        assert bad.status_code == 422, field
    assert merchant.get("/v1/merchant/trust-policy").json() == before


def field_error(html: str, field_id: str) -> str:
    """The refusal shown beside the field, or "" when there is none."""
    import re

    found = re.search(
        rf'<p class="field-error" role="alert" id="{field_id}-error">([^<]*)</p>', html
    )
    return found.group(1) if found else ""


def test_a_word_typed_for_a_number_is_refused_beside_its_field_in_portuguese(
    owner: Staff, merchant: Merchant
) -> None:
    assert owner.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    for field, field_id, typed, words in [
        ("half_life_days", "half_life_days", "abc", "Escreva um número maior do que 0 e no máximo"),
        ("trusted_min_paid_visits", "trusted_min_paid_visits", "-5", "Escolha um número inteiro"),
        ("restricted_below", "restricted_below", "nan", "Escreva um número de 0 a 1."),
        ("new.cap", "new-cap", "abc", "não é um valor"),
    ]:
        bad = owner.post("/staff/policies/trust", {**form_of(owner), field: typed})
        assert bad.status_code == 422, field
        assert words in field_error(bad.text, field_id), (field, bad.text[-3000:])
        assert f'aria-describedby="{field_id}-error"' in bad.text
        assert field not in field_error(bad.text, field_id)  # no internal name
        assert 'class="flash flash-error"' not in bad.text  # said once, beside the field
