"""``servefirst export journal|beancount|quickbooks|xero|zreports``: a period's
books as a file, on standard output or ``--out``, with a progress bar on
standard error. Bad input (dates, a period backwards, an unknown merchant) is
one line on standard error and exit code 2; no file is left half-written.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterable
from typing import TextIO

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from servefirst.exports.service import Format


def _write(fmt: Format, merchant: str, first: str, last: str, out: str | None) -> None:
    from servefirst.exports import service as exports
    from servefirst.kit.errors import NotFound, ServefirstError
    from servefirst.merchants.service import find_merchant
    from servefirst.runtime import Runtime

    runtime = Runtime.ready()
    try:
        with runtime.uow(merchant, write=False) as uow:
            if find_merchant(uow, merchant) is None:
                raise NotFound(f"No such merchant: {merchant!r}.")
            plan = exports.plan_export(uow, fmt.value, first, last)
            total = exports.count_legs(uow, plan) if fmt is not Format.ZREPORTS else 0
            with _progress() as bar:
                task = bar.add_task(plan.filename, total=total or None)
                chunks = exports.write_export(
                    uow,
                    plan,
                    lambda n: bar.advance(task, n),
                    batch=runtime.settings.export_batch_rows,
                )
                if out:
                    _to_file(out, chunks)
                else:
                    _to_stream(sys.stdout, chunks)
    except ServefirstError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(2)
    except OSError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    finally:
        runtime.dispose()


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )


def _to_stream(stream: TextIO, chunks: Iterable[str]) -> None:
    # Bytes, not text: the file's CRLF line ends must not be translated.
    binary = getattr(stream, "buffer", None)
    for chunk in chunks:
        if binary is not None:
            binary.write(chunk.encode("utf-8"))
        else:
            stream.write(chunk)
    (binary or stream).flush()


def _to_file(path: str, chunks: Iterable[str]) -> None:
    """Written beside the target and renamed when complete: a failure halfway
    leaves no partial file under the name asked for."""
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".servefirst-export-")
    try:
        with os.fdopen(handle, "wb") as stream:
            for chunk in chunks:
                stream.write(chunk.encode("utf-8"))
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _command(fmt: Format, summary: str) -> click.Command:
    @click.command(fmt.value, help=summary)
    @click.option("--from", "first", required=True, help="First day, YYYY-MM-DD (included).")
    @click.option("--to", "last", required=True, help="Last day, YYYY-MM-DD (included).")
    @click.option("--merchant", required=True, help="The merchant's id (mer_...).")
    @click.option("--out", type=click.Path(dir_okay=False), help="A file; else standard output.")
    def run(first: str, last: str, merchant: str, out: str | None) -> None:
        _write(fmt, merchant, first, last, out)

    return run


COMMANDS = [
    _command(Format.JOURNAL, "The journal as CSV, one row per leg (days in the merchant's zone)."),
    _command(Format.BEANCOUNT, "The journal as a Beancount file, with balance assertions."),
    _command(Format.QUICKBOOKS, "The journal as QuickBooks Online's journal-entry import CSV."),
    _command(Format.XERO, "The journal as Xero's manual-journal import CSV."),
    _command(Format.XERO_DAILY, "Xero's import, one journal a day (each account's net)."),
    _command(Format.ZREPORTS, "The Z reports of the period's closed days as CSV."),
]
