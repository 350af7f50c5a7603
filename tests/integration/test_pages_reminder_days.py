"""The owner types the payment reminders' days in the console: whole days,
separated as the field's hint says in the owner's language. A Portuguese owner
who types "1,5" (one and a half days) is told days are whole, and nothing is
saved; before, the form read it as reminders on day 1 and day 5."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import Merchant
from tests.integration.test_html_valid import install_vnu, vnu_errors
from tests.integration.test_pages_staff import Staff
from tests.integration.test_pages_staff_messages import SETTINGS_FORM

DEFAULT_DAYS = [1.0, 3.0, 7.0]


def reminder_days(merchant: Merchant) -> list[float]:
    return merchant.get("/v1/merchant/messages").json()["reminder_days"]  # type: ignore[no-any-return]


def test_a_portuguese_owner_s_decimal_comma_is_refused_not_read_as_two_days(
    merchant: Merchant, signed_in: Callable[..., Staff], tmp_path: Path
) -> None:
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    owner = signed_in(merchant, access="owner")
    page = owner.get("/staff/messages").text
    assert 'name="reminder_days" value="1; 3; 7"' in page
    assert "Dias inteiros, separados por ponto e vírgula ou espaços" in page
    for typed in ("1,5", "1,3,7", "2; 4,5"):
        refused = owner.post("/staff/messages/settings", {**SETTINGS_FORM, "reminder_days": typed})
        assert refused.status_code == 422, typed
        assert "Os dias dos lembretes são dias inteiros" in refused.text
        assert 'id="reminder_days" name="reminder_days" aria-invalid="true"' in refused.text
        assert f'value="{typed}"' in refused.text  # kept as typed, for mending
        assert reminder_days(merchant) == DEFAULT_DAYS
    install_vnu()  # the field described by its hint and by the refusal, validly
    assert not vnu_errors({"refused-reminder-days": refused.text}, tmp_path)
    # Separated as the hint says (or by a comma and a space), the days are read.
    for typed, days in (("2; 4", [2.0, 4.0]), ("2, 5", [2.0, 5.0]), ("3 6", [3.0, 6.0])):
        saved = owner.post(
            "/staff/messages/settings",
            {**SETTINGS_FORM, "reminder_days": typed},
            follow_redirects=False,
        )
        assert saved.status_code == 303, typed
        assert reminder_days(merchant) == days


def test_an_english_owner_s_decimal_point_is_refused_and_commas_separate_days(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    owner = signed_in(merchant, access="owner")
    page = owner.get("/staff/messages").text
    assert 'name="reminder_days" value="1, 3, 7"' in page
    assert "Whole days, separated by commas or spaces, such as 1, 3, 7." in page
    assert 'aria-describedby="reminder-days-hint"' in page
    refused = owner.post("/staff/messages/settings", {**SETTINGS_FORM, "reminder_days": "1.5"})
    assert refused.status_code == 422
    assert "Reminder days are whole days: write 2, not 1.5." in refused.text
    assert reminder_days(merchant) == DEFAULT_DAYS
    saved = owner.post(
        "/staff/messages/settings",
        {**SETTINGS_FORM, "reminder_days": "2,5"},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and reminder_days(merchant) == [2.0, 5.0]
