"""The import contract (pyproject.toml, ``[tool.importlinter]``) holds: pure
rules, use cases that reach other features through their services, nothing in
a feature importing the app, the pages or the server's tuning. Run here so the
README's test command checks it too, as CI's ``lint-imports`` step does."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_contract_is_kept() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    run = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def _contracts() -> list[dict[str, object]]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return list(tomllib.load(f)["tool"]["importlinter"]["contracts"])


FEATURES = sorted(
    path.parent.name
    for path in (ROOT / "src" / "servefirst").glob("*/__init__.py")
    if path.parent.name not in {"api", "db", "demo", "kit", "locales", "server", "web"}
)


def test_every_feature_with_models_has_its_models_protected() -> None:
    """A feature added later is held to the same rule: another feature reaches
    it through its service, never its models (one contract per feature)."""
    protected = {
        module
        for contract in _contracts()
        if contract["type"] == "protected"
        for module in contract["protected_modules"]  # type: ignore[attr-defined]
    }
    unprotected = [
        feature
        for feature in FEATURES
        if (ROOT / "src" / "servefirst" / feature / "models.py").exists()
        and f"servefirst.{feature}.models" not in protected
    ]
    assert unprotected == []


def test_every_feature_is_kept_from_the_app_and_the_server_tuning() -> None:
    """The contracts that keep features below the app, the pages and the
    server's tuning name every feature package, new ones too."""
    for name in (
        "no feature imports the app, the command line, the pages or the server's tuning",
        "the server's tuning sits above the app: nothing below it imports it",
    ):
        (contract,) = [c for c in _contracts() if c["name"] == name]
        sources = set(contract["source_modules"])  # type: ignore[call-overload]
        assert [f for f in FEATURES if f"servefirst.{f}" not in sources] == [], name
