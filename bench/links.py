"""Time of the intake's link check on the longest content a reader may send."""

from __future__ import annotations

import time

from bench.result import Result
from commentgate.links import has_link
from service.schemas import MAX_LENGTHS

CONTENT = MAX_LENGTHS["content"]
# Dotted and hyphenated runs without a domain are the costly texts for a domain
# pattern: every letter could start one. The plain text is the everyday case.
TEXTS = {
    "a.a.a…": "a." * (CONTENT // 2),
    "a-a-a…": "a-" * (CONTENT // 2),
    "Vietnamese prose": ("Bài viết rất hay, cảm ơn tác giả. Tp.HCM giá 1.5 triệu. " * 100)[
        :CONTENT
    ],
}


def _milliseconds(text: str, rounds: int = 5) -> float:
    """The best of ``rounds`` timings of one check, in ms (the least disturbed one)."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        has_link(text)
        best = min(best, time.perf_counter() - started)
    return best * 1000


def run() -> list[Result]:
    """One row per kind of 5,000-character content."""
    return [
        Result(f"links: has_link, {CONTENT:,} chars of {name}", _milliseconds(text), "ms")
        for name, text in TEXTS.items()
    ]
