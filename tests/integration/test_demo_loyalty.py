"""The demo runs a stamp card at the café and a referral scheme at the salon,
with history: Ana's free galão waits on her open tab; Inês came on João's
code, used her welcome, and João's free beard trim (aparo de barba) waits for him."""

from __future__ import annotations

import pytest

from servefirst.demo import DemoResult, build_demo
from servefirst.loyalty import service as loyalty
from servefirst.loyalty.repository import all_rewards
from servefirst.reports.loyalty import loyalty_report
from servefirst.runtime import Runtime
from servefirst.tabs.service import get_tab


@pytest.fixture(scope="module")
def demo(runtime: Runtime) -> DemoResult:
    return build_demo(runtime)


def test_the_cafes_stamp_card_left_ana_a_free_galao_on_her_open_tab(
    runtime: Runtime, demo: DemoResult
) -> None:
    with runtime.uow(demo.merchants[0].merchant_id, write=False) as uow:
        ana = get_tab(uow, demo.open_tab.tab_id).customer_id
        card = loyalty.customer_card(uow, ana)
        assert card.balance == 1 and card.to_next == 4
        assert [r.source for r in card.available] == ["loyalty"]
        assert loyalty.progress_in_words(uow, card) == "4 more visits to a free galão"


def test_the_salons_referral_thanked_joao_after_ines_paid(
    runtime: Runtime, demo: DemoResult
) -> None:
    with runtime.uow(demo.merchants[1].merchant_id, write=False) as uow:
        report = loyalty_report(uow, uow.clock.now().replace(year=2000), uow.clock.now())
        rewards = {r.source: r for r in all_rewards(uow)}
    assert report.issued == {"referral_friend": 1, "referral_referrer": 1}
    assert report.redeemed == {"referral_friend": 1}
    assert report.cost == 500
    assert rewards["referral_referrer"].status == "available"
    assert report.members.customers == 2 and report.others.customers >= 5
