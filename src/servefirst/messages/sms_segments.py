"""How many SMS a text costs, and a text kept to two of them.

A text goes as GSM 03.38 septets (160 in one SMS, 153 in each part of a longer
one) when every character is in that alphabet, else as UCS-2 (70, then 67 per
part): one "ç" or "ã" alone makes a Portuguese text cost twice the parts.
A stop link takes half of the 134 characters two UCS-2 SMS hold, so, as
businesses in Portugal commonly text, the
letters GSM lacks are written as their base letter ("marcação" as "marcacao";
"é", "à" and "Ç" are GSM's own and stay) and Babel's no-break spaces as
spaces. A name that still does not fit (a very long service, or one
in letters GSM has no base for) is shortened, never the link.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any

#: GSM 03.38's basic alphabet: one septet each (the escape itself left out).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: Its extension table: an escape and the character, two septets each.
GSM_EXTENDED = frozenset("^{}\\[~]|€\f")
#: What fits in one SMS, and in each part of a longer one (the rest of each
#: part carries the header that joins them).
GSM_SINGLE, GSM_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67
#: Typography with a plain GSM twin.
_PLAIN = {
    "\u00a0": " ",  # no-break space (Babel's "5,00 €")
    "\u202f": " ",  # narrow no-break space
    "\u2009": " ",
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u2026": "...",
}
SHORTENED = "..."


def is_gsm(text: str) -> bool:
    return all(c in GSM_BASIC or c in GSM_EXTENDED for c in text)


def in_gsm(text: str) -> str:
    """``text`` with each character GSM lacks written as its GSM twin or base
    letter where it has one ("ã" as "a", "’" as "'"); others are kept."""
    return "".join(_gsm_char(c) for c in text)


def _gsm_char(c: str) -> str:
    if c in GSM_BASIC or c in GSM_EXTENDED:
        return c
    if c in _PLAIN:
        return _PLAIN[c]
    base = unicodedata.normalize("NFD", c)[0]
    return base if base in GSM_BASIC else c


def segments(text: str) -> int:
    """The SMS ``text`` is sent as: a part never splits a GSM escape pair or
    a UTF-16 surrogate pair, so a long text may need one more than its
    length alone says."""
    if is_gsm(text):
        units = [2 if c in GSM_EXTENDED else 1 for c in text]
        single, part = GSM_SINGLE, GSM_PART
    else:
        units = [2 if ord(c) > 0xFFFF else 1 for c in text]
        single, part = UCS2_SINGLE, UCS2_PART
    if sum(units) <= single:
        return 1
    count, used = 1, 0
    for width in units:
        if used + width > part:
            count, used = count + 1, 0
        used += width
    return count


def fitted(
    render: Callable[[Mapping[str, Any]], str],
    values: Mapping[str, Any],
    names: Sequence[str],
    *,
    most: int = 2,
) -> str:
    """``render(values)`` in GSM letters (``in_gsm``), in at most ``most`` SMS:
    while it is longer, the longest of ``names`` (the business's, the
    service's) loses its end, marked with "..."."""
    shown = dict(values)
    text = in_gsm(render(shown))
    kept = {name: len(str(values[name])) for name in names if values.get(name)}
    while segments(text) > most and kept:
        longest = max(kept, key=lambda name: kept[name])
        if kept[longest] <= 1:
            break  # only the fixed words and the link are left: nothing more to cut
        kept[longest] -= 1
        shown[longest] = str(values[longest])[: kept[longest]].rstrip() + SHORTENED
        text = in_gsm(render(shown))
    return text
