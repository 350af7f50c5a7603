"""What the demo made, and the text ``servefirst demo`` prints about it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DemoMerchant:
    name: str
    merchant_id: str
    currency: str
    api_key: str


@dataclass(frozen=True)
class DemoTab:
    merchant: DemoMerchant
    customer_name: str
    tab_id: str
    token: str
    short_code: str


@dataclass
class DemoResult:
    """What the demo made, and what to tell the person who started it."""

    public_url: str
    database: str
    merchants: list[DemoMerchant]
    #: A tab still open, with lines on it: the customer's link to try.
    open_tab: DemoTab
    #: Every paid tab, per merchant id.
    paid_tabs: dict[str, list[str]]
    #: (login, password) pairs for the staff console; filled in when staff
    #: accounts exist. Never printed when empty: no made-up credentials.
    staff_logins: list[tuple[str, str]] = field(default_factory=list)
    #: Booking ids per merchant id, in the order the story made them.
    bookings: dict[str, list[str]] = field(default_factory=dict)
    #: The slug of the business customers book online, when one does.
    booking_slug: str | None = None

    @property
    def tab_link(self) -> str:
        return f"{self.public_url}/t/{self.open_tab.token}"

    @property
    def tab_api_url(self) -> str:
        return f"{self.public_url}/v1/public/tabs/{self.open_tab.token}"

    def summary(self) -> str:
        """The text ``servefirst demo`` prints: where to go, what to sign in with."""
        names = " and ".join(m.name for m in self.merchants)
        width = max(len(m.name) for m in self.merchants) + 2
        pad = " " * 17
        lines = [
            f"servefirst demo: {names}, with six weeks of history",
            f"  database       {self.database}",
            f"  open           {self.public_url}/docs   (the API, in the browser)",
        ]
        for login, password in self.staff_logins:
            lines.append(f"  staff console  {self.public_url}/staff   {login} / {password}")
        keys = [f"{m.name:<{width}}{m.api_key}" for m in self.merchants]
        lines.append(f"  API keys       {keys[0]}")
        lines += [pad + key for key in keys[1:]]
        if self.booking_slug:
            lines.append(f"  book online    {self.public_url}/b/{self.booking_slug}")
        tab = self.open_tab
        lines += [
            f"  customer tab   {self.tab_link}",
            f"{pad}({tab.merchant.name}, {tab.customer_name}, code {tab.short_code})",
            f"  same, as JSON  {self.tab_api_url}",
            f"  try            curl -s {self.public_url}/v1/tabs/{tab.tab_id} \\",
            f'{pad}  -H "Authorization: Bearer {tab.merchant.api_key}"',
        ]
        return "\n".join(lines)
