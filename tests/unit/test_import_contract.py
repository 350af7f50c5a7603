"""The import contract (pyproject.toml, ``[tool.importlinter]``) holds: pure
rules, use cases that reach other features through their services, nothing in
a feature importing the app, the pages or the server's tuning. Run here so the
README's test command checks it too, as CI's ``lint-imports`` step does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_contract_is_kept() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    run = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout
