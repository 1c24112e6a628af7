"""Scoring time of texts built to be slow, against ordinary prose of the same length.

Each adversarial kind repeats a short unit (a TLD, a dotted pair, a digit, an emoji…) to the
length measured; prose is real comments of ``data/vi_comments.train.jsonl`` run together.
Name and title are filled too, up to their own maximum lengths. Every text is scored as the
worker scores it (``score_submission`` with a model trained on that file), and the median of
``ROUNDS`` timings is compared with prose measured in the same round. Targets: at most
``MAX_RATIO`` times prose of the same length, and ``MAX_MS`` at the maximum field lengths.

Run on its own for the full table (every length, pass or fail): ``python -m bench.adversarial``.
"""

from __future__ import annotations

import random
import statistics
import string
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.result import Result
from service.schemas import MAX_LENGTHS
from workers.scoring.budget import Budget
from workers.scoring.corpus import Label, read_corpus
from workers.scoring.model import SpamModel
from workers.scoring.pipeline import score_submission
from workers.scoring.training import train
from workers.scoring.types import SiteRules, Submission

CORPUS = Path(__file__).resolve().parents[1] / "data" / "vi_comments.train.jsonl"
CONTENT = MAX_LENGTHS["content"]
LENGTHS = (MAX_LENGTHS["title"], 1000, 2500, CONTENT)
ROUNDS = 7
MAX_RATIO = 3.0
MAX_MS = 100.0
# A long token of random letters: no two of its substrings repeat, so no cache helps.
_RANDOM_TOKEN = "".join(random.Random(0).choices(string.ascii_lowercase, k=2 * CONTENT))

KINDS: dict[str, str] = {
    "TLD run .com.com": ".com",
    "TLD run spaced .com .com": ".com ",
    "dot run a.ba.b": "a.b",
    "dot run x.x.": "x.",
    "domain run w88.com w88.com": "w88.com ",
    "scheme run http://http://": "http://",
    "www run www.www.": "www.",
    "at run @a@a": "@a",
    "digit run 111": "1",
    "digit run 1 1 1": "1 ",
    "digit run 1.1.1.": "1.",
    "phone numbers 0912345678": "0912345678 ",
    "phone-like 09.12.34.56.78": "09.12.34.56.78.",
    "emoji": "\U0001f600",
    "emoji ZWJ families": "\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "long token abab": "ab",
    "long random token": _RANDOM_TOKEN,
    "mixed scripts aаbβ": "a\u0430b\u03b2",
    "mixed-script words": "p\u0430yp\u0430l \u0440hone ",
    "zero-width a\u200b": "a\u200b",
    "quotes 'a' 'a'": "'a' ",
    "spam words nhà cái": "nhà cái uy tín ",
}


@dataclass(frozen=True)
class Row:
    """The median scoring time of one kind at one length, and of prose beside it."""

    kind: str
    length: int
    median_ms: float
    prose_ms: float

    @property
    def ratio(self) -> float:
        return self.median_ms / self.prose_ms

    @property
    def passed(self) -> bool:
        at_max = self.length < CONTENT or self.median_ms <= MAX_MS
        return self.ratio <= MAX_RATIO and at_max


def _repeat(unit: str, length: int, shift: int) -> str:
    """``unit`` repeated to ``length`` characters, starting ``shift`` characters in (so each
    round scores another string and per-text caches start cold)."""
    return (unit * (length // len(unit) + 2))[shift : shift + length]


def _submission(unit: str, length: int, shift: int) -> Submission:
    return Submission(
        content=_repeat(unit, length, shift),
        title=_repeat(unit, min(length, MAX_LENGTHS["title"]), shift),
        name=_repeat(unit, min(length, MAX_LENGTHS["name"]), shift),
    )


def _milliseconds(sub: Submission, model: SpamModel, rules: SiteRules) -> float:
    """CPU time of scoring ``sub`` once, in ms, with no time budget (what is measured is
    the checks' own cost, not where the budget cuts them short)."""
    # CPU time, not wall time: on a shared host the wall clock also counts the neighbours.
    budget = Budget(seconds=float("inf"))
    started = time.process_time()
    score_submission(sub, rules, model, budget=budget)
    return (time.process_time() - started) * 1000


def measure() -> list[Row]:
    """Train the model, then time every kind at every length against prose."""
    examples = read_corpus([CORPUS])
    model = train(examples, version="bench")
    prose = " ".join(example.text for example in examples if example.label is Label.HAM)
    rules = SiteRules()
    _milliseconds(_submission(prose, CONTENT, 0), model, rules)  # loads every word list
    rows = []
    # Prose from another place of the corpus each time, scored beside the kind: scored
    # twice, a text would find the results of its first time in the per-text caches.
    step = len(prose) // (len(KINDS) * ROUNDS)
    for length in LENGTHS:
        for number, (kind, unit) in enumerate(KINDS.items()):
            times, prose_times = [], []
            for shift in range(ROUNDS):
                start = (number * ROUNDS + shift) * step
                prose_times.append(
                    _milliseconds(_submission(prose[start:], length, 0), model, rules)
                )
                times.append(_milliseconds(_submission(unit, length, shift), model, rules))
            rows.append(Row(kind, length, statistics.median(times), statistics.median(prose_times)))
    return rows


def run() -> list[Result]:
    """At the maximum lengths: each kind's median time and its ratio to prose."""
    rows = [row for row in measure() if row.length == CONTENT]
    results = [
        Result(
            f"adversarial: prose, {CONTENT:,} chars",
            statistics.median(row.prose_ms for row in rows),
            "ms",
        )
    ]
    for row in rows:
        results.append(Result(f"adversarial: {row.kind}, {CONTENT:,} chars", row.median_ms, "ms"))
        results.append(Result(f"adversarial: {row.kind}, ratio to prose", row.ratio, "x"))
    failed = sum(not row.passed for row in rows)
    results.append(Result("adversarial: kinds over target", failed, "kinds"))
    return results


def main() -> int:
    """Print every kind at every length with its verdict; fail if any misses a target."""
    rows = measure()
    width = max(len(row.kind) for row in rows)
    print(f"{'kind':<{width}}  {'chars':>6}  {'median ms':>9}  {'prose ms':>8}  {'ratio':>5}  ok")
    for row in rows:
        verdict = "pass" if row.passed else "FAIL"
        print(
            f"{row.kind:<{width}}  {row.length:>6}  {row.median_ms:>9.1f}  "
            f"{row.prose_ms:>8.1f}  {row.ratio:>5.2f}  {verdict}"
        )
    return 0 if all(row.passed for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
