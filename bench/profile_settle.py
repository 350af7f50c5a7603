"""Where the in-process settle path spends its time (pyinstrument).

One client settles tabs on SQLite for a few seconds under the sampling
profiler; the time is then summed by layer (servefirst's code, SQLAlchemy,
the database driver and engine, the rest) and by function, for RESULTS.md.
The full tree is written as HTML next to the results (bench/out/).
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.settle import make_runtime, open_shops, settle_one

#: SQLAlchemy frames whose own time is really the driver and the engine working.
DRIVER_CALLS = {"do_execute", "do_executemany", "do_commit", "do_rollback", "do_begin", "connect"}
USE_CASES = ("open_tab", "add_line", "serve", "pay_tab")


@dataclass
class Profile:
    seconds: float
    lifecycles: int
    by_layer: dict[str, float] = field(default_factory=dict)  # layer -> share of time
    top_functions: list[tuple[str, float]] = field(default_factory=list)  # name -> share
    by_use_case: dict[str, float] = field(default_factory=dict)  # use case -> share
    servefirst_calls: list[tuple[str, float]] = field(default_factory=list)  # inclusive share
    html_path: str | None = None

    def markdown(self) -> str:
        per_tab = self.seconds / self.lifecycles * 1000 if self.lifecycles else float("nan")
        lines = [
            f"Profiled {self.lifecycles} settled tabs ({self.seconds:.1f} s, one client, SQLite):"
            f" {per_tab:.1f} ms of one core per settled tab (seven transactions).",
            "",
            "| layer | share of time |",
            "| --- | ---: |",
        ]
        for layer, share in sorted(self.by_layer.items(), key=lambda kv: -kv[1]):
            lines.append(f"| {layer} | {share:.0%} |")
        lines += ["", "| use case (one transaction each) | share of time |", "| --- | ---: |"]
        for case, share in self.by_use_case.items():
            lines.append(f"| {case} | {share:.0%} |")
        lines += ["", "| servefirst functions (time inside, callees included) | share |"]
        lines += ["| --- | ---: |"]
        for name, share in self.servefirst_calls:
            lines.append(f"| `{name}` | {share:.0%} |")
        lines += ["", "| hottest functions (own time) | share |", "| --- | ---: |"]
        for name, share in self.top_functions:
            lines.append(f"| `{name}` | {share:.1%} |")
        return "\n".join(lines)


def _layer(frame: Any) -> str:
    path = (frame.file_path or "").replace("\\", "/")
    if "/sqlalchemy/" in path:
        return "database driver + engine" if frame.function in DRIVER_CALLS else "SQLAlchemy"
    if path == "<built-in>" and frame.function.split(".")[0] in ("Cursor", "Connection"):
        return "database driver + engine"  # sqlite3's C calls, seen as built-ins
    if "/psycopg" in path or "/sqlite3/" in path:
        return "database driver + engine"
    if "/servefirst/" in path:
        return "servefirst"
    if "/pydantic" in path:
        return "pydantic"
    if "/site-packages/" in path:
        return "other libraries"
    return "Python standard library"


def _walk(frame: Any, visit: Any) -> None:
    children = [c for c in frame.children if not c.is_synthetic]
    own = frame.time - sum(c.time for c in children)
    visit(frame, own)
    for child in children:
        _walk(child, visit)


def _servefirst_time(frame: Any, totals: dict[str, float], open_calls: set[str]) -> None:
    """Inclusive time per servefirst function, each call counted once even if recursive."""
    name = ""
    if "/servefirst/" in (frame.file_path or "") and not frame.is_synthetic:
        module = frame.file_path.split("/servefirst/")[-1].removesuffix(".py").replace("/", ".")
        name = f"{module}.{frame.function}"
        if name not in open_calls:
            totals[name] += frame.time
    inner = open_calls | {name} if name else open_calls
    for child in frame.children:
        _servefirst_time(child, totals, inner)


def _use_case_time(frame: Any, totals: dict[str, float]) -> None:
    if frame.function in USE_CASES and "/servefirst/" in (frame.file_path or ""):
        totals[frame.function] += frame.time
        return
    for child in frame.children:
        _use_case_time(child, totals)


def profile_settle(url: str, seconds: float, out_dir: Path | None = None) -> Profile:
    from pyinstrument import Profiler

    runtime = make_runtime(url)
    try:
        shop = open_shops(runtime, 1)[0]
        settle_one(runtime, shop)
        profiler = Profiler(interval=0.0005)
        count = 0
        profiler.start()
        began = time.perf_counter()
        while time.perf_counter() - began < seconds:
            settle_one(runtime, shop)
            count += 1
        profiler.stop()
    finally:
        runtime.dispose()
    session = profiler.last_session
    assert session is not None
    root = session.root_frame()
    total = root.time if root is not None and root.time else 1.0
    layers: dict[str, float] = defaultdict(float)
    functions: dict[str, float] = defaultdict(float)

    def visit(frame: Any, own: float) -> None:
        layers[_layer(frame)] += own
        short = (frame.file_path_short or frame.file_path or "?").split("site-packages/")[-1]
        functions[f"{frame.function} ({short}:{frame.line_no})"] += own

    use_cases: dict[str, float] = defaultdict(float)
    ours: dict[str, float] = defaultdict(float)
    if root is not None:
        _walk(root, visit)
        _use_case_time(root, use_cases)
        _servefirst_time(root, ours, set())
    # The four use cases and the lifecycle itself are shown above; list what they call.
    skip = {*(f"tabs.service.{u}" for u in USE_CASES), "payments.service.pay_tab"}
    calls = [(k, v / total) for k, v in ours.items() if k not in skip]
    html_path = None
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        html = out_dir / "settle-profile.html"
        html.write_text(profiler.output_html())
        html_path = os.path.relpath(html)
    top = sorted(functions.items(), key=lambda kv: -kv[1])[:12]
    return Profile(
        seconds=session.duration,
        lifecycles=count,
        by_layer={k: v / total for k, v in layers.items()},
        top_functions=[(k, v / total) for k, v in top],
        by_use_case={k: use_cases.get(k, 0.0) / total for k in USE_CASES},
        servefirst_calls=sorted(calls, key=lambda kv: -kv[1])[:12],
        html_path=html_path,
    )
