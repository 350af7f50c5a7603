"""``servefirst risk``, ``policy simulate``, ``export bookings`` and ``import bookings``.

Bad input (an unknown format, a malformed or incomplete file) is a message and
exit code 2, never a traceback.
"""

from __future__ import annotations

import gzip
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, TextIO, TypeVar

import click

from servefirst.risk.records import FORMATS, BookingRecord, HistoryFileError, read_history

F = TypeVar("F", bound=Callable[..., Any])


def _clear_errors(command: F) -> F:
    """Turn a bad file into a one-line message and exit code 2."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        from servefirst.kit.errors import ServefirstError

        try:
            return command(*args, **kwargs)
        except (HistoryFileError, ValueError, OSError, EOFError, UnicodeDecodeError) as exc:
            click.echo(f"error: {exc}", err=True)
        except ServefirstError as exc:
            click.echo(f"error: {exc.message}", err=True)
        sys.exit(2)

    return run  # type: ignore[return-value]


def _open(path: str) -> TextIO:
    if path.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")  # noqa: SIM115 - closed by the caller


def _read(path: str, fmt: str) -> list[BookingRecord]:
    try:
        with _open(path) as stream:
            records = read_history(stream, fmt)
    except (gzip.BadGzipFile, EOFError) as exc:
        raise HistoryFileError(f"{path} is not a complete gzip file ({exc}).") from None
    except UnicodeDecodeError:
        raise HistoryFileError(f"{path} is not UTF-8 text: is it a CSV file?") from None
    if not records:
        raise HistoryFileError(f"{path} has no bookings.")
    return records


_file = click.argument("file", type=click.Path(exists=True, dir_okay=False))
_format = click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="bookings", show_default=True
)


@contextmanager
def _merchant_uow(merchant_id: str) -> Iterator[Any]:
    """A unit of work for one merchant, refused clearly if there is no such merchant."""
    from servefirst.kit.errors import NotFound
    from servefirst.merchants.service import find_merchant
    from servefirst.runtime import Runtime

    runtime = Runtime.ready()
    try:
        with runtime.uow(merchant_id) as uow:
            if find_merchant(uow, merchant_id) is None:
                raise NotFound(f"No such merchant: {merchant_id!r}.")
            yield uow
    finally:
        runtime.dispose()


@click.group()
def risk() -> None:
    """The no-show model: evaluate it on a history file, fit it, score with it."""


@risk.command("evaluate")
@_file
@_format
@click.option("--share", type=click.FloatRange(0, 1), default=0.3, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_clear_errors
def risk_evaluate(file: str, fmt: str, share: float, as_json: bool) -> None:
    """Walk FILE in booking order, scoring each day's bookings with a model fit
    only on outcomes known before that day; compare with today's rule."""
    from servefirst.risk.evaluate import evaluate
    from servefirst.risk.features import walk

    result = evaluate(walk(_read(file, fmt)), share=share).as_dict()
    if as_json:
        click.echo(json.dumps(result))
        return
    click.echo(f"{result['rows']} bookings, no-show rate {result['no_show_rate']:.1%}")
    for name in ("model", "rule"):
        f = result[name]
        click.echo(
            f"  {name:5s}  AUC {f['auc']:.3f}  Brier {f['brier']:.4f}  ECE {f['ece']:.4f}"
            f"  asks {f['asked_share']:.1%}  covers {f['covered_share']:.1%} of no-shows"
        )


@risk.command("fit")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False))
@_format
@click.option("--out", type=click.Path(dir_okay=False), help="MODEL.json (with FILE).")
@click.option("--merchant", help="Refit this merchant's model on its own history instead.")
@_clear_errors
def risk_fit(file: str | None, fmt: str, out: str | None, merchant: str | None) -> None:
    """Fit the model on every outcome in FILE and write it to --out as JSON; or,
    with --merchant, refit that merchant's model (the server also does, daily)."""
    from servefirst.risk.evaluate import fit_records
    from servefirst.risk.features import walk

    if merchant:
        with _merchant_uow(merchant) as uow:
            from servefirst.risk.service import refit

            fitted = refit(uow)
            uow.commit()
        click.echo(f"model {fitted.version}: fit on {fitted.rows} bookings of {merchant}")
        return
    if not file or not out:
        raise ValueError("give FILE and --out MODEL.json, or --merchant ID.")
    fitted = fit_records(walk(_read(file, fmt)))
    Path(out).write_text(json.dumps(fitted.as_dict(), indent=1) + "\n", encoding="utf-8")
    click.echo(f"model {fitted.version}: fit on {fitted.rows} bookings, written to {out}")


@risk.command("score")
@_file
@_format
@click.option("--model", "model_path", required=True, type=click.Path(exists=True))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_clear_errors
def risk_score(file: str, fmt: str, model_path: str, as_json: bool) -> None:
    """Each booking's probability of a no-show under a model written by ``risk fit``."""
    from servefirst.risk.features import walk
    from servefirst.risk.model import RiskModel

    try:
        body = json.loads(Path(model_path).read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ValueError(f"{model_path} is not a servefirst risk model (not UTF-8 text).") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{model_path} is not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise ValueError(f"{model_path} is not a servefirst risk model.")
    model = RiskModel.from_dict(body)
    walked = walk(_read(file, fmt))
    scores = model.probabilities(walked.x)
    rows = [
        {"booking_id": r.booking_id, "probability": round(float(p), 4)}
        for r, p in zip(walked.records, scores, strict=True)
    ]
    if as_json:
        click.echo(json.dumps({"model": model.version, "bookings": rows}))
        return
    for row in rows:
        click.echo(f"{row['booking_id']}\t{row['probability']:.4f}")


@click.group()
def policy() -> None:
    """Deposit policies, tried on the merchant's own history."""


@policy.command("simulate")
@click.option("--merchant", required=True)
@click.option("--loss-threshold", type=click.IntRange(0), help="Minor units; default: shown one.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_clear_errors
def policy_simulate(merchant: str, loss_threshold: int | None, as_json: bool) -> None:
    """Replay the merchant's history under other deposit policies, side by side."""
    from servefirst.risk.service import simulate_history

    with _merchant_uow(merchant) as uow:
        result = simulate_history(uow, loss_threshold)
    if as_json:
        click.echo(json.dumps(result.as_dict()))
        return
    click.echo(
        f"{result.bookings} bookings, {result.no_shows} no-shows, {result.customers} customers"
    )
    click.echo(
        f"{'policy':44s} {'asked':>12s} {'covered':>12s} {'fees kept':>10s} {'customers':>9s}"
    )
    for r in result.replays:
        click.echo(
            f"{r.policy:44s} {r.bookings_asked:6d} {r.asked_share:5.0%} "
            f"{r.no_shows_covered:6d} {r.covered_share:5.0%} {r.fees_kept / 100:10.2f}"
            f" {r.customers_asked:9d}"
        )


@click.group("export")
def export_group() -> None:
    """Write the merchant's data out."""


@export_group.command("bookings")
@click.option("--merchant", required=True)
@click.option("--out", type=click.Path(dir_okay=False), help="A file; else standard output.")
@_clear_errors
def export_bookings(merchant: str, out: str | None) -> None:
    """The merchant's booking history as servefirst's bookings CSV."""
    from servefirst.risk.records import write_bookings
    from servefirst.risk.service import export_records

    with _merchant_uow(merchant) as uow:
        records = export_records(uow)
    if out:
        with open(out, "w", encoding="utf-8", newline="") as stream:
            write_bookings(records, stream)
    else:
        write_bookings(records, sys.stdout)


@click.group("import")
def import_group() -> None:
    """Bring history in from another system."""


@import_group.command("bookings")
@_file
@click.option("--merchant", required=True)
@_clear_errors
def import_bookings(file: str, merchant: str) -> None:
    """Load a bookings CSV as the merchant's past bookings (all or nothing)."""
    from servefirst.risk.service import import_records

    records = _read(file, "bookings")
    with _merchant_uow(merchant) as uow:
        added, known = import_records(uow, records)
        uow.commit()
    click.echo(f"{added} bookings imported, {known} already there.")
