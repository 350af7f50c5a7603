"""The README shows screenshots the browser tests wrote into the repository."""

from __future__ import annotations

import re

from tests.e2e.conftest import DOCS_SCREENSHOTS

README = DOCS_SCREENSHOTS.parents[1] / "README.md"


def test_every_image_the_readme_shows_is_in_the_repository() -> None:
    shown = re.findall(r'<img src="([^"]+)"', README.read_text(encoding="utf-8"))
    assert shown, "the README shows no screenshot"
    for path in shown:
        assert path.startswith("docs/screenshots/"), path
        assert (README.parent / path).is_file(), f"{path} is not in the repository"
