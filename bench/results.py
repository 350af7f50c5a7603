"""The figures of one run, the targets they are held to, and how they are shown."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from rich.table import Table


@dataclass(frozen=True)
class Figure:
    section: str
    name: str
    value: float
    unit: str
    detail: str = ""

    def shown(self) -> str:
        if self.value != self.value:  # NaN: nothing measured
            return "n/a"
        # A count (statements) shows as one; 100 and above needs no decimals.
        if abs(self.value) >= 100 or float(self.value).is_integer():
            return f"{self.value:,.0f} {self.unit}".rstrip()
        return f"{self.value:,.2f} {self.unit}".rstrip()


@dataclass(frozen=True)
class Check:
    """A ratio taken side by side in one run, held to the issue's target."""

    name: str
    value: float
    target: str
    passed: bool

    def shown(self) -> str:
        return f"{self.value:.3g}"


@dataclass
class Results:
    command: str
    options: dict[str, object]
    machine: dict[str, str]
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    figures: list[Figure] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    profile_markdown: str = ""
    seconds_taken: float = 0.0

    def add(self, section: str, name: str, value: float, unit: str, detail: str = "") -> None:
        self.figures.append(Figure(section, name, value, unit, detail))

    def check(self, name: str, value: float, target: str, passed: bool) -> None:
        self.checks.append(Check(name, value, target, passed))

    def figure(self, section: str, name: str) -> float | None:
        for f in self.figures:
            if f.section == section and f.name == name:
                return f.value
        return None

    def figures_table(self) -> Table:
        table = Table(title="servefirst benchmarks")
        for column in ("section", "measurement", "value", "detail"):
            table.add_column(column, justify="right" if column == "value" else "left")
        for f in self.figures:
            table.add_row(f.section, f.name, f.shown(), f.detail)
        return table

    def checks_table(self) -> Table:
        table = Table(title="targets")
        for column in ("ratio", "value", "target", "met"):
            table.add_column(column)
        for c in self.checks:
            table.add_row(c.name, c.shown(), c.target, "yes" if c.passed else "NO")
        return table

    def markdown(self) -> str:
        out = [
            "# servefirst benchmark results",
            "",
            "Written by `python -m bench`; absolute numbers vary by machine, the ratios "
            "(taken side by side in one run) are what to compare.",
            "",
            f"- date: {self.started:%Y-%m-%d %H:%M} UTC ({self.seconds_taken:.0f} s)",
            f"- command: `{self.command}`",
            "- options: " + ", ".join(f"{k}={v}" for k, v in self.options.items()),
            "",
            "## Machine",
            "",
        ]
        out += [f"- {k}: {v}" for k, v in self.machine.items()]
        out += [
            "",
            "## Targets",
            "",
            "| ratio | value | target | met |",
            "| --- | ---: | --- | --- |",
        ]
        out += [
            f"| {c.name} | {c.shown()} | {c.target} | {'yes' if c.passed else '**no**'} |"
            for c in self.checks
        ]
        out += ["", "## Figures", "", "| section | measurement | value | detail |"]
        out += ["| --- | --- | ---: | --- |"]
        out += [f"| {f.section} | {f.name} | {f.shown()} | {f.detail} |" for f in self.figures]
        if self.profile_markdown:
            out += ["", "## Where the settle path spends its time", "", self.profile_markdown]
        if self.notes:
            out += ["", "## How it is measured", ""] + [f"- {n}" for n in self.notes]
        if self.errors:
            out += ["", "## Errors", ""] + [f"- {e}" for e in self.errors]
        return "\n".join(out) + "\n"
