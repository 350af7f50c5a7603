"""The phone rule's pattern as a browser compiles it. The API publishes it in
its OpenAPI schema and a form may carry it as ``pattern``; browsers compile a
``pattern`` with the ``v`` flag, where an unescaped "(", ")", "/" or "-" in
a class makes it invalid, and an invalid pattern is silently ignored."""

from __future__ import annotations

from typing import Any

import pytest

from servefirst.customers.rules import PHONE_PATTERN

pytestmark = pytest.mark.browser

CHECK = """(pattern) => {
  let compiles = true;
  try { new RegExp(pattern, 'v'); } catch (e) { compiles = String(e); }
  const field = document.createElement('input');
  field.type = 'tel';
  field.pattern = pattern;
  const refused = {};
  for (const typed of ['---', '()', '+', '+351 912 345 678', '(21) 000-1111', '21.000.00']) {
    field.value = typed;
    refused[typed] = field.validity.patternMismatch;
  }
  return [compiles, refused];
}"""


def test_a_browser_compiles_the_phone_pattern_and_refuses_what_the_server_refuses(
    phone_page: Any,
) -> None:
    compiles, refused = phone_page.evaluate(CHECK, PHONE_PATTERN)
    assert compiles is True
    assert refused == {
        "---": True,
        "()": True,
        "+": True,
        "+351 912 345 678": False,
        "(21) 000-1111": False,
        "21.000.00": False,
    }
