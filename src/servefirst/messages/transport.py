"""How a composed message leaves: SMTP for e-mail, a provider for texts."""

from __future__ import annotations

import logging
import smtplib
import ssl
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from servefirst.messages.compose import Outgoing
from servefirst.messages.rules import SmtpTarget, parse_smtp_url

log = logging.getLogger("servefirst.messages")

SMTP_TIMEOUT_SECONDS = 30.0


class Undeliverable(Exception):
    """The server refused this message for good (a bad address): retrying
    would get the same answer."""


class NotConfigured(Exception):
    """No way to send this channel yet; the message waits and is retried."""


class SmsProvider(Protocol):
    def send(self, to: str, text: str, *, message_id: str) -> None: ...


class LogSmsProvider:
    """Writes each text to the log: no SMS provider is reachable here. A real
    one (with its API key) implements ``SmsProvider``."""

    def send(self, to: str, text: str, *, message_id: str) -> None:
        log.info("SMS %s to %s: %s", message_id, to, text)


class Mailer(Protocol):
    def send(self, outgoing: Outgoing) -> None: ...


class SmtpMailer:
    def __init__(self, target: SmtpTarget) -> None:
        self.target = target

    def send(self, outgoing: Outgoing) -> None:
        target = self.target
        mail = outgoing.email()
        smtp_class = smtplib.SMTP_SSL if target.ssl else smtplib.SMTP
        try:
            with smtp_class(target.host, target.port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
                if target.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if target.user:
                    smtp.login(target.user, target.password or "")
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if all(500 <= code < 600 for code in codes):
                raise Undeliverable(f"refused: {exc.recipients}") from exc
            raise


class DirectoryMailer:
    """Writes each e-mail as ``<message id>.eml`` into a folder (the demo's
    sink, ``file:///path``): read them with any mail client."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def send(self, outgoing: Outgoing) -> None:
        path = self.folder / f"{outgoing.message_id}.eml"
        path.write_bytes(bytes(outgoing.email()))


def mailer_for(url: str | None) -> Mailer | None:
    """The mailer for ``SERVEFIRST_SMTP_URL``; None when unset (e-mail waits)."""
    if not url:
        return None
    if url.startswith("file://"):
        return DirectoryMailer(Path(unquote(urlsplit(url).path)))
    return SmtpMailer(parse_smtp_url(url))


class Transports:
    """The channels a worker sends on."""

    def __init__(self, mailer: Mailer | None, sms: SmsProvider | None = None) -> None:
        self.mailer = mailer
        self.sms = sms or LogSmsProvider()

    def send(self, outgoing: Outgoing) -> None:
        if outgoing.channel == "sms":
            self.sms.send(outgoing.to, outgoing.text, message_id=outgoing.message_id)
        elif self.mailer is None:
            raise NotConfigured("SERVEFIRST_SMTP_URL is not set")
        else:
            self.mailer.send(outgoing)
