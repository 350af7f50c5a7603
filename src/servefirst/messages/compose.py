"""A message's words: text and HTML bodies from Jinja templates
(``web/templates/messages/``), the headers every e-mail carries, and the
booking's ``.ics`` attached to its confirmation; a text (SMS) from its kind's
one line in ``messages/sms/``, written from the same values."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from email.encoders import encode_base64
from email.header import Header
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import dates, numbers
from jinja2 import Environment, FileSystemLoader, select_autoescape

from servefirst.bookings import service as bookings
from servefirst.bookings.calendar import booking_calendar
from servefirst.catalog.service import service_if_any
from servefirst.customers.rules import dialled
from servefirst.db.uow import UnitOfWork
from servefirst.kit import i18n
from servefirst.kit.money import Money
from servefirst.kit.onetime import CODE_LIFETIME, code_for, spaced
from servefirst.messages.cancellation import cancellation_file, cancellation_values
from servefirst.messages.overdue_rules import final_notice_day
from servefirst.messages.refund_refused import refusal_values
from servefirst.messages.refund_returned import returned_values
from servefirst.messages.rules import TO_THE_MERCHANT, MessageKind
from servefirst.messages.service import Context
from servefirst.messages.sms_segments import fitted
from servefirst.messages.subjects import asks_first, subject_of
from servefirst.receipts import document as receipts
from servefirst.receipts.pdf import render_pdf
from servefirst.tabs import service as tabs
from servefirst.tabs.read_repository import lines_on_the_bill
from servefirst.tabs.service import bill_of

TEMPLATES = Path(__file__).parent.parent / "web" / "templates" / "messages"
_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    trim_blocks=True,
    lstrip_blocks=True,
    # An included part ends its last line: without this, what follows an
    # include ("Tip", "Still to pay") is glued onto its last line in the text.
    keep_trailing_newline=True,
    extensions=["jinja2.ext.i18n"],
)
_env.install_gettext_callables(  # type: ignore[attr-defined]
    i18n.gettext, i18n.ngettext, newstyle=True
)
#: Words servefirst stored as data (a refund made in Stripe's dashboard), read
#: in the message's language; anything else comes back as it was typed.
_env.globals["translated"] = i18n.gettext
#: The merchant's locale while one of its messages is written: its words
#: (``i18n.use_language``), and how its money, days and times are written.
_locale: ContextVar[str] = ContextVar("servefirst_message_locale", default="en_GB")
_env.filters["money"] = lambda amount, currency: Money(int(amount), currency).format(_locale.get())
_env.filters["when"] = lambda at: (
    f"{dates.format_date(at, 'full', locale=_locale.get())}, {dates.format_time(at, 'HH:mm')}"
)
# A rate as the merchant entered it ('5.5'), written the merchant's way ('5,5').
_env.filters["number"] = lambda value: numbers.format_decimal(
    Decimal(str(value)), locale=_locale.get()
)
_env.filters["day"] = lambda at: dates.format_date(at, "long", locale=_locale.get())
_env.filters["short_when"] = lambda at: dates.format_datetime(
    at, "EEE d MMM HH:mm", locale=_locale.get()
)


@contextmanager
def written_as(locale: str, language: str) -> Iterator[None]:
    """Messages written in ``language``, money and days the ``locale``'s way."""
    token = _locale.set(locale)
    try:
        with i18n.use_language(language):
            yield
    finally:
        _locale.reset(token)


def text_message(kind: MessageKind, values: Mapping[str, Any]) -> str:
    """A text is its kind's own line (``sms/<kind>.txt``), every character
    counted: no attachment, no HTML, two SMS at most (``sms_segments``)."""
    template = _env.get_template(f"sms/{kind.value}.txt")
    return fitted(lambda shown: template.render(shown).strip(), values, SMS_NAMES)


#: What of a text may be shortened to keep it to two SMS (never the link).
SMS_NAMES = ("service", "business")


@dataclass
class Outgoing:
    """A composed message, ready for a transport."""

    message_id: str
    channel: str
    to: str
    subject: str
    text: str
    html: str | None = None
    sender: str = ""
    unsubscribe_url: str = ""
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)

    def email(self, domain: str = "servefirst") -> Message:
        """The e-mail, built with the ``email`` package's classic (compat32)
        classes: the worker runs inside the web server, and the modern
        ``EmailMessage`` parses and refolds every header through its header
        registry, several times this message's other costs."""
        body: Message = _text(self.text, "plain")
        if self.html:
            body = MIMEMultipart("alternative", _subparts=[body, _text(self.html, "html")])
        mail: Message = body
        if self.attachments:
            mail = MIMEMultipart("mixed", _subparts=[body])
            for filename, mime, data in self.attachments:
                maintype, subtype = mime.split("/", 1)
                # A text file says its charset: "Café" is read as UTF-8 by
                # every mail client, not guessed.
                part = MIMEBase(maintype, subtype)
                if maintype == "text":
                    part.set_param("charset", "utf-8")
                part.set_payload(data)
                encode_base64(part)
                part.add_header("Content-Disposition", "attachment", filename=filename)
                mail.attach(part)
        name, address = parseaddr(self.sender)
        mail["From"] = formataddr((name, address), charset="utf-8")
        mail["To"] = self.to
        mail["Subject"] = Header(self.subject, "utf-8")  # type: ignore[assignment]
        # The same id on every attempt: a message sent twice is recognisably one.
        mail["Message-ID"] = f"<{self.message_id}@{domain}>"
        mail["Date"] = format_datetime(datetime.now().astimezone())
        if self.unsubscribe_url:  # a one-time code has nothing to unsubscribe from
            # RFC 8058: one-click unsubscribe, by a POST the mail client makes.
            mail["List-Unsubscribe"] = f"<{self.unsubscribe_url}>"
            mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        return mail


def _text(content: str, subtype: str) -> MIMEText:
    # UTF-8 in base64 (7-bit safe): encoded in C, where quoted-printable
    # walks the body a character at a time in Python.
    return MIMEText(content, subtype, "utf-8")


def compose(
    uow: UnitOfWork,
    ctx: Context,
    *,
    public_url: str,
    mail_from: str,
    secret: str | None = None,
) -> Outgoing:
    """The message in the merchant's language; ``secret``: the server's key,
    which a one-time code is worked out with (``kit.onetime``)."""
    message, merchant = ctx.message, ctx.merchant
    kind = MessageKind(message.kind)
    base = public_url.rstrip("/")
    zone = ZoneInfo(ctx.policy.timezone)
    values: dict[str, Any] = {
        "business": merchant.name,
        "customer": ctx.customer.name if ctx.customer else "",
        "kind": kind.value,
        "step": message.step,
        "unsubscribe_url": f"{base}/u/{message.unsubscribe_token}",
        # The number a customer calls the business on, where it gave one (a
        # message to the business itself has no use for its own).
        "phone": "" if kind in TO_THE_MERCHANT else getattr(merchant, "phone", None) or "",
    }
    values["phone_dial"] = dialled(values["phone"]) or ""
    if kind is MessageKind.BOOKING_CODE:
        if not secret:
            raise RuntimeError("SERVEFIRST_SECRET_KEY is not set: a code cannot be written")
        values.update(
            code=spaced(code_for(secret, merchant.merchant_id, message.subject_id)),
            minutes=int(CODE_LIFETIME.total_seconds() // 60),
            unsubscribe_url="",
        )
    if kind in TO_THE_MERCHANT:
        values.update(
            url=ctx.details.get("url", ""),
            reason=ctx.details.get("reason", ""),
            console_url=f"{base}/staff/messages",
            unsubscribe_url="",  # the business's own news: nothing to leave
        )
    attachments: list[tuple[str, str, bytes]] = []
    if ctx.tab is not None:
        tab = ctx.tab
        bill = bill_of(tab)
        lines = ctx_lines(uow, tab.tab_id)
        # What a final notice says of the overdue day (None: overdue already).
        overdue_on = final_notice_day(
            tab.served_at or message.created_at,
            ctx.policy,
            now=ctx.now,
            invoice_overdue_at=(
                tabs.overdue_from(tab.due_date, zone) if tab.due_date is not None else None
            ),
            overdue_already=tab.status == "overdue",
        )
        values.update(
            currency=tab.currency,
            lines=lines,
            # Each amount between the lines and what is asked, so the bill adds up:
            # tax added on top of prices without it, discounts, the booking's
            # deposit, part-payments already made.
            tax_added=tab.subtotal - sum(line["amount"] for line in lines),
            adjustments=tab.adjustments,
            total=bill.total,
            deposit_applied=tab.deposit_applied,
            paid=tab.paid,
            tips=tab.tips,
            due=bill.due,
            tab_url=f"{base}/t/{tab.token}",
            receipt_url=f"{base}/t/{tab.token}/receipt",
            pay_url=f"{base}/t/{tab.token}#pay",
            concern_url=f"{base}/t/{tab.token}#concern",
            overdue_on=overdue_on.astimezone(zone) if overdue_on else None,
            receipt_number=tab.receipt_number,
            receipt_pdf_url=f"{base}/t/{tab.token}/receipt.pdf",
        )
        if kind is MessageKind.RECEIPT and message.channel == "email":
            # The receipt itself, as the law asks it to be printed (seller,
            # number, taxes): a PDF the customer can keep or hand on.
            document = receipts.document_for(uow, tab)
            attachments.append((document.filename, "application/pdf", render_pdf(document)))
            # The body says what the PDF says: the sale's tax per rate as
            # charged, and any refund below it (a receipt sent after one).
            values["receipt"] = document
            # A booking's deposit the bill did not use all of (a cheaper
            # service done, a price lowered): where the rest went, said under
            # the deposit applied (``_lines``), as the PDF prints it.
            values["deposit_back"] = document.deposit_back
    if ctx.refund is not None:
        refund = ctx.refund
        # Only what this refund gave back: the receipt page it links to shows
        # the sale and every refund below it.
        values.update(
            refunded=refund.amount,
            tip_refunded=refund.tip,
            refunded_in_all=refund.amount + refund.tip,
            reason=refund.reason or "",
            refunded_on=refund.at.astimezone(zone),
            to_card=refund.to_card,
            card_last4=refund.card_last4 or "",
            method=refund.method,
        )
    if ctx.returned is not None:
        values.update(returned_values(ctx.returned, merchant, ctx.policy, zone))
    if ctx.booking is not None:
        booking = ctx.booking
        service = service_if_any(uow, booking.service_id)
        service_name = service.name if service else "Your booking"
        values.update(
            service=service_name,
            starts_at=booking.starts_at.astimezone(zone),
            timezone=ctx.policy.timezone,
            # The booking's own page, where the customer moves or cancels it;
            # only a merchant with a booking page (a slug) has one.
            manage_url=(
                f"{base}/b/{merchant.slug}/bookings/{booking.token}"
                if getattr(merchant, "slug", None) and booking.token
                else ""
            ),
        )
        if kind is MessageKind.BOOKING_CANCELLED:
            values.update(cancellation_values(uow, booking, merchant, base=base))
            if message.channel == "email":
                attachments.append(
                    cancellation_file(
                        booking,
                        service_name=service_name,
                        business_name=merchant.name,
                        uow=uow,
                        locale=getattr(merchant, "locale", None) or "en_GB",
                    )
                )
        if kind is MessageKind.DEPOSIT_REFUND_FAILED:
            values.update(refusal_values(ctx.details, booking, merchant, ctx.policy))
        if kind is MessageKind.BOOKING_CONFIRMATION and message.channel == "email":
            ics = booking_calendar(
                booking,
                service_name=service_name,
                business_name=merchant.name,
                policy=bookings.deposit_policy(uow, service.deposit_policy if service else None),
                now_utc=uow.clock.now(),
                locale=getattr(merchant, "locale", None) or "en_GB",
            )
            attachments.append(("booking.ics", "text/calendar", ics))
    invoiced = ctx.tab is not None and ctx.tab.due_date is not None
    # An invoice past its due date is reminded of the bill, not asked about the
    # visit: subject and body alike (the body asked while the subject did not).
    values["asks_first"] = asks_first(message.step, invoiced=invoiced)
    locale = getattr(merchant, "locale", None) or "en_GB"
    # The reader's own language if they chose one (an owner's console
    # language); amounts and days are written as the business writes them.
    values["language"] = i18n.language_of(ctx.language or locale)
    subject = subject_of(
        kind,
        step=message.step,
        invoiced=invoiced,
        business=merchant.name,
        language=ctx.language or locale,
    )
    with written_as(locale, ctx.language or locale):
        if message.channel == "sms":
            text, html = text_message(kind, values), None
        else:
            text = _env.get_template(f"{kind.value}.txt").render(values)
            html = _env.get_template(f"{kind.value}.html").render(values)
    # From the business to its customers; from servefirst to the business.
    if kind in TO_THE_MERCHANT:
        sent_by, sender = "servefirst", mail_from
    else:
        sent_by, sender = merchant.name, ctx.policy.sender or mail_from
    return Outgoing(
        message_id=message.message_id,
        channel=message.channel,
        to=message.to_address,
        subject=subject,
        text=text,
        html=html,
        sender=formataddr((sent_by, sender)),
        unsubscribe_url=values["unsubscribe_url"],
        attachments=attachments,
    )


def ctx_lines(uow: UnitOfWork, tab_id: str) -> list[dict[str, Any]]:
    return [{"name": n, "quantity": q, "amount": a} for n, q, a in lines_on_the_bill(uow, tab_id)]
