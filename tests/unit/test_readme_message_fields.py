"""An integrator reads what ``GET /v1/messages`` gives in the README's row for
it: every field of a message is named there, in backticks, as the JSON spells
it (``last_error`` was given for months and said nowhere)."""

from __future__ import annotations

import re
from pathlib import Path

from servefirst.messages.schemas import MessageOut

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_field_of_a_listed_message_is_named_in_the_readme() -> None:
    [row] = [
        line
        for line in README.read_text().splitlines()
        if line.startswith("| `GET /v1/messages` |")
    ]
    named = set(re.findall(r"`([a-z_]+)`", row))
    missing = sorted(set(MessageOut.model_fields) - named - {"object"})
    assert missing == [], f"GET /v1/messages in the README does not name: {missing}"
