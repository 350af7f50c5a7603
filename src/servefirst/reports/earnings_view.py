"""The staff earnings page (``/staff/reports/earnings``, owners): what each
person earned in the period, from the same figures as ``GET
/v1/reports/earnings`` (``earnings.service.earnings_report``, one computation):
commission on what was paid for their lines, their share of the tips, and the
satisfaction bonus the merchant's policy pays for good ratings.

Its CSV is the API's own file (``earnings.service.csv_rows``), amounts in minor
units as payroll software reads them, not the page's formatted table.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from servefirst.db.uow import UnitOfWork
from servefirst.earnings import service as earnings
from servefirst.earnings.period import Period
from servefirst.kit import formats
from servefirst.kit.i18n import gettext as _
from servefirst.kit.i18n import ngettext
from servefirst.reports.sales import ReportPeriod
from servefirst.reports.sections import ReportView, Section, major_of


def report_of(uow: UnitOfWork, period: ReportPeriod) -> dict[str, Any]:
    """The API's earnings report over the page's whole days (the merchant's own)."""
    return earnings.earnings_report(uow, Period(period.start, period.end))


def _rate(bps: int) -> str:
    return f"{formats.number(Decimal(bps) / 100)}%"


def _average(text: str | None) -> str:
    return "–" if text is None else formats.number(Decimal(text))


def _intro(policy: dict[str, Any]) -> str:
    reviews = int(policy["bonus_min_reviews"])
    return ngettext(
        "Tabs settled in the period: commission on what was paid for each person's lines,"
        " their share of the tips, and a satisfaction bonus of %(percent)s%% of what was paid"
        " for their lines for whoever has at least %(num)s rating averaging %(average)s"
        " or more.",
        "Tabs settled in the period: commission on what was paid for each person's lines,"
        " their share of the tips, and a satisfaction bonus of %(percent)s%% of what was paid"
        " for their lines for whoever has at least %(num)s ratings averaging %(average)s"
        " or more.",
        reviews,
    ) % {
        "percent": formats.number(Decimal(policy["bonus_percent"])),
        "num": formats.count(reviews),
        "average": formats.number(Decimal(policy["bonus_min_average"])),
    }


def earnings_view(uow: UnitOfWork, period: ReportPeriod) -> ReportView:
    report = report_of(uow, period)
    currency = report["currency"]

    def money(amount: int) -> str:
        return formats.money(amount, currency)

    major = major_of(currency)
    people = report["staff"]
    rows = [
        [
            p["name"],
            _rate(p["commission_rate_bps"]),
            formats.count(p["tabs"]),
            money(p["paid"]),
            money(p["commission"]),
            money(p["tips"]),
            formats.count(p["ratings"]),
            _average(p["average_rating"]),
            money(p["bonus"]),
            money(p["total"]),
        ]
        for p in people
    ]
    rest, totals = report["unassigned"], report["totals"]
    if rest["tabs"]:
        rows.append(
            [_("Nobody named"), "", formats.count(rest["tabs"]), money(rest["paid"]), ""]
            + [money(rest["tips"]), "", "", "", ""]
        )
    rows.append(
        [_("Everyone"), "", "", money(totals["paid"]), money(totals["commission"])]
        + [money(totals["tips"]), "", "", money(totals["bonus"]), money(totals["total"])]
    )
    return ReportView(
        "earnings",
        _("Staff earnings"),
        _intro(report["policy"]),
        period,
        [
            Section(
                "by-staff",
                _("What each person earned"),
                [
                    _("Staff member"),
                    _("Commission rate"),
                    _("Tabs"),
                    _("Paid for their lines"),
                    _("Commission"),
                    _("Tips"),
                    _("Ratings"),
                    _("Average rating"),
                    _("Satisfaction bonus"),
                    _("Total"),
                ],
                rows,
                [p["name"] for p in people],
                [
                    (_("Commission"), [major(p["commission"]) for p in people]),
                    (_("Tips"), [major(p["tips"]) for p in people]),
                    (_("Satisfaction bonus"), [major(p["bonus"]) for p in people]),
                ],
                horizontal=True,
            )
        ],
    )
