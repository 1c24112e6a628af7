#!/usr/bin/env python3
"""Split the Vietnamese comment set into a training side and a test side.

Reads ``data/vi_comments.jsonl`` (one JSON object per line, keys ``text``, ``label``,
``source``, ``lang`` in that order), shuffles the lines with ``random.Random(20261125)``
and writes:

* the first ``round(0.6 * n)`` lines to ``data/vi_comments.train.jsonl``
* the remaining lines to ``data/vi_comments.test.jsonl``

Lines are copied byte for byte, so both outputs keep the exact format of the input
(UTF-8, NFC, ``\\n`` line endings). Counts per label are printed to stderr.

The split is deterministic: running the script again on the same input reproduces the
same two files. It is not stratified, so the spam share differs slightly between sides.

The test side is for reporting results only. Never use it to tune lexicons, weights or
thresholds; tune on the training side.

Usage (from anywhere; only the standard library is needed)::

    python data/split.py
"""

from __future__ import annotations

import json
import random
import sys
import unicodedata
from collections import Counter
from pathlib import Path

SEED = 20261125
TRAIN_FRACTION = 0.6
KEYS = ["text", "label", "source", "lang"]
LABELS = {"spam", "ham"}

DATA_DIR = Path(__file__).resolve().parent
SOURCE = DATA_DIR / "vi_comments.jsonl"
TRAIN = DATA_DIR / "vi_comments.train.jsonl"
TEST = DATA_DIR / "vi_comments.test.jsonl"


def read_lines(path: Path) -> list[str]:
    """Return the lines of ``path`` (each ending in ``\\n``) after validating them."""
    raw = path.read_bytes().decode("utf-8")
    if "\r" in raw:
        raise ValueError(f"{path}: found a carriage return; use \\n line endings")
    lines = raw.splitlines(keepends=True)
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.endswith("\n"):
            raise ValueError(f"{path}:{number}: last line must end with \\n")
        row = json.loads(line)
        if list(row) != KEYS:
            raise ValueError(f"{path}:{number}: keys must be {KEYS}, got {list(row)}")
        text = row["text"]
        if not text or unicodedata.normalize("NFC", text) != text:
            raise ValueError(f"{path}:{number}: text is empty or not NFC")
        if row["label"] not in LABELS:
            raise ValueError(f"{path}:{number}: unknown label {row['label']!r}")
        if text in seen:
            raise ValueError(f"{path}:{number}: duplicate text")
        seen.add(text)
    return lines


def label_counts(lines: list[str]) -> Counter[str]:
    return Counter(json.loads(line)["label"] for line in lines)


def describe(name: str, lines: list[str]) -> str:
    counts = label_counts(lines)
    return f"{name}: {len(lines)} lines, spam {counts['spam']}, ham {counts['ham']}"


def main() -> int:
    lines = read_lines(SOURCE)
    rng = random.Random(SEED)
    rng.shuffle(lines)
    cut = round(TRAIN_FRACTION * len(lines))
    train, test = lines[:cut], lines[cut:]
    with TRAIN.open("w", encoding="utf-8", newline="\n") as handle:
        handle.writelines(train)
    with TEST.open("w", encoding="utf-8", newline="\n") as handle:
        handle.writelines(test)
    print(describe(SOURCE.name, lines), file=sys.stderr)
    print(describe(TRAIN.name, train), file=sys.stderr)
    print(describe(TEST.name, test), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
