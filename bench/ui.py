"""The benchmark's progress on the terminal."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


class Ui:
    """Progress on the terminal: one bar over the steps, a log line per sub-step."""

    def __init__(self, console: Console, total: int) -> None:
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=console,
            # Redrawn when a step begins or ends, not by a thread ten times a
            # second: that thread fought the load generator for the GIL and
            # held back the HTTP figures.
            auto_refresh=False,
        )
        self.task = self.progress.add_task("starting", total=total)

    def begin(self, label: str) -> None:
        self.progress.update(self.task, description=label, refresh=True)
        self.progress.console.log(f"[bold]{label}[/bold]")

    def log(self, message: str) -> None:
        self.progress.console.log(f"  {message}")

    def done(self) -> None:
        self.progress.advance(self.task)
        self.progress.refresh()
