"""Every error code the server can answer is in the README, in backticks,
where an integrator or an owner reads what it means: a code added without its
words fails here. (``slot_off_grid``, ``staff_not_bookable`` and
``hours_week_empty`` were answered for weeks before anyone could read what
they meant; some sixty other codes were never in the README at all.)"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path
from types import ModuleType

import servefirst
from servefirst.kit.errors import ServefirstError
from servefirst.loyalty.rules import RewardRefused
from servefirst.payments import gateways

ROOT = Path(__file__).resolve().parents[2]
SOURCE = Path(servefirst.__file__).parent
#: Where booking online and working hours refuse: the availability feature,
#: and the console's working-hours page.
REFUSING = [*sorted((SOURCE / "availability").glob("*.py")), SOURCE / "staff" / "hours_pages.py"]
CODE = re.compile(r'\bcode="([a-z_]+)"')
#: What an error code looks like (a name in snake case), not a status or a variable.
A_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def test_every_booking_and_hours_code_is_explained_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    codes = {c for path in REFUSING for c in CODE.findall(path.read_text(encoding="utf-8"))}
    assert {"slot_off_grid", "staff_not_bookable", "hours_week_empty"} <= codes
    assert sorted(c for c in codes if f"`{c}`" not in readme) == []


def _modules() -> dict[Path, ModuleType]:
    found = {}
    for info in pkgutil.walk_packages([str(SOURCE)], "servefirst."):
        if info.name.endswith("__main__"):
            continue  # runs the command line
        module = importlib.import_module(info.name)
        if module.__file__:
            found[Path(module.__file__)] = module
    return found


def _subclasses(cls: type) -> set[type]:
    return {cls} | {sub for direct in cls.__subclasses__() for sub in _subclasses(direct)}


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def codes_the_source_can_answer() -> set[str]:
    """The codes of every error class, and each ``code=`` given where an error
    is raised: a literal, a module's named constant, or ``f"{param}_too_long"``
    for each ``param=`` its function is called with. Codes a card processor
    sends are passed on as they come: only the sandbox's are servefirst's."""
    modules = _modules()
    classes = _subclasses(ServefirstError)
    codes = {cls.code for cls in classes}
    # ``__init__``: an error class giving its own code to ``super().__init__``.
    raisers = {cls.__name__ for cls in classes} | {RewardRefused.__name__, "__init__"}
    patterns: dict[str, str] = {}  # function -> code with "{param}"
    params: dict[str, set[str]] = {}  # function -> each param= it is called with
    for path, module in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef | ast.Module):
                continue
            for call in ast.walk(function):
                if not isinstance(call, ast.Call):
                    continue
                called = _name(call.func)
                given = {k.arg: k.value for k in call.keywords}
                if "param" in given and isinstance(given["param"], ast.Constant):
                    params.setdefault(called, set()).add(str(given["param"].value))
                if called == "error_body" and len(call.args) > 1:
                    given.setdefault("code", call.args[1])
                if called == RewardRefused.__name__ and len(call.args) > 1:
                    given.setdefault("code", call.args[1])
                if called not in raisers | {"error_body"} or "code" not in given:
                    continue
                code = given["code"]
                if isinstance(code, ast.Constant) and isinstance(code.value, str):
                    codes.add(code.value)
                elif isinstance(code, ast.Name) and isinstance(getattr(module, code.id, None), str):
                    codes.add(getattr(module, code.id))
                elif isinstance(code, ast.JoinedStr) and isinstance(function, ast.FunctionDef):
                    patterns[function.name] = "".join(
                        "{param}" if isinstance(part, ast.FormattedValue) else str(part.value)
                        for part in code.values
                    )
    for function, pattern in patterns.items():
        codes |= {pattern.format(param=param) for param in params.get(function, ())}
    codes |= set(gateways._DECLINE_MESSAGES)  # the sandbox's own declines
    return {code for code in codes if A_CODE.match(code)}


def documented_codes() -> set[str]:
    """Each code named in backticks in the README's "Error codes" section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n### Error codes\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`([a-z][a-z0-9_]*)`", section))


def test_every_error_code_the_api_can_answer_is_in_the_readme() -> None:
    missing = sorted(codes_the_source_can_answer() - documented_codes())
    assert missing == [], f"{len(missing)} error codes are not in the README: {missing}"


def test_the_collector_finds_codes_of_each_kind_it_reads() -> None:
    """A collector that found nothing would pass the test above with nothing to check."""
    codes = codes_the_source_can_answer()
    assert {
        "resource_missing",  # a class's own
        "tab_not_open",  # a literal code=
        "nul_character",  # a named constant
        "name_too_long",  # f"{param}_too_long"
        "reward_not_applicable",  # a reward refused
        "insufficient_funds",  # a sandbox decline
        "unsupported_media_type",  # the API's gate
    } <= codes
