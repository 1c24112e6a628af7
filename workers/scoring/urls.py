"""URL strings in a folded text, found in time linear in its length.

urlextract completes every TLD-like ending it meets (".com", ".vn", ".1") to the whole run
of characters around it, and tries the next ending when the result is no URL: a run with k
endings costs k times its length, and ".com" * 1247 took seconds. Its TLD pattern also costs
microseconds per character of everything it is given. So a text is read a run at a time (a
URL never holds a space): runs with no domain-like dot are skipped, ordinary runs go to
urlextract exactly as before, and a run that is no word of prose (longer than ``MAX_RUN``,
or with more than ``MAX_RUN_ENDINGS`` endings), or any run past ``MAX_EXTRACTED`` characters
of them in one text, is read by one linear scan for host names instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache, lru_cache

from urlextract import URLExtract

# The longest URLs readers paste (search redirects, photo links) are about 400 characters.
MAX_RUN = 512
# Endings urlextract completes in one run; an ordinary URL has at most six.
MAX_RUN_ENDINGS = 16
# Characters of one text handed to urlextract; a comment with links has a few hundred.
MAX_EXTRACTED = 2048

# Every domain has a dot between a word character and a letter; most runs have none.
_MAYBE_LINK = re.compile(r"\w\.[^\W\d_]")
# urlextract looks back over spaces and opening enclosures before a URL ("( example.com)"),
# so a run is read with those in front of it. A run with a link holds a word character, so
# the look-backs of two such runs never overlap.
_LEAD = frozenset(" ([{\"'`\\")
# What urlextract takes for the start of a TLD: a dot before a letter or digit, "localhost".
_ENDING = re.compile(r"\.[^\W_]|localhost")
# A host name: dotted labels, not starting inside another label (so each is read once), with
# the path that follows it. Possessive, so a failed start gives up at once.
_HOST = re.compile(r"(?<![\w-])[\w-]++(?:\.[\w-]++)++(?:/[^\s\"<>;|]*+)?")
_SCHEME_BEFORE = re.compile(r"[a-z][a-z0-9+.-]{0,15}://\Z")
_SCHEME_REACH = 20


@cache
def _extractor() -> URLExtract:
    """Build the extractor once; it only downloads when ``update()`` is called, never here."""
    return URLExtract()


def find_urls(text: str) -> list[str]:
    """The URLs of a folded ``text`` (words separated by single spaces), in order."""
    urls: list[str] = []
    extracted = end = 0
    for dot in _MAYBE_LINK.finditer(text):
        if dot.start() < end:
            continue  # in the run just read
        start, end = _run_around(text, dot.start(), dot.end())
        window = _with_lead(text, start, end)
        if extracted + len(window) <= MAX_EXTRACTED and _is_ordinary(window):
            extracted += len(window)
            urls.extend(_extracted(window))
        else:
            urls.extend(_scanned(window))
    return urls


def _run_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The bounds of the run of non-spaces holding ``text[start:end]``."""
    after = text.find(" ", end)
    return text.rfind(" ", 0, start) + 1, len(text) if after < 0 else after


def _with_lead(text: str, start: int, end: int) -> str:
    """``text[start:end]`` with the spaces and opening enclosures right before it."""
    while start > 0 and text[start - 1] in _LEAD:
        start -= 1
    return text[start:end]


def _is_ordinary(run: str) -> bool:
    """Short enough, and with few enough endings, to be completed by urlextract."""
    return len(run) <= MAX_RUN and len(_ENDING.findall(run)) <= MAX_RUN_ENDINGS


# Comments repeat their links, and the links and lexicon checks read the same runs.
@lru_cache(maxsize=4096)
def _extracted(run: str) -> tuple[str, ...]:
    return tuple(_extractor().find_urls(run, only_unique=False))


@lru_cache(maxsize=256)
def _scanned(run: str) -> tuple[str, ...]:
    return tuple(_hosts(run))


def _hosts(run: str) -> Iterator[str]:
    """Each host name in ``run`` with its path and scheme, one pass over it."""
    for match in _HOST.finditer(run):
        start = match.start()
        if start >= 3 and run.startswith("://", start - 3):
            scheme = _SCHEME_BEFORE.search(run, max(start - _SCHEME_REACH, 0), start)
            start = scheme.start() if scheme else start
        yield run[start : match.end()]
