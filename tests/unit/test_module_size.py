"""No module over 400 lines (STYLE.md): a module that grows past it is split
by use case or concern, as the others were. Migrations are history, not
design, and stay as written."""

from __future__ import annotations

from pathlib import Path

import servefirst

LIMIT = 400
SOURCE = Path(servefirst.__file__).parent


def test_no_module_is_over_four_hundred_lines() -> None:
    too_long = {
        str(path.relative_to(SOURCE)): lines
        for path in SOURCE.rglob("*.py")
        if "migrations" not in path.parts
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > LIMIT
    }
    assert too_long == {}
