"""The README's "Why each dependency" table names every dependency in
pyproject.toml (the project's and the test extra's): one added without its
reason fails here."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _declared() -> set[str]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        project = tomllib.load(f)["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["test"]
    return {re.split(r"[\s\[<>=!~;]", r, maxsplit=1)[0].lower() for r in requirements}


def _explained() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Why each dependency", 1)[1].split("\n\n", 2)[1]
    names: set[str] = set()
    for row in table.splitlines()[2:]:
        first = row.split("|")[1]
        first = re.sub(r"\*\(.*?\)\*", "", first)
        names |= {re.sub(r"\[.*\]", "", n).strip().lower() for n in first.split(",")}
    return names


def test_every_dependency_says_why_in_the_readme() -> None:
    assert sorted(_declared() - _explained()) == []
