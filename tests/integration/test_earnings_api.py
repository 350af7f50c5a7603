"""Staff members, who served each line, their earnings (JSON and CSV) and the
satisfaction report, over HTTP."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from tests.conftest import Merchant, TestClock


def member(merchant: Merchant, name: str, bps: int = 0, **extra: Any) -> dict[str, Any]:
    response = merchant.post("/v1/staff", {"name": name, "commission_rate_bps": bps, **extra})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def add(merchant: Merchant, tab: dict[str, Any], price: int, staff_id: str | None) -> Any:
    svc = merchant.service(name=f"Service {price}", price=price)
    body: dict[str, Any] = {"service_id": svc["id"]}
    if staff_id:
        body["staff_id"] = staff_id
    response = merchant.post(f"/v1/tabs/{tab['id']}/lines", body)
    assert response.status_code == 200, response.text
    return response.json()


def review(merchant: Merchant, tab: dict[str, Any], rating: int) -> None:
    response = merchant.client.post(
        f"/v1/public/tabs/{tab['token']}/review", json={"rating": rating}
    )
    assert response.status_code == 201, response.text


def pay(merchant: Merchant, tab: dict[str, Any], tip: int = 0) -> None:
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "tip": tip})
    assert paid.status_code == 201, paid.text
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["status"] == "paid"


def around_now(clock: TestClock) -> dict[str, str]:
    now = clock.now()
    return {
        "from": (now - timedelta(hours=1)).isoformat(),
        "to": (now + timedelta(hours=1)).isoformat(),
    }


# --- staff members ---------------------------------------------------------------------------


def test_staff_members_are_created_listed_and_read(merchant: Merchant) -> None:
    marta = member(merchant, "Marta Silva", 1250)
    assert marta["id"].startswith("stf_")
    assert (marta["commission_rate_bps"], marta["commission_percent"]) == (1250, "12.50")
    assert (marta["email"], marta["can_sign_in"], marta["role"]) == (None, False, "staff")
    owner = member(
        merchant,
        "Inês Duarte",
        role="owner",
        email="ines@example.com",
        password="a long enough password",
    )
    assert (owner["can_sign_in"], owner["email"], owner["role"]) == (
        True,
        "ines@example.com",
        "owner",
    )
    listed = merchant.get("/v1/staff").json()["data"]
    assert [m["name"] for m in listed] == ["Inês Duarte", "Marta Silva"]
    assert merchant.get(f"/v1/staff/{marta['id']}").json() == marta
    changed = merchant.post(f"/v1/staff/{marta['id']}", {"commission_rate_bps": 1500}).json()
    assert (changed["commission_percent"], changed["name"]) == ("15.00", "Marta Silva")


def test_bad_staff_requests_are_refused(merchant: Merchant, new_merchant: Any) -> None:
    for body, param in (
        ({"name": "X", "commission_rate_bps": 10_001}, "commission_rate_bps"),
        ({"name": "X", "commission_rate_bps": "10"}, "commission_rate_bps"),
        ({"name": ""}, "name"),
        ({"name": "X", "access": "boss"}, "access"),
        ({"name": "X", "email": "x@example.com"}, "password"),
        ({"name": "X", "email": "x@example.com", "password": "short"}, "password"),
    ):
        refused = merchant.post("/v1/staff", body)
        assert refused.status_code == 422, (body, refused.text)
        assert refused.json()["error"]["param"] == param, (body, refused.json())
    missing = merchant.get("/v1/staff/stf_nobody")
    assert (missing.status_code, missing.json()["error"]["param"]) == (404, "staff_id")
    assert merchant.post("/v1/staff/stf_nobody", {"name": "Y"}).status_code == 404
    theirs = member(new_merchant(name="Other"), "Someone Else")
    assert merchant.get(f"/v1/staff/{theirs['id']}").status_code == 404
    crossed = merchant.post(f"/v1/staff/{theirs['id']}", {"commission_rate_bps": 9000})
    assert crossed.status_code == 404
    assert merchant.get("/v1/staff").json()["data"] == []


def test_a_line_names_who_served_it_and_an_unknown_person_is_404(merchant: Merchant) -> None:
    marta = member(merchant, "Marta Silva", 1000)
    tab = merchant.tab()
    added = add(merchant, tab, 450, marta["id"])
    assert [line["staff_id"] for line in added["lines"]] == [marta["id"]]
    svc = merchant.service()
    unknown = merchant.post(
        f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"], "staff_id": "stf_ghost"}
    )
    assert (unknown.status_code, unknown.json()["error"]["param"]) == (404, "staff_id")
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["subtotal"] == 450


# --- earnings --------------------------------------------------------------------------------


def test_earnings_follow_what_was_paid_to_the_cent(merchant: Merchant, clock: TestClock) -> None:
    policy = merchant.post(
        "/v1/merchant/earnings-policy",
        {"bonus_min_reviews": 2, "bonus_min_average": "4.5", "bonus_percent": "2"},
    )
    assert policy.status_code == 200, policy.text
    ana = member(merchant, "Ana", 1000)  # 10%
    bruno = member(merchant, "Bruno", 1250)  # 12.5%
    member(merchant, "Carla", 500)  # served nothing: all zeros

    one = merchant.tab()
    for price, who in ((1000, ana), (333, bruno), (334, bruno)):
        add(merchant, one, price, who["id"])
    merchant.post(f"/v1/tabs/{one['id']}/serve")
    off = merchant.client.post(
        f"/v1/public/tabs/{one['token']}/concerns",
        json={"reason": "Cold", "remedy": "partial", "amount": 100},
    ).json()
    assert off["status"] == "approved"
    review(merchant, one, 4)
    pay(merchant, one, tip=100)  # pays 1567 + 100 tip

    two = merchant.tab()
    add(merchant, two, 500, ana["id"])
    add(merchant, two, 200, None)
    review(merchant, two, 5)
    pay(merchant, two)

    unpaid = merchant.tab()  # served, not paid: not in anyone's earnings yet
    add(merchant, unpaid, 900, ana["id"])
    merchant.post(f"/v1/tabs/{unpaid['id']}/serve")

    report = merchant.get("/v1/reports/earnings", params=around_now(clock))
    assert report.status_code == 200, report.text
    body = report.json()
    rows = {row["name"]: row for row in body["staff"]}
    # Tab one: paid 1567 over lines 1000/333/334 -> 940/313/314; 100 off -> 60/20/20;
    # tip 100 over people 1000:667 -> 60/40. Tab two: paid 700 over 500/200.
    assert {k: rows["Ana"][k] for k in ("tabs", "sales", "adjustments", "paid", "tips")} == {
        "tabs": 2,
        "sales": 1500,
        "adjustments": 60,
        "paid": 1440,
        "tips": 60,
    }
    # 10% of 1440 = 144; ratings 4 and 5 average 4.50 >= 4.5 over 2 reviews:
    # bonus 2% of 1440 = 28.8 -> 29 (half-up).
    assert (rows["Ana"]["commission"], rows["Ana"]["bonus"], rows["Ana"]["total"]) == (
        144,
        29,
        144 + 60 + 29,
    )
    assert (rows["Ana"]["ratings"], rows["Ana"]["average_rating"]) == (2, "4.50")
    assert rows["Ana"]["bonus_eligible"] is True
    # Bruno: paid 627 x 12.5% = 78.375 -> 78; one review is not enough for a bonus.
    assert {k: rows["Bruno"][k] for k in ("paid", "adjustments", "tips", "commission")} == {
        "paid": 627,
        "adjustments": 40,
        "tips": 40,
        "commission": 78,
    }
    assert (rows["Bruno"]["bonus_eligible"], rows["Bruno"]["total"]) == (False, 78 + 40)
    assert (rows["Carla"]["tabs"], rows["Carla"]["total"]) == (0, 0)
    assert body["unassigned"] == {"tabs": 1, "sales": 200, "adjustments": 0, "paid": 200, "tips": 0}
    assert body["totals"] == {
        "sales": 2367,
        "adjustments": 100,
        "paid": 2267,
        "commission": 222,
        "tips": 100,
        "bonus": 29,
        "total": 351,
    }
    assert body["currency"] == "EUR"

    # The CSV carries the same figures.
    exported = merchant.get("/v1/reports/earnings.csv", params=around_now(clock))
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(exported.text)))
    by_name = {row["name"]: row for row in table}
    for name in ("Ana", "Bruno", "Carla"):
        for column in ("paid", "commission", "tips", "bonus", "total"):
            assert int(by_name[name][column]) == rows[name][column], (name, column)
    assert by_name["(unassigned)"]["paid"] == "200"

    # Outside the period nothing was settled.
    now = clock.now()
    before = merchant.get(
        "/v1/reports/earnings",
        params={
            "from": (now - timedelta(hours=3)).isoformat(),
            "to": (now - timedelta(hours=2)).isoformat(),
        },
    ).json()
    assert before["totals"]["paid"] == 0


def test_a_bad_period_is_refused(merchant: Merchant) -> None:
    for params, param in (
        ({"from": "soon"}, "from"),
        ({"from": "2026-11-02", "to": "2026-11-01"}, "to"),
    ):
        refused = merchant.get("/v1/reports/earnings", params=params)
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["param"] == param
        assert merchant.get("/v1/reports/earnings.csv", params=params).status_code == 422


def test_the_earnings_policy_route(merchant: Merchant) -> None:
    assert merchant.get("/v1/merchant/earnings-policy").json() == {
        "object": "earnings_policy",
        "bonus_min_reviews": 5,
        "bonus_min_average": "4.5",
        "bonus_percent": "2",
    }
    changed = merchant.post("/v1/merchant/earnings-policy", {"bonus_percent": "3.5"}).json()
    assert (changed["bonus_percent"], changed["bonus_min_reviews"]) == ("3.5", 5)
    refused = merchant.post("/v1/merchant/earnings-policy", {"bonus_min_average": "7"})
    assert refused.status_code == 422


# --- satisfaction ----------------------------------------------------------------------------


def test_csat_and_nps_per_staff_member_and_service(merchant: Merchant) -> None:
    xana = member(merchant, "Xana")
    yuri = member(merchant, "Yuri")
    cut = merchant.service(name="Haircut", price=2000)
    wash = merchant.service(name="Wash", price=500)
    for rating, lines in (
        (5, [(cut, xana)]),
        (4, [(cut, xana), (wash, xana)]),  # one review, counted once for Xana
        (2, [(cut, xana)]),
        (3, [(wash, yuri)]),
    ):
        tab = merchant.tab()
        for svc, who in lines:
            body = {"service_id": svc["id"], "staff_id": who["id"]}
            assert merchant.post(f"/v1/tabs/{tab['id']}/lines", body).status_code == 200
        review(merchant, tab, rating)
    merchant.tab()  # a tab without a review counts nowhere

    body = merchant.get("/v1/reports/satisfaction").json()
    overall = body["overall"]
    # ratings 5, 4, 2, 3: CSAT 2/4 = 50%; NPS (1 promoter - 2 detractors)/4 = -25.
    assert (overall["ratings"], overall["csat"], overall["nps"], overall["average"]) == (
        4,
        50.0,
        -25.0,
        "3.50",
    )
    staff = {row["name"]: row for row in body["staff"]}
    assert (staff["Xana"]["ratings"], staff["Xana"]["csat"], staff["Xana"]["nps"]) == (3, 66.7, 0.0)
    assert (staff["Yuri"]["ratings"], staff["Yuri"]["csat"], staff["Yuri"]["nps"]) == (
        1,
        0.0,
        -100.0,
    )
    services = {row["name"]: row for row in body["services"]}
    assert (services["Haircut"]["ratings"], services["Haircut"]["csat"]) == (3, 66.7)
    assert (services["Wash"]["ratings"], services["Wash"]["nps"]) == (2, -50.0)
    assert services["Wash"]["distribution"] == {"1": 0, "2": 0, "3": 1, "4": 1, "5": 0}

    none = merchant.get("/v1/reports/satisfaction", params={"to": "2000-01-01"}).json()
    assert (none["overall"]["ratings"], none["overall"]["csat"], none["staff"]) == (0, None, [])


def test_a_review_does_not_rate_a_service_voided_off_the_tab(merchant: Merchant) -> None:
    xana = member(merchant, "Xana")
    yuri = member(merchant, "Yuri")
    cut = merchant.service(name="Haircut", price=2000)
    colour = merchant.service(name="Colour", price=4500)
    tab = merchant.tab()
    for svc, who in ((cut, xana), (colour, yuri)):
        body = {"service_id": svc["id"], "staff_id": who["id"]}
        assert merchant.post(f"/v1/tabs/{tab['id']}/lines", body).status_code == 200
    voided = merchant.post(f"/v1/tabs/{tab['id']}/lines/2/void", {"reason": "Not done today"})
    assert voided.status_code == 200, voided.text
    review(merchant, tab, 1)
    body = merchant.get("/v1/reports/satisfaction").json()
    assert [row["name"] for row in body["services"]] == ["Haircut"]
    assert [row["name"] for row in body["staff"]] == ["Xana"]
