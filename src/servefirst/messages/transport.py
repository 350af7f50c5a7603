"""How a composed message leaves: SMTP for e-mail, a provider for texts."""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from servefirst.messages.compose import Outgoing
from servefirst.messages.smtp_target import SmtpTarget, parse_smtp_url

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

    def close(self) -> None: ...


class SmtpMailer:
    """Sends over SMTP, keeping one open connection per sending thread.

    Opening a connection (TCP, greeting, EHLO, STARTTLS, login) costs more CPU
    than the message itself, and the worker runs inside the web server, so each
    sender keeps its connection for the next message. A connection the server
    closed in the meantime (an idle timeout) is opened again and the message
    sent once more on it; a message the server may have taken before the
    connection broke can so arrive twice, with the same Message-ID (at least
    once).
    """

    def __init__(self, target: SmtpTarget) -> None:
        self.target = target
        self._local = threading.local()
        self._opened: list[smtplib.SMTP] = []
        self._lock = threading.Lock()

    def send(self, outgoing: Outgoing) -> None:
        mail = outgoing.email()
        try:
            try:
                self._connection(fresh=False).send_message(mail)
            except (smtplib.SMTPServerDisconnected, ConnectionError):
                self._drop()
                self._connection(fresh=True).send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if all(500 <= code < 600 for code in codes):
                # As staff read it on the console: the address and the server's words.
                said = "; ".join(
                    f"{address}: {code} {reply.decode(errors='replace')}"
                    for address, (code, reply) in exc.recipients.items()
                )
                raise Undeliverable(f"the mail server refused {said}") from exc
            raise
        except smtplib.SMTPResponseException:
            raise  # the server answered: the connection is still good
        except Exception:
            self._drop()  # a timeout or a broken line: start afresh next time
            raise

    def _connection(self, *, fresh: bool) -> smtplib.SMTP:
        smtp: smtplib.SMTP | None = getattr(self._local, "smtp", None)
        if smtp is not None and not fresh:
            return smtp
        target = self.target
        smtp_class = smtplib.SMTP_SSL if target.ssl else smtplib.SMTP
        smtp = smtp_class(target.host, target.port, timeout=SMTP_TIMEOUT_SECONDS)
        try:
            if target.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if target.user:
                smtp.login(target.user, target.password or "")
        except BaseException:
            smtp.close()
            raise
        self._local.smtp = smtp
        with self._lock:
            self._opened.append(smtp)
        return smtp

    def _drop(self) -> None:
        smtp = getattr(self._local, "smtp", None)
        self._local.smtp = None
        if smtp is not None:
            with self._lock:
                if smtp in self._opened:
                    self._opened.remove(smtp)
            smtp.close()

    def close(self) -> None:
        """Say goodbye on every connection still open (the worker stops)."""
        with self._lock:
            opened, self._opened = self._opened, []
        for smtp in opened:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()


class DirectoryMailer:
    """Writes each e-mail as ``<message id>.eml`` into a folder (the demo's
    sink, ``file:///path``): read them with any mail client."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def send(self, outgoing: Outgoing) -> None:
        path = self.folder / f"{outgoing.message_id}.eml"
        path.write_bytes(bytes(outgoing.email()))

    def close(self) -> None:
        pass


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

    def close(self) -> None:
        if self.mailer is not None:
            self.mailer.close()
