"""A form refused for a NUL character comes back as typed, the NUL left out:
HTML may not hold one, so writing it back made the page itself invalid. Every
console form, the customer's tab page and the booking page, each with a NUL
in each of its fields, checked by the Nu HTML Checker in one run."""

from __future__ import annotations

import html
import re
from pathlib import Path

from servefirst.web.templating import fit_for, without_nul
from tests.conftest import Merchant
from tests.integration.test_customer_pages_nul import TAB_FORMS
from tests.integration.test_html_valid import install_vnu, vnu_errors
from tests.integration.test_pages_booking import Salon, details, post, shop
from tests.integration.test_pages_customer import post_form, tab_with
from tests.integration.test_pages_nul import (
    CONSOLE_FORMS,
    NUL,
    SAID,
    Cafe,
    a_refusal,
    cafe,
    https_client,
    new_staff,
)

__all__ = ["cafe", "https_client", "new_staff", "shop"]  # the pages' fixtures


def refused_for_a_nul(cafe: Cafe) -> dict[str, str]:
    """Each console form sent with ``a<NUL>b`` in one field at a time, refused."""
    pages: dict[str, str] = {}
    for path, sent, fields in CONSOLE_FORMS:
        for field in fields:
            data = {name: cafe.address(value) for name, value in sent.items()}
            page = a_refusal(cafe.owner.post(cafe.address(path), {**data, field: f"a{NUL}b"}))
            assert SAID in page, (path, field)
            name = re.sub(r"[^a-z0-9]+", "-", f"{path}-{field}".lower()).strip("-")
            pages[name] = page
    return pages


def test_no_refused_console_form_writes_a_nul_back_and_every_one_is_valid_html(
    cafe: Cafe, tmp_path: Path
) -> None:
    install_vnu()  # first, so a machine without npm or Java fails before any work
    pages = refused_for_a_nul(cafe)
    written_back = {name for name, page in pages.items() if NUL in page}
    assert not written_back, sorted(written_back)
    # What was typed comes back without its NUL: the new customer's name, a void's reason.
    assert 'value="ab"' in pages["staff-customers-name"]
    assert (
        'name="reason" maxlength="200" required value="ab"'
        in (pages["staff-tabs-open-lines-1-void-reason"])
    )
    errors = vnu_errors(pages, tmp_path)
    assert not errors, "\n".join(errors)


def test_the_customers_pages_refused_for_a_nul_are_valid_html(
    merchant: Merchant, shop: Salon, tmp_path: Path
) -> None:
    install_vnu()
    pages: dict[str, str] = {}
    tab = tab_with(merchant, merchant.service(price=2000), serve=True)
    for action, sent, fields in TAB_FORMS:
        for field in fields:
            answer = post_form(merchant, tab["token"], action, {**sent, field: f"a{NUL}b"})
            pages[f"tab-{action}-{field}"] = a_refusal(answer)
    booking = details(shop, shop.at(shop.day(3), "10:00"), confirm="1")
    for field in ("name", "email", "phone"):
        answer = post(shop, f"/b/{shop.slug}/book", {**booking, field: f"Rita{NUL}"})
        pages[f"booking-{field}"] = a_refusal(answer)
        assert 'value="Rita"' in html.unescape(pages[f"booking-{field}"])
    written_back = {name for name, page in pages.items() if NUL in page}
    assert not written_back, sorted(written_back)
    errors = vnu_errors(pages, tmp_path)
    assert not errors, "\n".join(errors)


def test_a_page_writes_text_without_its_nul_characters_and_leaves_the_rest() -> None:
    assert without_nul(f"Ri{NUL}ta{NUL}") == "Rita"
    assert without_nul("Rita") == "Rita"
    assert without_nul(3) == 3 and without_nul(None) is None


def test_a_typed_value_is_written_back_into_a_number_date_or_time_field_only_if_it_fits() -> None:
    assert [fit_for(typed, "number") for typed in ("2", " 2 ", "-1.5", "1e3", "two", "2,5")] == [
        "2",
        "2",
        "-1.5",
        "1e3",
        "",
        "",
    ]
    assert fit_for(3, "number") == "3" and fit_for(None, "number") == ""
    assert [fit_for(typed, "date") for typed in ("2026-12-05", "2026-02-30", "05/12/2026")] == [
        "2026-12-05",
        "",
        "",
    ]
    assert [fit_for(typed, "time") for typed in ("09:30", "24:00", "9h30")] == ["09:30", "", ""]
