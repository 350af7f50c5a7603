"""The no-show model's walk-forward figures on each half of a file's customers.

    python -m bench.risk_halves ../shared/data/noshow-dev.csv.gz --format noshow

Customers are split by the CRC-32 of their id (even: half A, odd: half B), the
split bench/RISK.md keeps: choices are tuned on A and confirmed on B, so B
says how the same model does on customers it was not tuned on. Each half, and
the whole file, is walked on its own, as ``servefirst risk evaluate`` walks
it, and its figures are given three ways: every booking; the bookings made
once some outcome was known (scored by a fitted model); the cold start (made
before any outcome was known, scored by the hand-set default alone).

Only aggregate figures are printed; the file is read from the path given and
nothing of it is written anywhere.
"""

from __future__ import annotations

import argparse
import json
import zlib
from collections.abc import Sequence

import numpy as np

from servefirst.risk.cli import _read
from servefirst.risk.evaluate import walk_forward
from servefirst.risk.features import walk
from servefirst.risk.metrics import ask_top, figures
from servefirst.risk.records import FORMATS, BookingRecord


def half_of(customer_id: str) -> str:
    return "A" if zlib.crc32(customer_id.encode("utf-8")) % 2 == 0 else "B"


def measure(records: Sequence[BookingRecord], share: float) -> dict[str, dict[str, float]]:
    walked = walk(records)
    scores, _ = walk_forward(walked)
    learnable = walked.y >= 0
    # A booking is scored by a fitted model once an outcome known before its
    # day exists; before that, only the default model can score it.
    first_known = int(walked.known_on[learnable].min()) if learnable.any() else 0
    fitted = walked.made_on > first_known
    found: dict[str, dict[str, float]] = {}
    for name, subset in (
        ("all", learnable),
        ("fitted", learnable & fitted),
        ("cold", learnable & ~fitted),
    ):
        y, p = walked.y[subset].astype(np.int64), scores[subset]
        if len(y) == 0 or y.min() == y.max():
            continue
        found[name] = {"rows": int(len(y)), "no_show_rate": round(float(y.mean()), 4)}
        found[name] |= figures(y, p, ask_top(p, share)).as_dict()
    return found


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--format", choices=FORMATS, default="noshow")
    parser.add_argument("--share", type=float, default=0.3)
    args = parser.parse_args(argv)
    records = _read(args.file, args.format)
    parts = {
        "A": [r for r in records if half_of(r.customer_id) == "A"],
        "B": [r for r in records if half_of(r.customer_id) == "B"],
        "whole": records,
    }
    print(json.dumps({name: measure(part, args.share) for name, part in parts.items()}, indent=1))


if __name__ == "__main__":
    main()
