"""The sentences a concern's decision is written in, and the same said again in
the reader's language.

A decision is kept as English words (the API's ``decision``, which integrators
read). The pages, in Portuguese or English, say it again: every sentence the
guarantee writes is one of the words below with its figures, so a page finds
which one it is and translates it. Words a member of staff typed as their
reason are shown as written.
"""

from __future__ import annotations

import re

from servefirst.kit.i18n import N_, gettext

APPROVED = N_("Approved: the discount has been taken off your bill.")
REDO = N_("We will do it again for you; the price stays the same.")
STAFF_WILL_LOOK = N_("A member of staff will look at this now.")
STAFF_DECIDE_HERE = N_(
    "A member of staff decides concerns on this account; they will look at it now."
)
ABOVE_PERCENT = N_(
    "A discount above %(percent)s%% of the bill is decided by staff; they will look at it now."
)
LIMIT_REVIEW_ONE = N_(
    "You have had %(claims)s approved claim in the last %(days)s days, the most this "
    "guarantee gives at once; a member of staff will decide."
)
LIMIT_REVIEW_MANY = N_(
    "You have had %(claims)s approved claims in the last %(days)s days, the most this "
    "guarantee gives at once; a member of staff will decide."
)
LIMIT_REJECT_ONE = N_(
    "You have had %(claims)s approved claim in the last %(days)s days, the most this "
    "guarantee gives at once; the bill stays as it is. Please talk to staff."
)
LIMIT_REJECT_MANY = N_(
    "You have had %(claims)s approved claims in the last %(days)s days, the most this "
    "guarantee gives at once; the bill stays as it is. Please talk to staff."
)
STAFF_APPROVED = N_("Approved by staff.")
STAFF_KEPT_THE_BILL = N_("Staff looked at this and did not change the bill.")

_ALL = (
    APPROVED,
    REDO,
    STAFF_WILL_LOOK,
    STAFF_DECIDE_HERE,
    ABOVE_PERCENT,
    LIMIT_REVIEW_ONE,
    LIMIT_REVIEW_MANY,
    LIMIT_REJECT_ONE,
    LIMIT_REJECT_MANY,
    STAFF_APPROVED,
    STAFF_KEPT_THE_BILL,
)
_FIGURE = re.compile(r"%\((\w+)\)s")


def _pattern(words: str) -> re.Pattern[str]:
    parts = _FIGURE.split(words.replace("%%", "%"))
    # split() alternates text and figure names: text, name, text, ...
    return re.compile(
        "".join(
            f"(?P<{part}>[0-9.]+)" if odd else re.escape(part)
            for odd, part in ((i % 2 == 1, part) for i, part in enumerate(parts))
        )
    )


_PATTERNS = tuple((words, _pattern(words)) for words in _ALL)


def in_reader_words(decision: str) -> str:
    """``decision`` in the current language; staff's own words as they are."""
    for words, pattern in _PATTERNS:
        found = pattern.fullmatch(decision)
        if found is not None:
            return gettext(words) % found.groupdict() if found.groupdict() else gettext(words)
    return decision
