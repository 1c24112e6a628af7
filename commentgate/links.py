"""Whether a text carries a link, for the review queue's ``has_link`` filter.

A cheap, stored yes/no computed at intake and on every edit. The spam engine
looks much harder at links; this only has to be right about plain ones.
"""

from __future__ import annotations

import re

_COMMON_TLDS = r"com|net|org|info|biz|vn|io|me|co|ly|xyz|top|club|vip|bet|online|site|shop|link"
# Where a bare domain ends: ".com" ending its word, unless another label follows
# ("abc.com.vn" ends at ".vn"; "abc.com.txt" is no domain).
_TLD_END = rf"\.(?:{_COMMON_TLDS})\b(?!\.\w)"
_SCHEME_OR_WWW = re.compile(r"https?://|\bwww\.", re.IGNORECASE)
# A run of dotted labels read whole, up to the first label that ends a domain
# (group 1). Possessive: a run without one is given up at once, not re-read.
_LABELS = re.compile(
    rf"\b[a-z0-9][a-z0-9-]*+(?:(?!{_TLD_END})\.[a-z0-9-]++)*+({_TLD_END})?",
    re.IGNORECASE,
)


# What each kind of link cannot do without: intake asks of every comment, and most name
# none; looking for these is a few times cheaper than the scans that would find nothing.
_ENDS_LIKE_DOMAIN = re.compile(_TLD_END, re.IGNORECASE)


def has_link(*texts: str) -> bool:
    """True when any of the texts holds a URL, ``www.`` or a bare common domain."""
    return any(_names_link(text) for text in texts)


def _names_link(text: str) -> bool:
    if ("://" in text or "www." in text.lower()) and _SCHEME_OR_WWW.search(text):
        return True
    return _ENDS_LIKE_DOMAIN.search(text) is not None and _names_domain(text)


def _names_domain(text: str) -> bool:
    # findall goes on after each run: a domain starting inside a run would end
    # where the run does, so no run is read twice and the scan stays linear (a
    # search from every letter of "a.a.a…" took time quadratic in its length).
    # Each item is group 1, the domain's ending, empty for a run without one.
    return any(_LABELS.findall(text))
