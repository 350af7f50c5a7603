"""Every refusal code of booking online and of working hours is in the README,
in backticks, where an integrator or an owner reads what it means: a code
added without its words fails here. (``slot_off_grid``, ``staff_not_bookable``
and ``hours_week_empty`` were answered for weeks before anyone could read
what they meant.)"""

from __future__ import annotations

import re
from pathlib import Path

import servefirst

ROOT = Path(__file__).resolve().parents[2]
SOURCE = Path(servefirst.__file__).parent
#: Where booking online and working hours refuse: the availability feature,
#: and the console's working-hours page.
REFUSING = [*sorted((SOURCE / "availability").glob("*.py")), SOURCE / "staff" / "hours_pages.py"]
CODE = re.compile(r'\bcode="([a-z_]+)"')


def test_every_booking_and_hours_code_is_explained_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    codes = {c for path in REFUSING for c in CODE.findall(path.read_text(encoding="utf-8"))}
    assert {"slot_off_grid", "staff_not_bookable", "hours_week_empty"} <= codes
    assert sorted(c for c in codes if f"`{c}`" not in readme) == []
