"""Each report page as plain data: sections, each with a chart's figures and
the same figures as a table (for screen readers, printing and the CSV)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from servefirst.db.uow import UnitOfWork
from servefirst.kit import formats
from servefirst.kit.i18n import gettext as _
from servefirst.merchants.service import get_merchant
from servefirst.reports import sales as figures
from servefirst.reports.earnings_view import earnings_view
from servefirst.reports.sales import ReportPeriod
from servefirst.reports.sections import ReportView, Section
from servefirst.reports.sections import major_of as _major
from servefirst.reports.sections import money_of as _money
from servefirst.reports.service import cash_flow
from servefirst.taxes.service import tax_report
from servefirst.trust.service import report as trust_report


def _tenths(value: float) -> str:
    """A figure to one decimal as the merchant's locale writes it: '66.7' in
    London, '66,7' in Lisbon (a whole figure loses its '.0': '100')."""
    return formats.number(Decimal(f"{value:.1f}"))


def _percent(rate: float | None) -> str:
    return "–" if rate is None else f"{_tenths(rate * 100)}%"


def _csat(csat: float | None) -> str:
    """The share of 4 and 5 stars, already a percentage."""
    return "–" if csat is None else f"{_tenths(csat)}%"


def _nps(nps: float | None) -> str:
    """An NPS-style score always shows its sign ('+33.3', '-20', '+0')."""
    if nps is None:
        return "–"
    return ("+" if nps >= 0 else "-") + _tenths(abs(nps))


def _share(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def sales_view(uow: UnitOfWork, period: ReportPeriod) -> ReportView:
    merchant = get_merchant(uow)
    s = figures.sales(uow, period)
    fmt, major = _money(s.currency, merchant.locale), _major(s.currency)
    days = list(s.by_day.items())
    hours = [(h, a) for h, a in s.by_hour.items()]
    return ReportView(
        "sales",
        _("Sales"),
        _("Lines sold (voided tabs apart), by the business's own days and hours."),
        period,
        [
            Section(
                "by-day",
                _("Sales by day"),
                [_("Day"), _("Sales")],
                [[formats.format_date(d), fmt(a)] for d, a in days],
                [formats.format_day(d) for d, _a in days],
                [(_("Sales"), [major(a) for _d, a in days])],
            ),
            Section(
                "by-hour",
                _("Sales by hour"),
                [_("Hour"), _("Sales")],
                [[f"{h:02d}:00", fmt(a)] for h, a in hours],
                [f"{h:02d}" for h, _a in hours],
                [(_("Sales"), [major(a) for _h, a in hours])],
            ),
            Section(
                "by-service",
                _("Sales by service"),
                [_("Service"), _("Quantity"), _("Sales")],
                [[n, str(c), fmt(a)] for n, c, a in s.by_service],
                [n for n, _c, _a in s.by_service],
                [(_("Sales"), [major(a) for _n, _c, a in s.by_service])],
                horizontal=True,
            ),
            Section(
                "by-staff",
                _("Sales by staff member"),
                [_("Staff member"), _("Lines"), _("Sales")],
                [[n, str(c), fmt(a)] for n, c, a in s.by_staff],
                [n for n, _c, _a in s.by_staff],
                [(_("Sales"), [major(a) for _n, _c, a in s.by_staff])],
                horizontal=True,
            ),
        ],
    )


def _care_section(key: str, title: str, who: str, rows: list[figures.Care]) -> Section:
    return Section(
        key,
        title,
        [
            who,
            _("Reviews"),
            _("CSAT"),
            _("NPS-style"),
            _("Tabs"),
            _("Concern rate"),
            _("Redo rate"),
        ],
        [
            [
                c.name,
                str(c.ratings),
                _csat(c.csat),
                _nps(c.nps),
                str(c.tabs),
                _percent(c.concern_rate),
                _percent(c.redo_rate),
            ]
            for c in rows
        ],
        [c.name for c in rows],
        [
            (_("CSAT %"), [c.csat for c in rows]),
            (_("Concern rate %"), [_share(c.concern_rate) for c in rows]),
            (_("Redo rate %"), [_share(c.redo_rate) for c in rows]),
        ],
        horizontal=True,
    )


def satisfaction_view(uow: UnitOfWork, period: ReportPeriod) -> ReportView:
    s = figures.satisfaction(uow, period)
    o = s.overall
    intro = _(
        "%(n)s reviews: CSAT %(csat)s (share of 4 and 5 stars), NPS-style %(nps)s "
        "(5 stars less 1 to 3 stars). Concern and redo rates are shares of tabs served."
    ) % {
        "n": o["ratings"],
        "csat": _csat(o["csat"]),
        "nps": _nps(o["nps"]),
    }
    return ReportView(
        "satisfaction",
        _("Satisfaction"),
        intro,
        period,
        [
            _care_section("by-service", _("By service"), _("Service"), s.services),
            _care_section("by-staff", _("By staff member"), _("Staff member"), s.staff),
        ],
    )


def trust_view(uow: UnitOfWork, period: ReportPeriod) -> ReportView:
    merchant = get_merchant(uow)
    fmt = _money(merchant.currency, merchant.locale)
    tiers = trust_report(uow, since=period.start, until=period.end).tiers
    names = [t.tier.value for t in tiers]
    return ReportView(
        "trust",
        _("Trust tiers"),
        _(
            "How customers paid and showed up while in each tier (events in the period); "
            "customers per tier as of today."
        ),
        period,
        [
            Section(
                "tiers",
                _("How each tier paid and showed up"),
                [
                    _("Tier"),
                    _("Customers"),
                    _("Paid on time"),
                    _("Paid late"),
                    _("Written off"),
                    _("No-shows"),
                    _("On-time rate"),
                    _("No-show rate"),
                    _("Lost"),
                ],
                [
                    [
                        t.tier.value,
                        str(t.customers),
                        str(t.paid_on_time),
                        str(t.paid_late),
                        str(t.written_off),
                        str(t.no_shows),
                        _percent(t.paid_on_time_rate),
                        _percent(t.no_show_rate),
                        fmt(t.losses),
                    ]
                    for t in tiers
                ],
                names,
                [
                    (_("On-time rate %"), [_share(t.paid_on_time_rate) for t in tiers]),
                    (_("No-show rate %"), [_share(t.no_show_rate) for t in tiers]),
                ],
            )
        ],
    )


def cash_flow_view(uow: UnitOfWork, period: ReportPeriod) -> ReportView:
    merchant = get_merchant(uow)
    fmt, major = _money(merchant.currency, merchant.locale), _major(merchant.currency)
    t = figures.taken(uow, period)
    now = cash_flow(uow)
    ages = now["receivables"]["by_age"]
    methods = [
        (_("Cash"), t.by_method["cash"]),
        (_("Card (online)"), t.by_method["card"]),
        (_("Card terminal"), t.by_method["card_terminal"]),
    ]
    money_rows = [
        *methods,
        (_("Tips"), t.tips),
        (_("Refunds"), t.refunds),
        (_("Card disputes lost"), t.disputes_lost),
        (_("Satisfaction adjustments"), t.adjustments),
        (_("Written off"), t.write_offs),
        (_("Deposits taken"), t.deposits_taken),
        (_("Deposits refunded"), t.deposits_refunded),
        (_("Deposits kept"), t.deposits_kept),
    ]
    return ReportView(
        "cash-flow",
        _("Cash flow"),
        _("Money taken in the period, and what customers owe today by age."),
        period,
        [
            Section(
                "taken",
                _("Taken in the period"),
                [_("What"), _("Amount")],
                [[label, fmt(a)] for label, a in money_rows],
                [label for label, _a in methods],
                [(_("Taken"), [major(a) for _l, a in methods])],
            ),
            Section(
                "receivables",
                _("Receivables by age, today"),
                [_("Age"), _("Tabs"), _("Owed")],
                [[_(b["age"]), str(b["tabs"]), fmt(b["amount"])] for b in ages],
                [_(b["age"]) for b in ages],
                [(_("Owed"), [major(b["amount"]) for b in ages])],
            ),
        ],
    )


def tax_view(uow: UnitOfWork, period: ReportPeriod) -> ReportView:
    """The tax report of ``GET /v1/reports/tax`` for the period's days: the
    same figures (one computation, ``taxes.service.tax_report``), per rate and
    for all rates, as the owner files them."""
    merchant = get_merchant(uow)
    fmt, major = _money(merchant.currency, merchant.locale), _major(merchant.currency)
    report = tax_report(uow, period.start, period.end, merchant.currency)
    rates = report["rates"]
    names = [r["name"] or r["rate_id"] for r in rates]
    rows = [
        [name, formats.number(Decimal(r["percent"])), fmt(r["net"]), fmt(r["tax"]), fmt(r["gross"])]
        for name, r in zip(names, rates, strict=True)
    ]
    if rates:
        total = [report["net"], report["tax"], report["gross"]]
        rows.append([_("All rates"), "", *(fmt(amount) for amount in total)])
    return ReportView(
        "tax",
        _("Tax"),
        _(
            "Net, tax and gross per tax rate of what was charged in the period, discounts, "
            "refunds and voids taken off: what the tax return asks for."
        ),
        period,
        [
            Section(
                "by-rate",
                _("Net, tax and gross by rate"),
                [_("Tax rate"), _("Percent"), _("Net"), _("Tax"), _("Gross")],
                rows,
                names,
                [
                    (_("Net"), [major(r["net"]) for r in rates]),
                    (_("Tax"), [major(r["tax"]) for r in rates]),
                ],
                horizontal=True,
            )
        ],
    )


#: The report pages, in the order the console lists them.
REPORTS: dict[str, Callable[[UnitOfWork, ReportPeriod], ReportView]] = {
    "sales": sales_view,
    "satisfaction": satisfaction_view,
    "trust": trust_view,
    "cash-flow": cash_flow_view,
    "tax": tax_view,
    "earnings": earnings_view,
}
