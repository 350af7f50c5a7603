"""The ``servefirst`` command."""

from __future__ import annotations

import json
import os
import secrets
import sys

import click
from rich.console import Console

from servefirst.bookings.cli import holds
from servefirst.config import Settings, load_settings
from servefirst.db.cli import backup
from servefirst.exports.cli import COMMANDS as EXPORT_COMMANDS
from servefirst.risk.cli import export_group, import_group, policy, risk
from servefirst.runtime import Runtime
from servefirst.staff.cli import staff

console = Console(stderr=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="servefirst")
def main() -> None:
    """servefirst: serve first, pay after.

    The database is SERVEFIRST_DATABASE_URL (for example sqlite:///servefirst.db or
    postgresql+psycopg://user@host/db); unset, servefirst.db in this directory.
    """


def _serve(runtime: Runtime, host: str, port: int, workers: int = 1) -> None:
    from servefirst.server.start import CannotListen, serve

    try:
        code = serve(runtime, host, port, workers)
    except CannotListen as exc:
        raise click.ClickException(str(exc)) from exc
    if code:
        sys.exit(code)


def _check_port(host: str, port: int) -> None:
    """Fail now, before anything is written, if the host or the port cannot be
    listened on (the message says which)."""
    from servefirst.server.start import CannotListen, check_port

    try:
        check_port(host, port)
    except CannotListen as exc:
        raise click.ClickException(str(exc)) from exc


def _settings_for(host: str, port: int) -> Settings:
    settings = load_settings()
    if "SERVEFIRST_PUBLIC_URL" not in os.environ:
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        settings.public_url = f"http://{shown}:{port}"
    return settings


#: A TCP port: a typo such as 80000 is refused with the option named, not a traceback
#: from the socket (which takes 0 to 65535; 0 would mean "any", never what is printed).
PORT = click.IntRange(1, 65535)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=PORT)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes sharing the port: one per core on PostgreSQL. On SQLite"
    " the workers take turns to write on one shared lock.",
)
@click.option(
    "--no-worker",
    is_flag=True,
    help="Do not deliver messages and webhooks in this server (run `servefirst worker` apart).",
)
def serve(host: str, port: int, workers: int, no_worker: bool) -> None:
    """Run the web server (API and pages); migrates the database first."""
    settings = _settings_for(host, port)
    _check_port(host, port)
    _deliver_in_process(settings, not no_worker)
    runtime = Runtime.ready(settings)
    plural = "es" if workers > 1 else ""
    console.print(
        f"servefirst on http://{host}:{port}  (API docs at /docs; {workers} process{plural})"
    )
    _serve(runtime, host, port, workers)


def _deliver_in_process(settings: Settings, deliver: bool) -> None:
    """The delivery worker runs in the server (each of its processes: they
    share the work through leases) unless told otherwise."""
    settings.deliver_in_process = deliver


@main.command()
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
def worker(once: bool) -> None:
    """Deliver the outbox: e-mails, texts and webhooks (at least once, in order
    per recipient). Runs until stopped; safe to kill and restart at any time."""
    import signal
    import threading

    from servefirst.messages.worker import Worker

    runtime = Runtime.ready()
    delivery = Worker(runtime)
    if once:
        click.echo(f"{delivery.drain()} sends tried")
        runtime.dispose()
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    mail = runtime.settings.smtp_url or "nowhere yet (SERVEFIRST_SMTP_URL is not set)"
    click.echo(f"servefirst worker: e-mail to {mail}; Ctrl+C to stop.")
    try:
        delivery.run(stop)
    except KeyboardInterrupt:
        stop.set()
    finally:
        runtime.dispose()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=PORT)
@click.option(
    "--database",
    default="servefirst-demo.db",
    show_default=True,
    help="A SQLite file made afresh (ignored if SERVEFIRST_DATABASE_URL is set).",
)
@click.option("--no-serve", is_flag=True, help="Fill the database, print, and exit.")
def demo(host: str, port: int, database: str, no_serve: bool) -> None:
    """Fill a fresh demo database with a café and a salon, and serve it."""
    from servefirst.demo import build_demo

    settings = _settings_for(host, port)
    if not no_serve:
        # A taken port fails here, before the database is touched.
        _check_port(host, port)
    if "SERVEFIRST_DATABASE_URL" not in os.environ:
        # A fresh file each run, so the demo always tells the same story.
        path = os.path.abspath(database)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        settings.database_url = f"sqlite:///{path}"
        if not settings.secret_key:
            # A key for this run's fresh file only, so what needs one works in
            # the demo too (returning customers' one-time booking codes).
            settings.secret_key = secrets.token_urlsafe(32)
    if not settings.smtp_url:
        # The demo's mail goes to a folder of .eml files (a local sink).
        settings.smtp_url = f"file://{os.path.abspath('servefirst-demo-mail')}"
    _deliver_in_process(settings, True)
    runtime = Runtime.ready(settings)
    demo_data = build_demo(runtime)
    # Plain text, not a rich table: keys and links must survive copy and paste
    # whatever the terminal's width.
    click.echo(demo_data.summary())
    click.echo(f"\nE-mails sent go to {settings.smtp_url} (GET /v1/messages lists them).")
    if not no_serve:
        click.echo(f"\nServing on http://{host}:{port} (Ctrl+C to stop).")
        _serve(runtime, host, port)


@main.group()
def merchant() -> None:
    """Merchants (businesses)."""


@merchant.command("create")
@click.option("--name", required=True)
@click.option("--currency", required=True, help="ISO 4217 code, e.g. EUR.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def merchant_create(name: str, currency: str, as_json: bool) -> None:
    """Create a merchant and print its first API key (shown once)."""
    from servefirst.kit.errors import ServefirstError
    from servefirst.merchants.service import create_merchant

    runtime = Runtime.ready()
    try:
        with runtime.uow() as uow:
            created = create_merchant(uow, name=name, currency=currency)
            uow.commit()
    except ServefirstError as exc:
        if as_json:
            click.echo(json.dumps(exc.to_dict()), err=True)
        else:
            click.echo(f"error: {exc.message}", err=True)
        sys.exit(2)
    finally:
        runtime.dispose()
    result = {"merchant_id": created.merchant.merchant_id, "api_key": created.api_key}
    if as_json:
        click.echo(json.dumps(result))
    else:
        click.echo(
            f"merchant {result['merchant_id']}\napi key  {result['api_key']}\n"
            "(the key is shown once; keep it)"
        )


@main.group()
def ledger() -> None:
    """The ledger."""


@ledger.command("audit")
@click.option("--merchant-id", default=None, help="One merchant (mer_...); all when left out.")
def ledger_audit(merchant_id: str | None) -> None:
    """Rebuild every balance from the journal legs and compare with the running totals."""

    from servefirst.ledger.service import audit
    from servefirst.merchants.service import all_merchant_ids

    runtime = Runtime.ready()
    failures = 0
    with runtime.uow(write=False) as reader:
        merchants = all_merchant_ids(reader)
    if merchant_id is not None:
        if merchant_id not in merchants:
            runtime.dispose()
            raise click.UsageError(f"No such merchant: {merchant_id!r}.")
        merchants = [merchant_id]
    for audited in merchants:
        with runtime.uow(audited, write=False) as uow:
            result = audit(uow)
        status = "ok" if result.ok else "MISMATCH"
        failures += 0 if result.ok else 1
        click.echo(
            f"{audited}: {result.entries_checked} entries, "
            f"{result.accounts_checked} accounts: {status}"
        )
        for account, (running, rebuilt) in result.mismatched_accounts.items():
            click.echo(f"  {account}: running {running}, from legs {rebuilt}")
        for entry_id in result.unbalanced_entries:
            click.echo(f"  entry {entry_id} does not balance")
    runtime.dispose()
    sys.exit(1 if failures else 0)


@main.group()
def payments() -> None:
    """Card payments."""


@payments.command("recover")
@click.option(
    "--grace-seconds",
    type=float,
    default=None,
    help="Only attempts pending this long (default: SERVEFIRST_PAYMENT_RECOVERY_GRACE_SECONDS).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def payments_recover(grace_seconds: float | None, as_json: bool) -> None:
    """Finish card payment attempts (card hold captures and refunds too) a
    crash left pending, by asking the processor what became of each, never by
    charging again; finish card hold raises and renewals left unanswered,
    booking deposits left pending and fees asked of a booking's card hold; and
    send the card hold releases kept pending."""
    from servefirst.payments.recovery import recover, summary

    runtime = Runtime.ready()
    try:
        done = recover(runtime, grace_seconds=grace_seconds)
    finally:
        runtime.dispose()
    if as_json:
        click.echo(
            json.dumps(
                {
                    "succeeded": done.succeeded,
                    "failed": done.failed,
                    "refunds": done.refunds,
                    "releases": done.releases,
                    "raises": done.raises,
                    "deposits": done.deposits,
                    "fees": done.fees,
                    "deposit_refunds": done.deposit_refunds,
                    "waiting": done.waiting,
                    "keys_refused": done.keys_refused,
                }
            )
        )
    else:
        click.echo(summary(done))


main.add_command(staff)
main.add_command(backup)
main.add_command(holds)
for _group in (risk, policy, export_group, import_group):
    main.add_command(_group)
for _export in EXPORT_COMMANDS:
    export_group.add_command(_export)
