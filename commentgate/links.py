"""Whether a text carries a link, for the review queue's ``has_link`` filter.

A cheap, stored yes/no computed at intake and on every edit. The spam engine
looks much harder at links; this only has to be right about plain ones.
"""

from __future__ import annotations

import re

_COMMON_TLDS = r"com|net|org|info|biz|vn|io|me|co|ly|xyz|top|club|vip|bet|online|site|shop|link"
_LINK = re.compile(
    rf"https?://|\bwww\.|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:{_COMMON_TLDS})\b(?!\.\w)",
    re.IGNORECASE,
)


def has_link(*texts: str) -> bool:
    """True when any of the texts holds a URL, ``www.`` or a bare common domain."""
    return any(_LINK.search(text) for text in texts)
