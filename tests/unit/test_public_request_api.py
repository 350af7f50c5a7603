"""The pages read a request through Starlette's public API only: a private
attribute (the parsed form once read as ``request._form``) may change or vanish
with any Starlette release, and the console's NUL check would then pass
every form unread."""

from __future__ import annotations

import re
from pathlib import Path

import servefirst

SOURCE = Path(servefirst.__file__).parent
#: ``request._form``, or the same reached by name: ``getattr(request, "_form")``.
PRIVATE = re.compile(r"\brequest\._[a-z]\w*|\(\s*request\s*,\s*[\"']_[a-z]\w*[\"']")


def test_no_module_reads_a_private_attribute_of_the_request() -> None:
    found = [
        f"{path.relative_to(SOURCE)}:{number}: {line.strip()}"
        for path in sorted(SOURCE.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if PRIVATE.search(line)
    ]
    assert found == []
